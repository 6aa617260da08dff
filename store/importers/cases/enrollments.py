"""Writing a chunk's enrollments, keyed by (consumer, plan year, coverage).

Submission, a status change and a binder payment are dated where the file dates them, and
as of the file otherwise, so the one-time topics see a change as news on the right day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.importers.bulk import insert_rows, update_rows
from store.importers.cases.chunk import ENROLLMENT_FIELDS, ENROLLMENTS, CaseChunk, RowOutcomes, changed_fields
from store.importers.context import ImportContext
from store.importers.records import CaseRecord, EnrollmentFacts
from store.models import EnrollmentStatus

ENROLLMENT_REQUIRED = ("program", "status")
NOT_NULL = (*ENROLLMENT_REQUIRED, "binder_paid")


def _first_status_since(facts: EnrollmentFacts, ctx: ImportContext, submitted: datetime) -> datetime:
    """When a first-seen enrollment took its status: as the file says; else a cancellation or
    termination bob did not see happen is history, dated by its end date (or, when that is
    still to come, its start date), so a first import does not announce it as news; else
    since it was submitted."""
    if facts.status_since is not None:
        return ctx.moment(facts.status_since)
    if facts.fields.get("status") in (EnrollmentStatus.CANCELED, EnrollmentStatus.TERMINATED):
        for day in (facts.fields.get("end_date"), facts.fields.get("start_date")):
            if day is not None and ctx.moment(day) <= ctx.as_of:
                return ctx.moment(day)
    return submitted


def _new_enrollment(facts: EnrollmentFacts, ctx: ImportContext) -> dict[str, Any]:
    submitted = ctx.moment(facts.submitted_at)
    binder_since = ctx.moment(facts.binder_paid_at) if facts.binder_paid_at else submitted
    return {
        "created_at": submitted,
        "status_changed_at": _first_status_since(facts, ctx, submitted),
        "binder_changed_at": binder_since,
    }


def _change_times(changes: dict[str, Any], facts: EnrollmentFacts, ctx: ImportContext) -> None:
    """Date the changes of state: as the file says, else as of the file."""
    if "status" in changes:
        changes["status_changed_at"] = ctx.moment(facts.status_since)
    if "binder_paid" in changes:
        paid_at = facts.binder_paid_at if changes["binder_paid"] else None
        changes["binder_changed_at"] = ctx.moment(paid_at)


def write_enrollments(
    chunk: CaseChunk, records: list[CaseRecord], ids: dict[str, int], outcomes: RowOutcomes
) -> None:
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    defaults = {**dict.fromkeys(ENROLLMENT_FIELDS), "binder_paid": False}
    for record in records:
        consumer_id = ids[record.case_number]
        for facts in record.enrollments:
            key = (consumer_id, facts.plan_year, facts.coverage.value)
            stored = chunk.enrollments.get(key)
            if stored is None:
                row = {
                    **defaults, **facts.new_only, **facts.fields, "consumer_id": consumer_id,
                    "plan_year": facts.plan_year, "coverage": facts.coverage,
                    **_new_enrollment(facts, chunk.ctx),
                }  # fmt: skip
                if row["binder_paid"] is None:  # program and status were checked by _problem
                    row["binder_paid"] = False
                inserts.append(row)
                chunk.enrollments[key] = row
                outcomes.created.add(id(record))
                continue
            known = {k: v for k, v in facts.fields.items() if v is not None or k not in NOT_NULL}
            changes = changed_fields(stored, known)
            if not changes:
                continue
            _change_times(changes, facts, chunk.ctx)
            stored.update(changes)
            if "id" in stored:
                updates.append((stored["id"], changes))
            outcomes.updated.add(id(record))
    insert_rows(chunk.session, ENROLLMENTS, inserts)
    update_rows(chunk.session, ENROLLMENTS, updates)
