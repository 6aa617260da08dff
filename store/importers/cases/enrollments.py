"""Writing a chunk's enrollments, keyed by (consumer, plan year, coverage).

A status change is dated by the import's clock, so the one-time topics see it as news.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.importers.bulk import insert_rows, update_rows
from store.importers.cases.chunk import ENROLLMENT_FIELDS, ENROLLMENTS, CaseChunk, changed_fields
from store.importers.context import ImportContext
from store.importers.records import CaseRecord, EnrollmentFacts
from store.models import EnrollmentStatus

ENROLLMENT_REQUIRED = ("program", "status")
NOT_NULL = (*ENROLLMENT_REQUIRED, "binder_paid")


def _status_since(facts: EnrollmentFacts, ctx: ImportContext) -> datetime:
    """When a first-seen enrollment took its status: an old cancellation or termination is
    history (dated by its end date), so a first import does not announce it as news."""
    if facts.fields.get("status") in (EnrollmentStatus.CANCELED, EnrollmentStatus.TERMINATED):
        return ctx.when(facts.fields.get("end_date"))
    return ctx.now


def write_enrollments(
    chunk: CaseChunk, records: list[CaseRecord], ids: dict[str, int], touched: set[int]
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
                    **defaults, **facts.fields, "consumer_id": consumer_id,
                    "plan_year": facts.plan_year, "coverage": facts.coverage,
                    "created_at": chunk.ctx.now, "status_changed_at": _status_since(facts, chunk.ctx),
                }  # fmt: skip
                if row["binder_paid"] is None:  # program and status were checked by _problem
                    row["binder_paid"] = False
                inserts.append(row)
                chunk.enrollments[key] = row
                touched.add(id(record))
                continue
            known = {k: v for k, v in facts.fields.items() if v is not None or k not in NOT_NULL}
            changes = changed_fields(stored, known)
            if not changes:
                continue
            if "status" in changes:
                changes["status_changed_at"] = chunk.ctx.now
            stored.update(changes)
            if "id" in stored:
                updates.append((stored["id"], changes))
            touched.add(id(record))
    insert_rows(chunk.session, ENROLLMENTS, inserts)
    update_rows(chunk.session, ENROLLMENTS, updates)
