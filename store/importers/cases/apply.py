"""Writing a chunk of :class:`CaseRecord` into the store, set-based and idempotent.

Each chunk is one transaction. Everything the chunk needs is loaded with one query per
table (consumers by case number, then their enrollments, delegations, consents, notices
and flags by consumer id); the differences are worked out in Python over that small set,
and written back with one executemany per kind of change. A record that changes nothing
writes nothing, so importing the same file twice leaves the store as it was.

Natural keys (the schema has no unique index for most of them):
consumer = case number; enrollment = (consumer, plan year, coverage); delegation =
(consumer, enroller); consent = (consumer, valid thru); notice = (consumer, kind, date);
flag row = (consumer, kind, raised date, detail). Counted flags (the Book of Business and
HealthSherpa give counts, not rows) are reconciled: missing ones are raised, surplus open
ones resolved, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from store.history import record_history
from store.importers.cases.chunk import CaseChunk, RowOutcomes
from store.importers.cases.consumers import write_consumers
from store.importers.cases.dated_facts import write_dated_facts
from store.importers.cases.delegations import write_delegations
from store.importers.cases.enrollments import ENROLLMENT_REQUIRED, write_enrollments
from store.importers.cases.flags import write_flags
from store.importers.context import ImportContext
from store.importers.records import CaseRecord, Reject


@dataclass(frozen=True)
class CaseLabels:
    """The source's column names, so a reject points at the column the user sees."""

    case_number: str
    names: str
    delegation: str
    enrollment: str


def _problem(record: CaseRecord, chunk: CaseChunk, labels: CaseLabels) -> Reject | None:
    """Why the record cannot be loaded at all, checked before anything is written."""
    ctx, stored = chunk.ctx, chunk.consumers.get(record.case_number)
    if stored is None:
        if not record.may_create:
            return Reject(record.row, labels.case_number, "unknown case number; load the consumer first")
        if not record.consumer.get("first_name") or not record.consumer.get("last_name"):
            return Reject(record.row, labels.names, "first and last name are required for a new case")
    elif ctx.agency_id is not None:
        agencies = chunk.agencies.get(stored["id"], set())
        if agencies and ctx.agency_id not in agencies:
            return Reject(record.row, labels.case_number, "the case is on another agency's book")
    for delegation in record.delegations:
        enroller = chunk.enrollers.get(delegation.license_number)
        if enroller is None:
            return Reject(
                delegation.row,
                labels.delegation,
                "no enroller has this license number; load the enroller first",
            )
        if ctx.agency_id is not None and enroller[1] != ctx.agency_id:
            return Reject(delegation.row, labels.delegation, "the enroller is in another agency")
    for column, value in record.dated_facts():
        if ctx.is_future(value):
            return Reject(record.row, column, f"dated after the file's as-of ({ctx.describe_as_of()})")
    for facts in record.enrollments:
        known = (
            stored is not None and (stored["id"], facts.plan_year, facts.coverage.value) in chunk.enrollments
        )
        given = {**facts.new_only, **facts.fields}
        missing = [name for name in ENROLLMENT_REQUIRED if given.get(name) is None]
        if not known and missing:
            return Reject(
                record.row, labels.enrollment,
                f"a new {facts.coverage.value} enrollment needs {' and '.join(missing)}",
            )  # fmt: skip
    return None


def apply_cases(
    session: Session, records: list[CaseRecord], ctx: ImportContext, labels: CaseLabels
) -> tuple[list[tuple[CaseRecord, str]], list[Reject]]:
    """Load one chunk; returns each record with its outcome, and the reasons for rejects."""
    chunk = CaseChunk(session, records, ctx)
    rejects: list[Reject] = []
    accepted: list[CaseRecord] = []
    outcomes: list[tuple[CaseRecord, str]] = []
    for record in records:
        problem = _problem(record, chunk, labels)
        if problem:
            rejects.append(problem)
            outcomes.append((record, "rejected"))
        else:
            accepted.append(record)
    written = RowOutcomes()
    write_consumers(chunk, accepted, written)
    ids = {number: stored["id"] for number, stored in chunk.consumers.items()}
    write_enrollments(chunk, accepted, ids, written)
    write_delegations(chunk, accepted, ids, written)
    write_dated_facts(chunk, accepted, ids, written)
    write_flags(chunk, accepted, ids, written)
    record_history(session, ids.values())
    outcomes += [(r, written.outcome(r)) for r in accepted]
    return outcomes, rejects
