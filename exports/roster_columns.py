"""The agency roster workbook's columns as data, and its one set-based query.

One row per enroller of the agency: name, license, role (in the portal's words), whether
they are active and have linked Slack, their book size (consumers delegated to them, active
or pending, as the Book of Business counts them) and the outstanding follow-ups in that
book, all overdue ones counted apart. The roster reads :data:`exports.columns.delegated_agent`
as its row, so the agency scope's filter applies to it unchanged; counts are correlated
aggregates over indexed keys, so it is one query whatever the agency's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select

from exports.columns import BookColumn, Kind, delegated_agent
from exports.follow_up_columns import ExportDay
from rules.access import ROLE_NAMES
from store.models import Delegation, FollowUp
from store.models.cases import IN_BOOK
from store.models.follow_ups import RESOLVED

T, N = Kind.TEXT, Kind.INTEGER


def _book_size() -> Any:
    return (
        select(func.count(Delegation.id))
        .where(Delegation.enroller_id == delegated_agent.id, Delegation.status.in_(IN_BOOK))
        .correlate(delegated_agent)
        .scalar_subquery()
    )


def _follow_ups(day: ExportDay | None) -> Any:
    """Outstanding follow-ups of the consumers in the enroller's book (overdue only, on
    ``day``, when given)."""
    query = (
        select(func.count(FollowUp.id))
        .join(Delegation, Delegation.consumer_id == FollowUp.consumer_id)
        .where(
            Delegation.enroller_id == delegated_agent.id,
            Delegation.status.in_(IN_BOOK),
            FollowUp.status.not_in(RESOLVED),
        )
    )
    if day is not None:
        query = query.where(FollowUp.due_on < day.day)
    return query.correlate(delegated_agent).scalar_subquery()


def roster_columns(day: ExportDay) -> tuple[BookColumn, ...]:
    return (
        BookColumn("A", "First Name", T, delegated_agent.first_name, 14),
        BookColumn("B", "Last Name", T, delegated_agent.last_name, 16),
        BookColumn("C", "License Number", T, delegated_agent.license_number, 14),
        BookColumn("D", "Role", T, case(ROLE_NAMES, value=delegated_agent.role), 20),
        BookColumn("E", "Email", T, delegated_agent.email, 28),
        BookColumn("F", "Active", T, case((delegated_agent.active, literal("Y")), else_="N"), 8),
        BookColumn(
            "G",
            "Slack",
            T,
            case((delegated_agent.slack_user_id.is_(None), literal("Not linked")), else_="Linked"),
            11,
        ),
        BookColumn("H", "Book Size", N, _book_size(), 10),
        BookColumn("I", "Open Follow-ups", N, _follow_ups(None), 10),
        BookColumn("J", "Overdue Follow-ups", N, _follow_ups(day), 10),
    )


def roster_query(scope: Sequence[ColumnElement[bool]], day: ExportDay) -> Select[*tuple[Any, ...]]:
    """Every enroller of the scope (its agency), by last name, first name and license."""
    columns = (column.expression for column in roster_columns(day))
    return (
        select(*columns)
        .select_from(delegated_agent)
        .where(*scope)
        .order_by(delegated_agent.last_name, delegated_agent.first_name, delegated_agent.license_number)
    )


def roster_count(scope: Sequence[ColumnElement[bool]], day: ExportDay) -> Select[*tuple[Any, ...]]:
    return select(func.count()).select_from(delegated_agent).where(*scope)
