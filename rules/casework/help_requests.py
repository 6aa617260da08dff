"""Help requests: filed by enrollers, routed to a team by category, updated by support staff.

Who sees what: support staff read every help request; an Agency Manager, Primary Contact or
Admin Staff Level 2 reads their agency's; everyone else reads their own. A request outside
the reader's reach gets the same reply as a number that does not exist. Only support staff
change a status (with an optional note). Refusals that touched authorization, and every
create and update, are written to the audit log with a reason code (no PII).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from rules.access import Action, Attempt, act, audit, may, require
from rules.casework.json_fields import json_fields
from store.control_characters import has_control_character
from store.errors import Refused
from store.models import (
    Agency,
    Enroller,
    HelpCategory,
    HelpRequest,
    HelpRequestUpdate,
    HelpStatus,
)
from store.models.people import display_name
from store.zones import DEFAULT_TIME_ZONE

ROUTING: dict[HelpCategory, str] = {
    HelpCategory.CONSUMER_CASE: "Consumer Case Team",
    HelpCategory.PROFILE: "Agency/Entity Profile Team",
    HelpCategory.CONTRACTS: "Agent Contracts and Certification Services",
    HelpCategory.SERVICE_CENTER: "Agent/CEC Service Center",
}
OPEN_STATUSES = (HelpStatus.SUBMITTED, HelpStatus.IN_PROGRESS, HelpStatus.PENDING_INFORMATION)
LIST_LIMIT = 50
TOPIC_LIMIT = 120
DETAILS_LIMIT = 4000
T = TypeVar("T")


class HelpRefused(Refused):
    """The help-request action is not allowed or not possible."""


@dataclass(frozen=True)
class HelpRequestView:
    """A help request as its reader sees it; lists leave ``details`` and ``updates`` out."""

    number: str
    category: str
    topic: str
    status: str
    routed_team: str
    created_at: datetime
    updated_at: datetime
    enroller: str
    details: str | None
    updates: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return json_fields(self)


def _act(
    sessions: sessionmaker[Session],
    actor_id: int,
    action: str,
    target: str,
    now: datetime,
    work: Callable[[Session, Enroller], T],
) -> T:
    """Run ``work(session, actor)`` as one audited help-request action (see :func:`rules.access.act`)."""
    not_linked = HelpRefused("you are not an active enroller; link your account first", "unknown_actor")
    return act(sessions, actor_id, Attempt(action, target, now), work, not_linked)


def _visible_to(actor: Enroller) -> ColumnElement[bool]:
    """The help requests ``actor`` may read, as a WHERE clause."""
    if may(actor, Action.READ_ALL_HELP_REQUESTS):
        return true()
    if may(actor, Action.READ_AGENCY_HELP_REQUESTS):
        return HelpRequest.agency_id == actor.agency_id
    return HelpRequest.enroller_id == actor.id


def _not_allowed(what: str) -> HelpRefused:
    return HelpRefused(f"your role cannot {what}", "not_allowed")


def _unknown_request(number: str) -> HelpRefused:
    return HelpRefused(
        f"no help request {number[:40]} that you can see; check the number with `help-request list`",
        "unknown_request",
    )


_filer = aliased(Enroller, name="filer")
_COLUMNS = (
    HelpRequest.id,
    HelpRequest.number,
    HelpRequest.category,
    HelpRequest.topic,
    HelpRequest.status,
    HelpRequest.routed_team,
    HelpRequest.created_at,
    HelpRequest.updated_at,
    _filer.first_name,
    _filer.last_name,
    _filer.license_number,
)


def _view(
    row: Any, details: str | None = None, updates: list[dict[str, Any]] | None = None
) -> HelpRequestView:
    return HelpRequestView(
        row.number,
        str(row.category),
        row.topic,
        str(row.status),
        row.routed_team,
        row.created_at,
        row.updated_at,
        display_name(row.first_name, row.last_name, row.license_number),
        details,
        updates or [],
    )


def _number_key(number: str) -> str:
    """A typed request number as stored; one holding a control character is no request."""
    if has_control_character(number):
        raise _unknown_request(number)
    return number.strip().upper()


def _plain_text(text: str, what: str) -> None:
    """Refuse ``text`` holding a control character other than tab or a line break; see
    :mod:`store.control_characters`."""
    if has_control_character(text, multiline=True):
        raise HelpRefused(
            f"{what} contains a control character (such as NUL); type it again as plain text",
            "control_character",
        )


def _read_one(session: Session, actor: Enroller, number: str) -> HelpRequestView | None:
    row = session.execute(
        select(*_COLUMNS, HelpRequest.details)
        .join(_filer, _filer.id == HelpRequest.enroller_id)
        .where(HelpRequest.number == _number_key(number), _visible_to(actor))
    ).first()
    if row is None:
        return None
    author = aliased(Enroller)
    updates = [
        {"at": at, "author": f"{first} {last}", "status": str(status), "note": note}
        for at, first, last, status, note in session.execute(
            select(
                HelpRequestUpdate.at,
                author.first_name,
                author.last_name,
                HelpRequestUpdate.status,
                HelpRequestUpdate.note,
            )
            .join(author, author.id == HelpRequestUpdate.author_id)
            .where(HelpRequestUpdate.help_request_id == row.id)
            .order_by(HelpRequestUpdate.at.desc(), HelpRequestUpdate.id.desc())
        )
    ]
    return _view(row, row.details, updates)


def create_request(
    sessions: sessionmaker[Session],
    actor_id: int,
    category: HelpCategory,
    topic: str,
    details: str,
    now: datetime,
) -> HelpRequestView:
    """File a help request, numbered ``HR-<year>-<six digits>`` and routed by its category."""
    topic, details = " ".join(topic.split()), details.strip()
    if not topic or not details:
        raise HelpRefused("a help request needs a topic and details", "missing_fields")
    if len(topic) > TOPIC_LIMIT or len(details) > DETAILS_LIMIT:
        raise HelpRefused(
            f"keep the topic under {TOPIC_LIMIT} characters and the details under {DETAILS_LIMIT}", "too_long"
        )
    _plain_text(topic, "the topic")
    _plain_text(details, "the details")

    def work(session: Session, actor: Enroller) -> HelpRequestView:
        require(actor, Action.FILE_HELP_REQUEST, _not_allowed("file a help request"))
        number = _file(session, actor, category, topic, details, now)
        audit(session, actor, "help.create", number, "ok", now, {"reason": "created"})
        view = _read_one(session, actor, number)
        assert view is not None
        return view

    return _act(sessions, actor_id, "help.create", "new", now, work)


def _file(
    session: Session, actor: Enroller, category: HelpCategory, topic: str, details: str, now: datetime
) -> str:
    """Store the request, routed by its category; returns its number."""
    zone = session.scalar(select(Agency.time_zone).where(Agency.id == actor.agency_id))
    year = now.astimezone(ZoneInfo(zone or DEFAULT_TIME_ZONE)).year
    request = HelpRequest(
        number=f"HR-new-{uuid.uuid4().hex[:24]}",
        enroller_id=actor.id,
        agency_id=actor.agency_id,
        category=category,
        topic=topic,
        details=details,
        status=HelpStatus.SUBMITTED,
        routed_team=ROUTING[category],
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    # The number comes from the row id, so two requests filed at once never share one.
    request.number = f"HR-{year}-{request.id:06d}"
    session.flush()
    return request.number


def show_request(
    sessions: sessionmaker[Session], actor_id: int, number: str, now: datetime
) -> HelpRequestView:
    """One help request with its details and status history, if the actor may read it."""

    def work(session: Session, actor: Enroller) -> HelpRequestView:
        view = _read_one(session, actor, number)
        if view is None:
            raise _unknown_request(number)
        return view

    return _act(sessions, actor_id, "help.show", number, now, work)


def list_requests(
    sessions: sessionmaker[Session], actor_id: int, now: datetime, *, open_only: bool = False
) -> list[HelpRequestView]:
    """The help requests the actor may read, newest first, at most 50."""

    def work(session: Session, actor: Enroller) -> list[HelpRequestView]:
        query = (
            select(*_COLUMNS)
            .join(_filer, _filer.id == HelpRequest.enroller_id)
            .where(_visible_to(actor), HelpRequest.created_at <= now)
            .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
            .limit(LIST_LIMIT)
        )
        if open_only:
            query = query.where(HelpRequest.status.in_(OPEN_STATUSES))
        return [_view(row) for row in session.execute(query)]

    return _act(sessions, actor_id, "help.list", "open" if open_only else "all", now, work)


def update_request(
    sessions: sessionmaker[Session],
    actor_id: int,
    number: str,
    status: HelpStatus,
    note: str | None,
    now: datetime,
) -> HelpRequestView:
    """Set a help request's status, with an optional note (support staff only)."""
    note = (note or "").strip() or None
    _plain_text(note or "", "the note")

    def work(session: Session, actor: Enroller) -> HelpRequestView:
        refusal = HelpRefused("only support staff can update a help request's status", "not_support_staff")
        require(actor, Action.UPDATE_HELP_REQUEST, refusal)
        wanted = _number_key(number)
        request_id = session.scalar(select(HelpRequest.id).where(HelpRequest.number == wanted))
        if request_id is None:
            raise _unknown_request(number)
        session.execute(
            update(HelpRequest).where(HelpRequest.id == request_id).values(status=status, updated_at=now)
        )
        session.add(
            HelpRequestUpdate(
                help_request_id=request_id, author_id=actor.id, at=now, status=status, note=note
            )
        )
        audit(session, actor, "help.update", wanted, "ok", now, {"reason": str(status)})
        view = _read_one(session, actor, number)
        assert view is not None
        return view

    return _act(sessions, actor_id, "help.update", number, now, work)
