"""The Book of Business columns A–AV as data, and the one set-based query that reads them.

Each :class:`BookColumn` names its letter, header, kind and the SQL expression that yields
its value, so the workbook, the masking and the weekly snapshot all read the same list.

Which enrollments fill the plan columns: a consumer can hold several health and dental
enrollments over the years. The row's Plan Year (Z) is the consumer's **latest plan year**
of either coverage; the health columns (AA–AK) show the health plan of that year and the
dental columns (AL–AN) the dental plan of that same year, each blank when the consumer has
none of that coverage that year (within a year, the one whose status changed most recently,
ties broken by the newest row). Program (U) is the health plan's, else the dental plan's.
So a row never pairs plans of two years, and importing the book back
(:mod:`store.importers.calheers`) reads every plan column as of Z's year: the round trip
changes nothing. Older plans are history.

The query joins each delegation (active or pending) to its consumer and delegated agent;
the current health and dental enrollments are picked by correlated ``LIMIT 1`` subqueries
in the join condition, and flag counts, consent and notice dates by correlated aggregates,
so the database answers everything in one pass and Python only streams the result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, select
from sqlalchemy.orm import QueryableAttribute, aliased

from store.models import (
    Consent,
    Consumer,
    ConsumerFlag,
    Coverage,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
    Notice,
    NoticeKind,
)
from store.models.cases import IN_BOOK


class Kind(enum.StrEnum):
    """How a value is written to its cell."""

    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    CURRENCY = "currency"  # read from the store in whole cents
    PERCENT = "percent"  # read as whole percent points (250 means 250%)
    DECIMAL = "decimal"  # a measure such as an average, shown with one decimal


@dataclass(frozen=True)
class BookColumn:
    letter: str
    header: str
    kind: Kind
    expression: ColumnElement[Any] | QueryableAttribute[Any]
    width: float
    pii: bool = False
    maskable: bool = False


BOOK_STATUSES = IN_BOOK

health = aliased(Enrollment, name="health")
dental = aliased(Enrollment, name="dental")
delegated_agent = aliased(Enroller, name="delegated_agent")


def _latest_plan_year() -> Any:
    """The consumer's latest plan year of any coverage: the year of the row's plans."""
    any_plan = aliased(Enrollment)
    return (
        select(func.max(any_plan.plan_year))
        .where(any_plan.consumer_id == Consumer.id)
        .correlate(Consumer)
        .scalar_subquery()
    )


def _current_enrollment_id(coverage: Coverage) -> Any:
    """The id of the consumer's enrollment of one coverage in the row's plan year (see
    module docstring)."""
    candidate = aliased(Enrollment)
    return (
        select(candidate.id)
        .where(
            candidate.consumer_id == Consumer.id,
            candidate.coverage == coverage,
            candidate.plan_year == _latest_plan_year(),
        )
        .order_by(candidate.status_changed_at.desc(), candidate.id.desc())
        .limit(1)
        .correlate(Consumer)
        .scalar_subquery()
    )


def _open_flags(kind: FlagKind) -> Any:
    return (
        select(func.count(ConsumerFlag.id))
        .where(
            ConsumerFlag.consumer_id == Consumer.id,
            ConsumerFlag.kind == kind,
            ConsumerFlag.resolved_at.is_(None),
        )
        .correlate(Consumer)
        .scalar_subquery()
    )


def _yes_no(condition: ColumnElement[bool]) -> ColumnElement[str]:
    return case((condition, literal("Y")), else_=literal("N"))


_ENROLLMENT_STATUS = {
    EnrollmentStatus.PENDING: "Pending",
    EnrollmentStatus.EFFECTUATED: "Effectuated",
    EnrollmentStatus.CANCELED: "Canceled",
    EnrollmentStatus.TERMINATED: "Terminated",
}


def _enrollment_status(enrollment: Any) -> ColumnElement[str]:
    return case(_ENROLLMENT_STATUS, value=enrollment.status)


_latest_consent = (
    select(func.max(Consent.valid_thru))
    .where(Consent.consumer_id == Consumer.id)
    .correlate(Consumer)
    .scalar_subquery()
)
_last_nod = (
    select(func.max(Notice.notice_date))
    .where(Notice.consumer_id == Consumer.id, Notice.kind == NoticeKind.NOD)
    .correlate(Consumer)
    .scalar_subquery()
)
_medicare_aged_out = exists().where(
    ConsumerFlag.consumer_id == Consumer.id,
    ConsumerFlag.kind == FlagKind.MEDICARE_AGED_OUT,
    ConsumerFlag.resolved_at.is_(None),
)

T, D, N, C, P = Kind.TEXT, Kind.DATE, Kind.INTEGER, Kind.CURRENCY, Kind.PERCENT

COLUMNS: tuple[BookColumn, ...] = (
    BookColumn("A", "Case Number", T, Consumer.case_number, 14),
    BookColumn("B", "First Name", T, Consumer.first_name, 14, pii=True),
    BookColumn("C", "Last Name", T, Consumer.last_name, 16, pii=True),
    BookColumn("D", "Date of Birth", D, Consumer.date_of_birth, 13, pii=True, maskable=True),
    BookColumn("E", "SSN", T, Consumer.ssn, 13, pii=True, maskable=True),
    BookColumn("F", "Email", T, Consumer.email, 28, pii=True),
    BookColumn("G", "Primary Phone", T, Consumer.primary_phone, 16, pii=True),
    BookColumn("H", "Secondary Phone", T, Consumer.secondary_phone, 16, pii=True),
    BookColumn("I", "Preferred Written Language", T, Consumer.written_language, 14),
    BookColumn("J", "Preferred Spoken Language", T, Consumer.spoken_language, 14),
    BookColumn("K", "Home Address Line 1", T, Consumer.address_line1, 28, pii=True),
    BookColumn("L", "Home Address Line 2", T, Consumer.address_line2, 16, pii=True),
    BookColumn("M", "City", T, Consumer.city, 16),
    BookColumn("N", "State", T, Consumer.state, 7),
    BookColumn("O", "ZIP Code", T, Consumer.zip_code, 10),
    BookColumn("P", "County", T, Consumer.county, 16),
    BookColumn("Q", "Mailing Address", T, Consumer.mailing_address, 36, pii=True),
    BookColumn("R", "Household Size", N, Consumer.household_size, 10),
    BookColumn(
        "S",
        "Annual Household Income",
        C,
        Consumer.annual_income_cents,
        14,
        pii=True,
        maskable=True,
    ),
    BookColumn("T", "FPL %", P, Consumer.fpl_percent, 8),
    BookColumn("U", "Program", T, func.coalesce(health.program, dental.program), 20),
    BookColumn("V", "Application Status", T, Consumer.application_status, 16),
    BookColumn("W", "Eligibility Status", T, Consumer.eligibility_status, 16),
    BookColumn("X", "Medi-Cal Status", T, Consumer.medi_cal_status, 16),
    BookColumn("Y", "Medi-Cal Renewal Date", D, Consumer.medi_cal_renewal_date, 13),
    BookColumn("Z", "Plan Year", N, func.coalesce(health.plan_year, dental.plan_year), 9),
    BookColumn("AA", "Health Carrier", T, health.carrier, 20),
    BookColumn("AB", "Health Plan Name", T, health.plan_name, 30),
    BookColumn("AC", "Metal Tier", T, health.metal_tier, 12),
    BookColumn("AD", "Health Enrollment Status", T, _enrollment_status(health), 14),
    BookColumn("AE", "Health Coverage Start Date", D, health.start_date, 13),
    BookColumn("AF", "Health Coverage End Date", D, health.end_date, 13),
    BookColumn("AG", "Gross Premium", C, health.gross_premium_cents, 12),
    BookColumn("AH", "APTC Amount", C, health.aptc_cents, 12),
    BookColumn("AI", "Net Premium", C, health.net_premium_cents, 12),
    BookColumn("AJ", "CSR Level", T, health.csr_level, 12),
    BookColumn(
        "AK",
        "Binder Payment Status",
        T,
        case((health.id.is_(None), None), (health.binder_paid, "Paid"), else_="Pending"),
        12,
    ),
    BookColumn("AL", "Dental Carrier", T, dental.carrier, 20),
    BookColumn("AM", "Dental Plan Name", T, dental.plan_name, 26),
    BookColumn("AN", "Dental Enrollment Status", T, _enrollment_status(dental), 14),
    BookColumn("AO", "Consent for Verification Valid Thru", D, _latest_consent, 13),
    BookColumn("AP", "Open Actions Requested", N, _open_flags(FlagKind.ACTION_REQUESTED), 10),
    BookColumn("AQ", "Pending Enrollment Updates", N, _open_flags(FlagKind.ENROLLMENT_UPDATE_PENDING), 10),
    BookColumn("AR", "Medicare Aged Out", T, _yes_no(_medicare_aged_out), 10),
    BookColumn("AS", "Last NOD Notice Date", D, _last_nod, 13),
    BookColumn(
        "AT",
        "Delegation Status",
        T,
        case(
            {DelegationStatus.ACTIVE: "Active", DelegationStatus.PENDING: "Pending"}, value=Delegation.status
        ),
        11,
    ),
    BookColumn("AU", "Delegation Date", D, Delegation.delegated_on, 13),
    BookColumn(
        "AV",
        "Delegated Agent",
        T,
        delegated_agent.first_name
        + " "
        + delegated_agent.last_name
        + " (License "
        + delegated_agent.license_number
        + ")",
        34,
    ),
)

LETTERS = tuple(column.letter for column in COLUMNS)
HEADERS = tuple(column.header for column in COLUMNS)
KINDS = tuple(column.kind for column in COLUMNS)
# The columns compared by the "Changed since last snapshot" sheet.
STATUS_COLUMNS = tuple(i for i, column in enumerate(COLUMNS) if column.header.endswith("Status"))
CASE_NUMBER = LETTERS.index("A")
DELEGATED_AGENT = LETTERS.index("AV")


def book_query(*scope: ColumnElement[bool]) -> Select[Any]:
    """Every book row passing ``scope``, ordered by case number then delegated agent.

    Each row is ``(consumer_id, enroller_id, value A, …, value AV)``. ``scope`` filters on
    :data:`delegated_agent` (e.g. its ``agency_id``) or :class:`Delegation`.
    """
    return (
        select(Consumer.id, delegated_agent.id, *(column.expression for column in COLUMNS))
        .select_from(Delegation)
        .join(Consumer, Consumer.id == Delegation.consumer_id)
        .join(delegated_agent, delegated_agent.id == Delegation.enroller_id)
        .outerjoin(health, health.id == _current_enrollment_id(Coverage.HEALTH))
        .outerjoin(dental, dental.id == _current_enrollment_id(Coverage.DENTAL))
        .where(Delegation.status.in_(BOOK_STATUSES), *scope)
        .order_by(Consumer.case_number, delegated_agent.id)
    )


def book_count(*scope: ColumnElement[bool]) -> Select[Any]:
    """How many rows :func:`book_query` would return for ``scope``, without reading them."""
    return (
        select(func.count())
        .select_from(Delegation)
        .join(delegated_agent, delegated_agent.id == Delegation.enroller_id)
        .where(Delegation.status.in_(BOOK_STATUSES), *scope)
    )


def agent_scope(enroller_id: int) -> tuple[ColumnElement[bool], ...]:
    return (Delegation.enroller_id == enroller_id,)


def agency_scope(agency_id: int) -> tuple[ColumnElement[bool], ...]:
    return (delegated_agent.agency_id == agency_id,)
