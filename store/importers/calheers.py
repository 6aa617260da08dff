"""The CalHEERS Book of Business workbook (48 columns A–AV), the chart bob also exports.

One row is one consumer case: the consumer, the health and dental enrollment of the plan
year in column Z (both plans of a row are of that year; see docs/data-dictionary.md), the
consent, the counts of open flags, the last NOD notice and the delegation to the
agent in column AV, "First Last (License 0A12345)". A blank cell is known to be empty (the
portal leaves a cell blank where the information does not apply); a cell with asterisks
was masked on export and is unknown, so it never overwrites what the store holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from store.importers.cases import CASE_TABLES, CaseLabels, apply_cases
from store.importers.cells import (
    MASKED,
    CellError,
    choice,
    count,
    enum_choice,
    parse_cents,
    parse_date,
    percent,
    text,
    yes_no,
)
from store.importers.columns import (
    Column,
    RowReader,
    RowRejected,
    known,
    reject,
    require_headers,
    unknown_headers,
)
from store.importers.context import agency_context, book_friday
from store.importers.records import (
    CaseRecord,
    DelegationFacts,
    EnrollmentFacts,
    FlagCount,
    ImportSummary,
    Reject,
)
from store.importers.rejects import RejectsFile, rejects_path_for
from store.importers.runner import Plan, Progress, mapped_rows, run_plan
from store.importers.sources import open_table
from store.importers.worker import in_worker
from store.models import Coverage, DelegationStatus, EnrollmentStatus, FlagKind, NoticeKind, Program

RAISED_BY = "CalHEERS Book of Business"
WORKER_MIN_BYTES = 1_000_000  # ~12k rows; below it, starting a process costs more than it saves
NOT_A_BOOK = (
    "{name} does not look like a Book of Business: its first row lacks {missing}; "
    "the columns are listed in docs/data-dictionary.md"
)
AGENT = re.compile(r"^(?P<name>[^()]*?)\s*\(\s*License\s+(?P<license>[A-Za-z0-9-]{1,32})\s*\)$")


def ssn(raw: Any) -> str:
    digits = "".join(filter(str.isdigit, str(raw)))
    if len(digits) != 9 or len(str(raw).strip()) > 11:
        raise CellError("not a 9-digit SSN such as 900-12-3456")
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def delegated_agent(raw: Any) -> str:
    """The license number out of "First Last (License 0A12345)": the license is the key."""
    match = AGENT.match(str(raw).strip())
    if match is None:
        raise CellError('not "First Last (License 0A12345)"')
    return match["license"].upper()


ENROLLMENT_STATUS = choice({**{s.value: s for s in EnrollmentStatus}, "cancelled": EnrollmentStatus.CANCELED})
BINDER = choice({"paid": True, "pending": False, "unpaid": False})
DELEGATION_STATUS = choice({"Active": DelegationStatus.ACTIVE, "Pending": DelegationStatus.PENDING})

COLUMNS: tuple[Column, ...] = (
    Column("Case Number", text(32), required=True),
    Column("First Name", text(100)),
    Column("Last Name", text(100)),
    Column("Date of Birth", parse_date),
    Column("SSN", ssn),
    Column("Email", text(254)),
    Column("Primary Phone", text(32)),
    Column("Secondary Phone", text(32)),
    Column("Preferred Written Language", text(40)),
    Column("Preferred Spoken Language", text(40)),
    Column("Home Address Line 1", text(200)),
    Column("Home Address Line 2", text(200)),
    Column("City", text(100)),
    Column("State", text(2)),
    Column("ZIP Code", text(10)),
    Column("County", text(60)),
    Column("Mailing Address", text(300)),
    Column("Household Size", count(1, 99)),
    Column("Annual Household Income", parse_cents),
    Column("FPL %", percent),
    Column("Program", enum_choice(Program)),
    Column("Application Status", text(40)),
    Column("Eligibility Status", text(40)),
    Column("Medi-Cal Status", text(40)),
    Column("Medi-Cal Renewal Date", parse_date),
    Column("Plan Year", count(2000, 2100)),
    Column("Health Carrier", text(100)),
    Column("Health Plan Name", text(200)),
    Column("Metal Tier", text(40)),
    Column("Health Enrollment Status", ENROLLMENT_STATUS),
    Column("Health Coverage Start Date", parse_date),
    Column("Health Coverage End Date", parse_date),
    Column("Gross Premium", parse_cents),
    Column("APTC Amount", parse_cents),
    Column("Net Premium", parse_cents),
    Column("CSR Level", text(40)),
    Column("Binder Payment Status", BINDER),
    Column("Dental Carrier", text(100)),
    Column("Dental Plan Name", text(200)),
    Column("Dental Enrollment Status", ENROLLMENT_STATUS),
    Column("Consent for Verification Valid Thru", parse_date),
    Column("Open Actions Requested", count(0, 99)),
    Column("Pending Enrollment Updates", count(0, 99)),
    Column("Medicare Aged Out", yes_no),
    Column("Last NOD Notice Date", parse_date),
    Column("Delegation Status", DELEGATION_STATUS),
    Column("Delegation Date", parse_date),
    Column("Delegated Agent", delegated_agent),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
REQUIRED_HEADERS = ("Case Number", "First Name", "Last Name")
LABELS = CaseLabels(
    case_number="Case Number",
    names="First Name",
    delegation="Delegated Agent",
    enrollment="Plan Year",
)

CONSUMER = (
    ("First Name", "first_name"), ("Last Name", "last_name"), ("Date of Birth", "date_of_birth"),
    ("SSN", "ssn"), ("Email", "email"), ("Primary Phone", "primary_phone"),
    ("Secondary Phone", "secondary_phone"), ("Preferred Written Language", "written_language"),
    ("Preferred Spoken Language", "spoken_language"), ("Home Address Line 1", "address_line1"),
    ("Home Address Line 2", "address_line2"), ("City", "city"), ("State", "state"),
    ("ZIP Code", "zip_code"), ("County", "county"), ("Mailing Address", "mailing_address"),
    ("Household Size", "household_size"), ("Annual Household Income", "annual_income_cents"),
    ("FPL %", "fpl_percent"), ("Application Status", "application_status"),
    ("Eligibility Status", "eligibility_status"), ("Medi-Cal Status", "medi_cal_status"),
    ("Medi-Cal Renewal Date", "medi_cal_renewal_date"),
)  # fmt: skip
HEALTH = (
    ("Program", "program"), ("Health Carrier", "carrier"), ("Health Plan Name", "plan_name"),
    ("Metal Tier", "metal_tier"), ("Health Enrollment Status", "status"),
    ("Health Coverage Start Date", "start_date"), ("Health Coverage End Date", "end_date"),
    ("Gross Premium", "gross_premium_cents"), ("APTC Amount", "aptc_cents"),
    ("Net Premium", "net_premium_cents"), ("CSR Level", "csr_level"),
    ("Binder Payment Status", "binder_paid"),
)  # fmt: skip
DENTAL = (
    ("Program", "program"), ("Dental Carrier", "carrier"), ("Dental Plan Name", "plan_name"),
    ("Dental Enrollment Status", "status"),
)  # fmt: skip
# The columns that belong to each coverage alone (Program is shared).
OWN_HEADERS = {
    Coverage.HEALTH: tuple(header for header, _ in HEALTH[1:]),
    Coverage.DENTAL: tuple(header for header, _ in DENTAL[1:]),
}
FLAG_COUNTS = (
    ("Open Actions Requested", FlagKind.ACTION_REQUESTED),
    ("Pending Enrollment Updates", FlagKind.ENROLLMENT_UPDATE_PENDING),
)


def reader_for(header: Sequence[str]) -> RowReader:
    return RowReader.for_header(header, COLUMNS)


def _enrollment(
    number: int, values: dict[str, Any], coverage: Coverage, pairs: tuple[tuple[str, str], ...]
) -> EnrollmentFacts | None:
    """The row's enrollment of this coverage, if any of its own columns says there is one."""
    if {*map(values.get, OWN_HEADERS[coverage])} <= {None}:
        return None
    year = values.get("Plan Year")
    if year is None or year is MASKED:
        raise reject(number, "Plan Year", f"a plan year is required with a {coverage.value} plan")
    facts = EnrollmentFacts(year, coverage)
    known(values, facts.fields, pairs)
    return facts


def map_row(reader: RowReader, number: int, cells: list[Any]) -> CaseRecord:
    return case_record(number, reader.read(number, cells))


def read_book(path: Path, password: str | None) -> Iterator[tuple[int, dict[str, Any]] | Reject]:
    """Each row's cells read by column, or why they cannot be: the part of the import that
    runs in a worker process for a large book (its output pickles cheaply)."""
    with open_table(path, password) as table:
        reader = reader_for(table.header)
        for row in table.rows:
            if isinstance(row, Reject):
                yield row
                continue
            number, cells = row
            try:
                yield number, reader.read(number, cells)
            except RowRejected as rejected:
                yield rejected.reject


def _plans(number: int, values: dict[str, Any]) -> list[EnrollmentFacts]:
    """The row's health and dental plans, both of the row's plan year. Program (U) is the
    health plan's when the row has one: for a dental plan beside it, it only fills in a new
    dental plan's program, and never overwrites a stored one."""
    plans = []
    for coverage, pairs in ((Coverage.HEALTH, HEALTH), (Coverage.DENTAL, DENTAL)):
        facts = _enrollment(number, values, coverage, pairs)
        if facts is not None:
            plans.append(facts)
    if len(plans) == 2:
        dental = plans[1]
        dental.new_only["program"] = dental.fields.pop("program", None)
    return plans


def case_record(number: int, values: dict[str, Any]) -> CaseRecord:
    record = CaseRecord(number, values["Case Number"])
    known(values, record.consumer, CONSUMER)
    record.enrollments = _plans(number, values)
    consent = values.get("Consent for Verification Valid Thru")
    if consent is not None and consent is not MASKED:
        record.consent_valid_thru = consent
    notice = values.get("Last NOD Notice Date")
    if notice is not None and notice is not MASKED:
        record.notices.append((NoticeKind.NOD, notice))
    for header, kind in FLAG_COUNTS:
        if header in values and values[header] is not MASKED:
            record.flag_counts.append(FlagCount(kind, values[header] or 0, raise_detail=RAISED_BY))
    aged_out = values.get("Medicare Aged Out", MASKED)
    if aged_out is not MASKED:
        record.flag_counts.append(
            FlagCount(FlagKind.MEDICARE_AGED_OUT, int(bool(aged_out)), raise_detail=RAISED_BY)
        )
    license_number = values.get("Delegated Agent")
    if license_number is not None and license_number is not MASKED:
        status = values.get("Delegation Status")
        if status is None or status is MASKED:
            raise reject(number, "Delegation Status", "required with a delegated agent")
        day = values.get("Delegation Date", MASKED)
        record.delegations.append(
            DelegationFacts(
                number,
                license_number,
                status,
                None if day is MASKED else day,
                knows_date=day is not MASKED,
            )
        )
    record.delegations_complete = True
    return record


def merge_rows(first: CaseRecord, later: CaseRecord) -> None:
    """A case delegated to two agents fills two adjacent rows; the first one carries the
    consumer's data, each carries one delegation."""
    first.delegations.extend(later.delegations)


def import_calheers(
    path: Path,
    sessions: sessionmaker[Session],
    agency_code: str,
    password: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    as_of: date | datetime | None = None,
) -> ImportSummary:
    """Load a Book of Business workbook (or the same chart saved as CSV) into one agency.

    Facts the book does not date are as of ``as_of``; else as of what a bob-made workbook's
    About sheet states; else as of the Friday 21:00 Pacific the portal's book describes."""
    ctx = agency_context(sessions, agency_code, now, as_of=as_of)
    with open_table(path, password) as table:
        ctx = ctx.given(table.as_of, "the workbook's About sheet")
        ctx = ctx.given(book_friday(ctx.now), "the Book of Business's Friday 21:00 Pacific")
        require_headers(table, REQUIRED_HEADERS, NOT_A_BOOK)
        reader = reader_for(table.header)
        plan: Plan[CaseRecord] = Plan(
            map_row=partial(map_row, reader),
            key_of=lambda record: record.case_number,
            key_column="Case Number",
            merge=merge_rows,
            write_chunk=lambda session, chunk: apply_cases(session, chunk, ctx, LABELS),
            tables=CASE_TABLES,
        )
        summary = ImportSummary(table.name, ignored_columns=unknown_headers(table.header, COLUMNS))
        summary.as_of = ctx.describe_as_of()
        # A large book is read in a second process while this one maps and writes.
        records = (
            mapped_rows(case_record, in_worker(read_book, path, password))
            if path.stat().st_size >= WORKER_MIN_BYTES
            else plan.records(table.rows)
        )
        with RejectsFile(rejects_path_for(path)) as rejects:
            return run_plan(plan, records, sessions, rejects, summary, progress)
