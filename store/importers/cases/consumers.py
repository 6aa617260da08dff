"""Writing a chunk's consumers: new case numbers inserted, known fields that differ updated.

A name is never blanked: an import that does not know it leaves the stored one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.importers.bulk import insert_rows, update_rows
from store.importers.cases.chunk import CONSUMER_FIELDS, CONSUMERS, CaseChunk, RowOutcomes, changed_fields
from store.importers.records import CaseRecord

EMPTY_CONSUMER = dict.fromkeys(CONSUMER_FIELDS)  # a new consumer's unknown fields
NAMES = ("first_name", "last_name")


def write_consumers(chunk: CaseChunk, records: list[CaseRecord], outcomes: RowOutcomes) -> None:
    """Insert and update the chunk's consumers."""
    new: dict[str, dict[str, Any]] = {}
    updates: dict[int, dict[str, Any]] = {}
    for record in records:
        stored = chunk.consumers.get(record.case_number)
        if stored is None and record.case_number not in new:
            new[record.case_number] = {
                **EMPTY_CONSUMER, **record.consumer,
                "case_number": record.case_number, "created_at": chunk.ctx.now,
                "updated_at": chunk.ctx.now,
            }  # fmt: skip
            outcomes.created.add(id(record))
            continue
        if stored is None:
            continue
        known = {k: v for k, v in record.consumer.items() if v is not None or k not in NAMES}
        changes = changed_fields(stored, known)
        if changes:
            stored.update(changes)
            updates.setdefault(stored["id"], {"updated_at": chunk.ctx.now}).update(changes)
            outcomes.updated.add(id(record))
    insert_rows(chunk.session, CONSUMERS, list(new.values()))
    update_rows(chunk.session, CONSUMERS, updates.items())
    if new:
        for row in chunk.session.execute(
            select(CONSUMERS.c.id, CONSUMERS.c.case_number).where(CONSUMERS.c.case_number.in_(new))
        ):
            stored = chunk.consumers[row.case_number] = new[row.case_number]
            stored["id"] = row.id
            chunk.created_ids.add(row.id)
