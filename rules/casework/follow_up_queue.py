"""The follow-up queue: outstanding DMI, SVI and document follow-ups by due date, for
`/bob followups` and its twin `bob followups`.

Who sees what (the roles are in :mod:`rules.access`): an enroller lists the follow-ups of
the consumers in their own book (delegated to them, active or pending, as the Book of
Business counts them); an Agency Manager, Primary Contact or Admin Staff Level 2 also lists
the agency's, each line naming the delegated agent. A line carries the case number, kind,
what is needed, due date and status: never the consumer's name or other PII, so it is safe
in any reply. "Today" is the agency's business date, so "overdue" flips at local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from rules.access import Action, Attempt, act, require
from rules.casework.json_fields import json_fields
from store.errors import Refused
from store.join_order import in_order
from store.models import Agency, Consumer, Delegation, Enroller, FollowUp
from store.models.cases import IN_BOOK
from store.models.follow_ups import RESOLVED
from store.models.people import display_name

PAGE_SIZE = 40
MAX_DUE_DAYS = 366  # HealthSherpa's exports look three months ahead; a year is plenty
MAX_PAGE = 100_000  # keeps the OFFSET a small integer on every database
KIND_WORDS = {"dmi": "DMI", "svi": "SVI", "document": "Document"}

_agent = aliased(Enroller, name="follow_up_agent")


class FollowUpRefused(Refused):
    """The follow-up list is not allowed or its filter cannot be read."""


@dataclass(frozen=True)
class FollowUpFilter:
    """Which outstanding follow-ups to list: ``due_within`` days from today (today
    included), ``overdue`` (due before today), both (overdue or due within), or neither
    (all); ``agency`` for the whole agency's book."""

    due_within: int | None = None
    overdue: bool = False
    agency: bool = False

    @property
    def reach(self) -> str:
        return "agency" if self.agency else "own"


@dataclass(frozen=True)
class FollowUpRow:
    """One follow-up as a list shows it: no consumer PII."""

    case_number: str
    kind: str
    needed: str
    due_on: date
    days_left: int  # negative when overdue
    status: str
    agent: str

    @property
    def when(self) -> str:
        """How far the due date is, in words: "2 days overdue", "due today", "in 1 day"."""
        n = abs(self.days_left)
        span = "1 day" if n == 1 else f"{n:,} days"
        if self.days_left < 0:
            return f"{span} overdue"
        return "due today" if self.days_left == 0 else f"in {span}"

    def as_dict(self) -> dict[str, Any]:
        return json_fields(self)


@dataclass(frozen=True)
class FollowUpPage:
    rows: list[FollowUpRow]
    total: int
    page: int
    pages: int
    today: date


def not_linked() -> FollowUpRefused:
    return FollowUpRefused("you are not an active enroller; link your account first", "unknown_actor")


def list_follow_ups(
    sessions: sessionmaker[Session],
    actor_id: int,
    now: datetime,
    wanted: FollowUpFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> FollowUpPage:
    """One page of the outstanding follow-ups ``wanted`` asks for, soonest due first. A
    refusal (an agent asking for the agency, a bad filter) is audited before it is raised."""
    if wanted.due_within is not None and not 0 <= wanted.due_within <= MAX_DUE_DAYS:
        raise FollowUpRefused(f"--due counts days, from 0 to {MAX_DUE_DAYS}", "bad_filter")
    if not 1 <= page <= MAX_PAGE:
        raise FollowUpRefused(f"pages are numbered from 1 to {MAX_PAGE:,}", "bad_filter")

    def work(session: Session, actor: Enroller) -> FollowUpPage:
        if wanted.agency:
            require(
                actor,
                Action.LIST_AGENCY_FOLLOW_UPS,
                FollowUpRefused(
                    "only an Agency Manager, Primary Contact or Admin Staff Level 2 can list "
                    "the agency's follow-ups; `followups` lists your own",
                    "not_manager",
                ),
            )
        today = now.astimezone(ZoneInfo(session.get_one(Agency, actor.agency_id).time_zone)).date()
        where = [*_reach(actor, wanted.agency), *_due(wanted, today)]
        total = int(session.scalar(_rows_query(where).with_only_columns(func.count())) or 0)
        pages = max(1, -(-total // page_size))
        query = _rows_query(where).order_by(FollowUp.due_on, Consumer.case_number, FollowUp.id, _agent.id)
        rows = session.execute(query.offset((page - 1) * page_size).limit(page_size))
        return FollowUpPage([_row(row, today) for row in rows], total, page, pages, today)

    return act(sessions, actor_id, Attempt("followups.list", wanted.reach, now), work, not_linked())


def _rows_query(where: list[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    """Read from the enroller(s) in reach, through their delegations, to the follow-ups of
    those consumers: the cost follows the book asked about, not every follow-up on file
    (the order is fixed, :mod:`store.join_order`, so statistics cannot flip it)."""
    return (
        select(
            Consumer.case_number,
            FollowUp.kind,
            FollowUp.needed,
            FollowUp.due_on,
            FollowUp.status,
            _agent.first_name,
            _agent.last_name,
            _agent.license_number,
        )
        .select_from(in_order(_agent, Delegation, FollowUp, Consumer))
        .where(
            Delegation.enroller_id == _agent.id,
            Delegation.status.in_(IN_BOOK),
            FollowUp.consumer_id == Delegation.consumer_id,
            FollowUp.status.not_in(RESOLVED),  # outstanding, looked up by consumer (see RESOLVED)
            Consumer.id == FollowUp.consumer_id,
            *where,
        )
    )


def _reach(actor: Enroller, agency: bool) -> list[ColumnElement[bool]]:
    if agency:
        return [_agent.agency_id == actor.agency_id]
    return [_agent.id == actor.id]


def _due(wanted: FollowUpFilter, today: date) -> list[ColumnElement[bool]]:
    soon = today + timedelta(days=wanted.due_within) if wanted.due_within is not None else None
    if wanted.overdue and soon is not None:
        return [FollowUp.due_on <= soon]
    if wanted.overdue:
        return [FollowUp.due_on < today]
    if soon is not None:
        return [FollowUp.due_on >= today, FollowUp.due_on <= soon]
    return []


def _row(row: Any, today: date) -> FollowUpRow:
    return FollowUpRow(
        case_number=row.case_number,
        kind=KIND_WORDS.get(str(row.kind), str(row.kind)),
        needed=row.needed,
        due_on=row.due_on,
        days_left=(row.due_on - today).days,
        status=str(row.status),
        agent=display_name(row.first_name, row.last_name, row.license_number),
    )
