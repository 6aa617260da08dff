"""HealthSherpa's clients (agent) or enrollments (agency) CSV export, by its snake_case headers.

One row is one application: ``ffm_app_id`` is bob's case number. bob keeps the consumer's
name and contact, the health enrollment of the plan year the policy takes effect, the
agent of record as an active delegation, and the outstanding DMI and SVI counts as open
"action requested" flags (each count reconciles only the flags it raised, so a Book of
Business import and a HealthSherpa import do not undo each other). Columns bob does not
model are ignored. HealthSherpa masks SSN, date of birth and income with asterisks: those
cells are unknown. A blank cell is also unknown here: the export leaves out what it does
not hold, which is not the same as the consumer having none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.importers.calheers import AGENT
from store.importers.cases import CASE_TABLES, CaseLabels, apply_cases
from store.importers.cells import MASKED, choice, count, parse_cents, parse_date, text
from store.importers.columns import (
    Column,
    RowReader,
    known,
    reject,
    require_headers,
    unknown_headers,
)
from store.importers.context import agency_context
from store.importers.records import (
    CaseRecord,
    DelegationFacts,
    EnrollmentFacts,
    FlagCount,
    ImportSummary,
)
from store.importers.rejects import RejectsFile, rejects_path_for
from store.importers.runner import Plan, Progress, run_plan
from store.importers.sources import open_table
from store.models import (
    Agency,
    Coverage,
    DelegationStatus,
    Enroller,
    EnrollmentStatus,
    FlagKind,
    Program,
)

DMI_DETAIL = "HealthSherpa DMI"
SVI_DETAIL = "HealthSherpa SVI"
NOT_AN_EXPORT = "{name} does not look like a HealthSherpa clients export: its header lacks {missing}"
LICENSE = re.compile(r"^[A-Za-z0-9-]{1,32}$")

POLICY_STATUS = choice(
    {
        "Effectuated": EnrollmentStatus.EFFECTUATED,
        "Pending Effectuation": EnrollmentStatus.PENDING,
        "PendingEffectuation": EnrollmentStatus.PENDING,
        "Pending": EnrollmentStatus.PENDING,
        "Submitted": EnrollmentStatus.PENDING,
        "Cancelled": EnrollmentStatus.CANCELED,
        "Canceled": EnrollmentStatus.CANCELED,
        "Terminated": EnrollmentStatus.TERMINATED,
    }
)

COLUMNS: tuple[Column, ...] = (
    Column("ffm_app_id", text(32), required=True),
    Column("first_name", text(100)),
    Column("last_name", text(100)),
    Column("date_of_birth", parse_date),
    Column("phone", text(32)),
    Column("email", text(254)),
    Column("preferred_language", text(40)),
    Column("household_size", count(1, 99)),
    Column("household_income", parse_cents),
    Column("issuer", text(100)),
    Column("plan_name", text(200)),
    Column("metal_level", text(40)),
    Column("policy_status", POLICY_STATUS),
    Column("effective_date", parse_date),
    Column("gross_premium", parse_cents),
    Column("net_premium", parse_cents),
    Column("policy_aor", text(200)),
    Column("dmi_outstanding_count", count(0, 99)),
    Column("svi_outstanding_count", count(0, 99)),
)
REQUIRED_HEADERS = ("ffm_app_id", "first_name", "last_name")
LABELS = CaseLabels(
    case_number="ffm_app_id",
    names="first_name",
    delegation="policy_aor",
    enrollment="effective_date",
)

CONSUMER = (
    ("first_name", "first_name"), ("last_name", "last_name"), ("date_of_birth", "date_of_birth"),
    ("phone", "primary_phone"), ("email", "email"), ("preferred_language", "spoken_language"),
    ("household_size", "household_size"), ("household_income", "annual_income_cents"),
)  # fmt: skip
HEALTH = (
    ("issuer", "carrier"), ("plan_name", "plan_name"), ("metal_level", "metal_tier"),
    ("policy_status", "status"), ("effective_date", "start_date"),
    ("gross_premium", "gross_premium_cents"), ("net_premium", "net_premium_cents"),
)  # fmt: skip
OUTSTANDING = (("dmi_outstanding_count", DMI_DETAIL), ("svi_outstanding_count", SVI_DETAIL))


class AgentOfRecord:
    """Finds the enroller named in ``policy_aor``: by license number, "First Last (License
    X)", or a name that exactly one enroller of the agency has."""

    def __init__(self, sessions: sessionmaker[Session], agency_code: str) -> None:
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.licenses: set[str] = set()
        with sessions() as session:
            for first, last, license_number in session.execute(
                select(Enroller.first_name, Enroller.last_name, Enroller.license_number)
                .join(Agency, Agency.id == Enroller.agency_id)
                .where(Agency.code == agency_code)
            ):
                self.by_name[f"{first} {last}".casefold()].append(license_number)
                self.licenses.add(license_number.upper())

    def license_for(self, number: int, value: str) -> str:
        match = AGENT.match(value)
        if match:
            return match["license"].upper()
        if LICENSE.match(value) and value.upper() in self.licenses:
            return value.upper()
        found = self.by_name.get(" ".join(value.split()).casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise reject(number, "policy_aor", "several enrollers have this name; give the license")
        if LICENSE.match(value):
            return value.upper()  # an unknown license is reported by the chunk writer
        raise reject(number, "policy_aor", "no enroller of the agency has this name")


def map_row(reader: RowReader, agents: AgentOfRecord, number: int, cells: list[Any]) -> CaseRecord:
    values = reader.read(number, cells)
    record = CaseRecord(number, values["ffm_app_id"])
    known(values, record.consumer, CONSUMER)
    effective = values.get("effective_date", MASKED)
    if any(values.get(header, MASKED) is not MASKED for header, _ in HEALTH):
        if effective is MASKED:
            raise reject(number, "effective_date", "required to place the policy in a plan year")
        facts = EnrollmentFacts(effective.year, Coverage.HEALTH, {"program": Program.COVERED_CALIFORNIA})
        known(values, facts.fields, HEALTH)
        gross, net = values.get("gross_premium", MASKED), values.get("net_premium", MASKED)
        if gross is not MASKED and net is not MASKED:
            facts.fields["aptc_cents"] = gross - net
        record.enrollments.append(facts)
    for header, detail in OUTSTANDING:
        open_count = values.get(header, MASKED)
        if open_count is not MASKED:
            record.flag_counts.append(
                FlagCount(FlagKind.ACTION_REQUESTED, open_count, detail=detail, raise_detail=detail)
            )
    aor = values.get("policy_aor", MASKED)
    if aor is not MASKED:
        license_number = agents.license_for(number, aor)
        record.delegations.append(
            DelegationFacts(number, license_number, DelegationStatus.ACTIVE, knows_date=False)
        )
        record.delegations_complete = True
    return record


def reader_for(header: Sequence[str]) -> RowReader:
    return RowReader.for_header(header, COLUMNS, blank_is_unknown=True)


def import_healthsherpa(
    path: Path,
    sessions: sessionmaker[Session],
    agency_code: str,
    progress: Progress | None = None,
    now: datetime | None = None,
    as_of: date | datetime | None = None,
) -> ImportSummary:
    """Load a HealthSherpa clients or enrollments CSV export into one agency; facts it does
    not date are as of ``as_of``, else as of the import."""
    ctx = agency_context(sessions, agency_code, now, as_of=as_of)
    with open_table(path) as table:
        require_headers(table, REQUIRED_HEADERS, NOT_AN_EXPORT)
        agents = AgentOfRecord(sessions, agency_code)
        plan: Plan[CaseRecord] = Plan(
            map_row=partial(map_row, reader_for(table.header), agents),
            key_of=lambda record: record.case_number,
            key_column="ffm_app_id",
            write_chunk=lambda session, chunk: apply_cases(session, chunk, ctx, LABELS),
            tables=CASE_TABLES,
        )
        summary = ImportSummary(table.name, ignored_columns=unknown_headers(table.header, COLUMNS))
        summary.as_of = ctx.describe_as_of()
        with RejectsFile(rejects_path_for(path)) as rejects:
            return run_plan(plan, plan.records(table.rows), sessions, rejects, summary, progress)
