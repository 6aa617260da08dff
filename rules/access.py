"""Who may do what, and the audit log that records every try.

The role sets and the table of actions below are the one answer to "may an Admin Staff
Level 2 do X?"; ``docs/access.md`` shows the table and a test keeps it in step with the code.
An action's own module still decides *which* rows the actor reaches (their own cases, their
agency's book); this module decides whether their role may take the action at all.

One helper writes an audit entry (:func:`audit`), and one pattern runs an action whose
refusal must be remembered (:func:`audit_refusals`, :func:`act`): the refusal is written to
the audit log, committed, and only then raised, so a refused attempt leaves a trace even
though nothing else changes. Audit entries hold ids, reason codes and counts, never PII.

A successful read of consumer data (a digest, a CRW case, a help request, an export) is
recorded by :func:`record_read` the same way whichever channel it came through (:class:`Via`:
Slack, the web or the command line), so one `bob audit --action mailbox` shows them all.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, sessionmaker

from store.control_characters import without_control_characters
from store.db import transaction
from store.errors import Refused
from store.models import AuditEntry, Enroller, Role

T = TypeVar("T")

AGENTS = frozenset({Role.AGENT_L1, Role.AGENT_L2})
# Agency Manager, Primary Contact and Admin Staff Level 2 act for the whole agency: they read
# its Book of Business, manage its CRW cases and read its help requests.
AGENCY_MANAGERS = frozenset({Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT, Role.ADMIN_L2})
# The Daily Manager Summary goes to Agency Managers and Primary Contacts only.
MANAGER_SUMMARY_RECIPIENTS = frozenset({Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT})
SUPPORT_STAFF = frozenset({Role.SUPPORT_STAFF})
EVERYONE = frozenset(Role)


class Action(enum.Enum):
    """Something an enroller may be allowed to do, in the portal's words."""

    EXPORT_OWN_BOOK = "Export their own Book of Business"
    EXPORT_AGENCY_BOOK = "Export the agency's Book of Business (All Agents)"
    EXPORT_AGENT_BOOK = "Export one agent's Book of Business"
    EXPORT_OWN_FOLLOW_UPS = "Export their own follow-ups and delegations at risk"
    EXPORT_AGENCY_FOLLOW_UPS = "Export the agency's follow-ups and delegations at risk"
    EXPORT_ROSTER = "Export the agency's roster of enrollers"
    FETCH_OWN_EXPORT = "List and fetch their own exports"
    READ_AGENCY_EXPORTS = "See the agency's export history (who exported which book, when)"
    LIST_OWN_FOLLOW_UPS = "List the follow-ups (DMI, SVI, documents) due in their own book"
    LIST_AGENCY_FOLLOW_UPS = "List the follow-ups due in the agency's book"
    WORK_OWN_CRW_CASES = "Read, note and close the CRW cases assigned to them"
    WORK_AGENCY_CRW_CASES = "Read, note and close any CRW case of the agency; see its CRW activity"
    TRANSFER_CRW_CASE = "Transfer a CRW case within the agency"
    RECEIVE_CRW_CASE = "Be the new assignee of a transferred CRW case"
    TAKE_CRW_REPORT = "Take the agency's CRW report"
    FILE_HELP_REQUEST = "File a help request and read their own"
    READ_AGENCY_HELP_REQUESTS = "Read the agency's help requests"
    READ_ALL_HELP_REQUESTS = "Read every help request"
    UPDATE_HELP_REQUEST = "Update a help request's status"
    LINK_SLACK_ACCOUNT = "Link their Slack account"
    READ_OWN_MAILBOX = "Read their own secure mailbox"
    SIGN_IN_ON_THE_WEB = "Sign in to the web mailbox (by emailed link or from Slack)"
    RECEIVE_MANAGER_SUMMARY = "Receive the Daily Manager Summary"
    CHOOSE_OWN_DELIVERY = "See and change how their own Daily Summary reaches them"
    CHOOSE_AGENCY_DELIVERY = (
        "See and change how the Daily Summary reaches the agency's people, and the agency's defaults"
    )


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.EXPORT_OWN_BOOK: AGENTS | AGENCY_MANAGERS,
    Action.EXPORT_AGENCY_BOOK: AGENCY_MANAGERS,
    Action.EXPORT_AGENT_BOOK: AGENCY_MANAGERS,
    Action.EXPORT_OWN_FOLLOW_UPS: AGENTS | AGENCY_MANAGERS,
    Action.EXPORT_AGENCY_FOLLOW_UPS: AGENCY_MANAGERS,
    Action.EXPORT_ROSTER: AGENCY_MANAGERS,
    Action.FETCH_OWN_EXPORT: EVERYONE,
    Action.READ_AGENCY_EXPORTS: AGENCY_MANAGERS,
    Action.LIST_OWN_FOLLOW_UPS: EVERYONE,
    Action.LIST_AGENCY_FOLLOW_UPS: AGENCY_MANAGERS,
    Action.WORK_OWN_CRW_CASES: EVERYONE,
    Action.WORK_AGENCY_CRW_CASES: AGENCY_MANAGERS,
    Action.TRANSFER_CRW_CASE: AGENCY_MANAGERS,
    Action.RECEIVE_CRW_CASE: frozenset({Role.AGENT_L2}),
    Action.TAKE_CRW_REPORT: AGENCY_MANAGERS,
    Action.FILE_HELP_REQUEST: EVERYONE,
    Action.READ_AGENCY_HELP_REQUESTS: AGENCY_MANAGERS,
    Action.READ_ALL_HELP_REQUESTS: SUPPORT_STAFF,
    Action.UPDATE_HELP_REQUEST: SUPPORT_STAFF,
    Action.LINK_SLACK_ACCOUNT: EVERYONE,
    Action.READ_OWN_MAILBOX: EVERYONE,
    Action.SIGN_IN_ON_THE_WEB: EVERYONE,
    Action.RECEIVE_MANAGER_SUMMARY: MANAGER_SUMMARY_RECIPIENTS,
    Action.CHOOSE_OWN_DELIVERY: EVERYONE,
    Action.CHOOSE_AGENCY_DELIVERY: AGENCY_MANAGERS,
}

ROLE_NAMES: dict[Role, str] = {
    Role.AGENT_L1: "Agent Level 1",
    Role.AGENT_L2: "Agent Level 2",
    Role.AGENCY_MANAGER: "Agency Manager",
    Role.PRIMARY_CONTACT: "Primary Contact",
    Role.ADMIN_L1: "Admin Staff Level 1",
    Role.ADMIN_L2: "Admin Staff Level 2",
    Role.SUPPORT_STAFF: "Support Staff",
}


def roles_allowed(action: Action) -> frozenset[Role]:
    """The roles that may take ``action``, for a query's ``role IN (...)``."""
    return ALLOWED[action]


def may(enroller: Enroller, action: Action) -> bool:
    """Whether the enroller's role allows ``action`` (their reach is the action's business)."""
    return role_may(enroller.role, action)


def role_may(role: Role | str, action: Action) -> bool:
    """Whether ``role`` allows ``action``, for a caller that read the role alone."""
    return role in ALLOWED[action]


def require(enroller: Enroller, action: Action, refusal: Refused) -> None:
    """Raise ``refusal`` unless the enroller's role allows ``action``."""
    if not may(enroller, action):
        raise refusal


def may_choose_delivery(actor: Enroller, person: Enroller) -> bool:
    """Whether ``actor`` may see and change ``person``'s delivery preferences: their own, or,
    for the agency's managers, those of anyone in their agency."""
    if actor.id == person.id:
        return may(actor, Action.CHOOSE_OWN_DELIVERY)
    return actor.agency_id == person.agency_id and may(actor, Action.CHOOSE_AGENCY_DELIVERY)


def access_table() -> str:
    """The role × action table as Markdown, as ``docs/access.md`` shows it."""
    roles = list(ROLE_NAMES)
    lines = [
        "| Action | " + " | ".join(ROLE_NAMES[role] for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action, allowed in ALLOWED.items():
        marks = " | ".join("yes" if role in allowed else "" for role in roles)
        lines.append(f"| {action.value} | {marks} |")
    return "\n".join(lines) + "\n"


# The audit log's column widths (store.models.audit): PostgreSQL refuses longer words.
AUDIT_ACTION_MAX = 40
AUDIT_OUTCOME_MAX = 20


def audit(
    session: Session,
    actor: Enroller | int | None,
    action: str,
    target: str | None,
    outcome: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    *,
    slack_user_id: str | None = None,
) -> None:
    """Record that ``actor`` (an enroller, an enroller's id, or nobody known) tried ``action``
    on ``target`` and how it ended. ``slack_user_id`` names the Slack user who asked when it
    is not the actor's own (a link attempt). ``detail`` must hold no PII."""
    session.add(AuditEntry(**_entry(actor, action, target, outcome, at, detail, slack_user_id)))


def _entry(
    actor: Enroller | int | None,
    action: str,
    target: str | None,
    outcome: str,
    at: datetime,
    detail: dict[str, Any] | None,
    slack_user_id: str | None,
) -> dict[str, Any]:
    """An audit row's columns, checked and cleaned."""
    if len(action) > AUDIT_ACTION_MAX or len(outcome) > AUDIT_OUTCOME_MAX:
        # bob's own words, not input: too long is a bug, caught on SQLite as on PostgreSQL.
        raise ValueError(f"audit words too long: {action!r} / {outcome!r}")
    if slack_user_id is None and isinstance(actor, Enroller):
        slack_user_id = actor.slack_user_id
    return {
        "actor_id": actor.id if isinstance(actor, Enroller) else actor,
        "actor_slack_id": slack_user_id,
        "action": action,
        "target": without_control_characters(target[:120]) if target is not None else None,
        "outcome": outcome,
        "detail": detail,
        "at": at,
    }


@dataclass
class Attempt:
    """One try at an action, as the audit log will record it; the action fills in who is
    asking and what the target is as it learns them."""

    action: str
    target: str | None
    at: datetime
    actor: Enroller | int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    slack_user_id: str | None = None  # when the Slack user asking is not (yet) the actor's own

    def record(self, session: Session, outcome: str, detail: dict[str, Any] | None = None) -> None:
        audit(
            session,
            self.actor,
            self.action,
            self.target,
            outcome,
            self.at,
            detail,
            slack_user_id=self.slack_user_id,
        )


def audit_refusals(sessions: sessionmaker[Session], attempt: Attempt, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction. A :class:`Refused` it raises is audited (outcome
    ``refused``, its reason code plus ``attempt.detail``), committed, then raised.

    ``work`` must refuse before it changes anything: the refusal is committed together with
    whatever was done before it.
    """
    refusal: Refused | None = None
    with transaction(sessions) as session:
        try:
            return work(session)
        except Refused as refused:
            attempt.record(session, "refused", {"reason": refused.reason, **attempt.detail})
            refusal = refused
    raise refusal


def act(
    sessions: sessionmaker[Session],
    actor_id: int,
    attempt: Attempt,
    work: Callable[[Session, Enroller], T],
    not_linked: Refused,
) -> T:
    """Run ``work(session, actor)`` as the active enroller ``actor_id``, as
    :func:`audit_refusals` does; an unknown or inactive enroller gets ``not_linked``."""

    def as_actor(session: Session) -> T:
        actor = attempt.actor = session.get(Enroller, actor_id)
        if actor is None or not actor.active:
            raise not_linked
        return work(session, actor)

    return audit_refusals(sessions, attempt, as_actor)


@dataclass(frozen=True)
class Via:
    """The channel a read came through, as an access review traces it: the Slack user who
    asked, or the operating-system user who typed the command (``--as`` names the enroller)."""

    channel: str  # "slack", "web" or "cli"
    slack_user_id: str | None = None
    os_user: str | None = None

    def detail(self) -> dict[str, str]:
        detail = {"channel": self.channel}
        if self.os_user is not None:
            detail["os_user"] = self.os_user
        return detail


_AUDIT_INSERT = insert(cast(Table, AuditEntry.__table__))  # built once, the row's values its parameters


def audit_read(
    session: Session, reader: Enroller | int, action: str, target: str, at: datetime, via: Via
) -> None:
    """Record one successful read (``mailbox.read``, ``crw.show``…) of ``target`` (an id or a
    case, request or message number, never PII) in ``session``'s transaction, as one INSERT
    statement: every page view writes one, and an ORM unit of work for it cost more than the
    rest of a kept page's database work (bench/web.py)."""
    session.execute(_AUDIT_INSERT, _entry(reader, action, target, "ok", at, via.detail(), via.slack_user_id))


def record_read(
    sessions: sessionmaker[Session], reader_id: int, action: str, target: str, at: datetime, via: Via
) -> None:
    """:func:`audit_read` in its own transaction, for a read that has already succeeded."""
    with transaction(sessions) as session:
        audit_read(session, reader_id, action, target, at, via)
