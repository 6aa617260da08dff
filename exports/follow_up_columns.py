"""The follow-ups and delegations-at-risk workbooks' columns as data, and their set-based queries.

Follow-ups: one row per follow-up of a consumer in the scope's book (delegated, active or
pending), due from two months before the export's date onward, as HealthSherpa's DMI and
SVI exports cover; every status, so a cleared or expired one is still on record.
At risk: one row per delegation that is pending (awaiting acceptance) or was removed within
the same two months (the consumer left the agent's book: agent-of-record risk), with the
consumer's outstanding follow-ups counted beside it.

Both join the same :data:`exports.columns.delegated_agent` and :class:`Delegation` as the
Book of Business, so a scope's filters (one agent, the agency) apply unchanged, and both
read everything in one pass: correlated aggregates, no per-row queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, null, select

from exports.columns import BookColumn, Kind, delegated_agent
from store.models import Consumer, Delegation, DelegationStatus, FollowUp
from store.models.cases import IN_BOOK
from store.models.follow_ups import RESOLVED, FollowUpKind, FollowUpSource, FollowUpStatus
from store.zones import local_midnight

WINDOW_MONTHS = 2
AT_RISK = (DelegationStatus.PENDING, DelegationStatus.REMOVED)

T, D, N = Kind.TEXT, Kind.DATE, Kind.INTEGER
_agent_name = (
    delegated_agent.first_name
    + " "
    + delegated_agent.last_name
    + " (License "
    + delegated_agent.license_number
    + ")"
)
_delegation_status = case(
    {
        DelegationStatus.ACTIVE: "Active",
        DelegationStatus.PENDING: "Pending",
        DelegationStatus.REMOVED: "Removed",
    },
    value=Delegation.status,
)


def window_start(day: date, months: int = WINDOW_MONTHS) -> date:
    """``months`` calendar months before ``day``; the 31st falls back to the month's last day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


@dataclass(frozen=True)
class ExportDay:
    """The agency's business date an export is made on, in the agency's zone: what "overdue"
    and the two-month window are judged by."""

    day: date
    zone: ZoneInfo

    @property
    def window_start(self) -> date:
        return window_start(self.day)

    @property
    def window_start_at(self) -> datetime:
        """Local midnight that starts the window, as a UTC instant."""
        return local_midnight(self.window_start, self.zone)


def _consumer_columns() -> tuple[BookColumn, ...]:
    return (
        BookColumn("A", "Case Number", T, Consumer.case_number, 14),
        BookColumn("B", "First Name", T, Consumer.first_name, 14, pii=True),
        BookColumn("C", "Last Name", T, Consumer.last_name, 16, pii=True),
        BookColumn("D", "Date of Birth", D, Consumer.date_of_birth, 13, pii=True, maskable=True),
        BookColumn("E", "Primary Phone", T, Consumer.primary_phone, 16, pii=True),
        BookColumn("F", "Email", T, Consumer.email, 28, pii=True),
    )


_FOLLOW_UP_KIND = {FollowUpKind.DMI: "DMI", FollowUpKind.SVI: "SVI", FollowUpKind.DOCUMENT: "Document"}
_FOLLOW_UP_STATUS = {
    FollowUpStatus.OPEN: "Open",
    FollowUpStatus.SUBMITTED: "Documents Submitted",
    FollowUpStatus.CLEARED: "Verified",
    FollowUpStatus.EXPIRED: "Expired",
}
_FOLLOW_UP_SOURCE = {
    FollowUpSource.CALHEERS: "CalHEERS",
    FollowUpSource.HEALTHSHERPA: "HealthSherpa",
    FollowUpSource.BOB_FILE: "bob file",
}


def follow_up_columns(day: ExportDay) -> tuple[BookColumn, ...]:
    """The follow-ups workbook's columns; "Overdue" is judged on ``day``, the export's date."""
    overdue = case(
        (and_(FollowUp.status.not_in(RESOLVED), FollowUp.due_on < day.day), literal("Y")), else_="N"
    )
    return (
        *_consumer_columns(),
        BookColumn("G", "Follow-up Type", T, case(_FOLLOW_UP_KIND, value=FollowUp.kind), 10),
        BookColumn("H", "Documents Needed", T, FollowUp.needed, 30),
        BookColumn("I", "Due Date", D, FollowUp.due_on, 13),
        BookColumn("J", "Overdue", T, overdue, 9),
        BookColumn("K", "Status", T, case(_FOLLOW_UP_STATUS, value=FollowUp.status), 18),
        BookColumn("L", "Source", T, case(_FOLLOW_UP_SOURCE, value=FollowUp.source), 13),
        BookColumn("M", "Delegation Status", T, _delegation_status, 11),
        BookColumn("N", "Delegated Agent", T, _agent_name, 34),
    )


def _follow_ups_from(
    query: Select[*tuple[Any, ...]], scope: Sequence[ColumnElement[bool]], day: ExportDay
) -> Select[*tuple[Any, ...]]:
    return (
        query.select_from(FollowUp)
        .join(Consumer, Consumer.id == FollowUp.consumer_id)
        .join(Delegation, Delegation.consumer_id == FollowUp.consumer_id)
        .join(delegated_agent, delegated_agent.id == Delegation.enroller_id)
        .where(Delegation.status.in_(IN_BOOK), FollowUp.due_on >= day.window_start, *scope)
    )


def _of_kind(kind: FollowUpKind | None) -> tuple[ColumnElement[bool], ...]:
    return () if kind is None else (FollowUp.kind == kind,)


def follow_up_query(
    scope: Sequence[ColumnElement[bool]], day: ExportDay, kind: FollowUpKind | None = None
) -> Select[*tuple[Any, ...]]:
    """Every follow-up row of the scope's book due since two months before the export's day, soonest
    due first (of one ``kind`` when given)."""
    columns = (column.expression for column in follow_up_columns(day))
    return _follow_ups_from(select(*columns), [*scope, *_of_kind(kind)], day).order_by(
        FollowUp.due_on, Consumer.case_number, FollowUp.id, delegated_agent.id
    )


def follow_up_count(
    scope: Sequence[ColumnElement[bool]], day: ExportDay, kind: FollowUpKind | None = None
) -> Select[*tuple[Any, ...]]:
    return _follow_ups_from(select(func.count()), [*scope, *_of_kind(kind)], day)


def _outstanding(day: date | None = None) -> Any:
    """The consumer's outstanding follow-ups (overdue on ``day`` only, when given)."""
    query = select(func.count(FollowUp.id)).where(
        FollowUp.consumer_id == Consumer.id, FollowUp.status.not_in(RESOLVED)
    )
    if day is not None:
        query = query.where(FollowUp.due_on < day)
    return query.correlate(Consumer).scalar_subquery()


_next_due = (
    select(func.min(FollowUp.due_on))
    .where(FollowUp.consumer_id == Consumer.id, FollowUp.status.not_in(RESOLVED))
    .correlate(Consumer)
    .scalar_subquery()
)


def _while_delegated(value: Any) -> Any:
    """A consumer who removed the delegation withdrew the agent's authority over their case:
    the at-risk export says who left (case number and name) but no longer hands out their
    date of birth, phone or email."""
    return case((Delegation.status == DelegationStatus.REMOVED, null()), else_=value)


def at_risk_columns(day: ExportDay) -> tuple[BookColumn, ...]:
    case_number, first, last, born, phone, email = _consumer_columns()
    return (
        case_number,
        first,
        last,
        replace(born, expression=_while_delegated(born.expression)),
        replace(phone, expression=_while_delegated(phone.expression)),
        replace(email, expression=_while_delegated(email.expression)),
        BookColumn("G", "Delegation Status", T, _delegation_status, 11),
        BookColumn("H", "Delegation Date", D, Delegation.delegated_on, 13),
        BookColumn("I", "Open Follow-ups", N, _outstanding(), 10),
        BookColumn("J", "Overdue Follow-ups", N, _outstanding(day.day), 10),
        BookColumn("K", "Next Follow-up Due", D, _next_due, 13),
        BookColumn("L", "Delegated Agent", T, _agent_name, 34),
    )


def _at_risk_from(
    query: Select[*tuple[Any, ...]], scope: Sequence[ColumnElement[bool]], day: ExportDay
) -> Select[*tuple[Any, ...]]:
    """Pending delegations, and those removed since the window's first local midnight."""
    recently_removed = and_(
        Delegation.status == DelegationStatus.REMOVED, Delegation.status_changed_at >= day.window_start_at
    )
    return (
        query.select_from(Delegation)
        .join(Consumer, Consumer.id == Delegation.consumer_id)
        .join(delegated_agent, delegated_agent.id == Delegation.enroller_id)
        .where((Delegation.status == DelegationStatus.PENDING) | recently_removed, *scope)
    )


def at_risk_query(scope: Sequence[ColumnElement[bool]], day: ExportDay) -> Select[*tuple[Any, ...]]:
    """Every pending or recently removed delegation of the scope, removed first, then by case."""
    columns = (column.expression for column in at_risk_columns(day))
    return _at_risk_from(select(*columns), scope, day).order_by(
        Delegation.status.desc(), Consumer.case_number, delegated_agent.id
    )


def at_risk_count(scope: Sequence[ColumnElement[bool]], day: ExportDay) -> Select[*tuple[Any, ...]]:
    return _at_risk_from(select(func.count()), scope, day)
