"""What a CRW case looks like to its readers: list rows, the full case, a manager's activity line.

Rows name the assignee and carry the case number, risk and reason, never consumer PII;
only :class:`CrwCaseDetail` holds the consumer's contact details, and only for the assignee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from rules.casework.json_fields import json_fields
from rules.crw import RISK_LABELS
from store.models import CrwCase, Enroller
from store.models.people import display_name


@dataclass(frozen=True)
class CrwCaseRow:
    """One case as a list shows it: safe for channels, no consumer PII."""

    case_number: str
    risk: int
    risk_label: str
    reason: str
    status: str
    age_days: int
    assignee: str

    def as_dict(self) -> dict[str, Any]:
        return json_fields(self)


@dataclass(frozen=True)
class CrwCaseDetail(CrwCaseRow):
    """One case in full; ``contact`` is filled only for the assigned enroller."""

    plan_year: int
    opened_at: datetime
    closed_at: datetime | None
    resolution_reason: str | None
    resolution_steps: str | None
    contact: dict[str, str | None] | None
    notes: list[dict[str, Any]]


@dataclass(frozen=True)
class EnrollerActivity:
    """One line of the manager's agency view."""

    enroller: str
    open_cases: int
    closed_cases: int
    average_resolution_days: float | None
    notes_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return json_fields(self)


def age_days(opened_at: datetime, closed_at: datetime | None, now: datetime) -> int:
    """Whole days open: until closing for a closed case, until ``now`` otherwise."""
    return max(0, ((closed_at or now) - opened_at).days)


def case_rows_query(now: datetime) -> Select[*tuple[Any, ...]]:
    """Case number, risk, reason, status, times and assignee: every column a list shows."""
    return (
        select(
            CrwCase.case_number,
            CrwCase.risk,
            CrwCase.reason,
            CrwCase.status,
            CrwCase.opened_at,
            CrwCase.closed_at,
            Enroller.first_name,
            Enroller.last_name,
            Enroller.license_number,
        )
        .join(Enroller, Enroller.id == CrwCase.assigned_enroller_id)
        .where(CrwCase.opened_at <= now)
        .order_by(CrwCase.risk.desc(), CrwCase.opened_at, CrwCase.case_number)
    )


def case_row(row: Any, now: datetime) -> CrwCaseRow:
    return CrwCaseRow(
        row.case_number,
        row.risk,
        RISK_LABELS[row.risk],
        row.reason,
        str(row.status),
        age_days(row.opened_at, row.closed_at, now),
        display_name(row.first_name, row.last_name, row.license_number),
    )
