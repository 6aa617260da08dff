"""Writing a chunk's consents and notices: rows are only ever added, keyed by their date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.importers.bulk import insert_rows
from store.importers.cases.chunk import CONSENTS, NOTICES, CaseChunk, RowOutcomes
from store.importers.records import CaseRecord


def write_dated_facts(
    chunk: CaseChunk, records: list[CaseRecord], ids: dict[str, int], outcomes: RowOutcomes
) -> None:
    """Consents and notices: rows are only ever added, keyed by their date."""
    wanted = [r for r in records if r.consent_valid_thru is not None or r.notices]
    if not wanted:
        return
    consents, notices = _stored(chunk, {ids[r.case_number] for r in wanted} - chunk.created_ids)
    new_consents: list[dict[str, Any]] = []
    new_notices: list[dict[str, Any]] = []
    for record in wanted:
        consumer_id = ids[record.case_number]
        if record.consent_valid_thru is not None and (consumer_id, record.consent_valid_thru) not in consents:
            consents.add((consumer_id, record.consent_valid_thru))
            new_consents.append(
                {
                    "consumer_id": consumer_id,
                    "valid_thru": record.consent_valid_thru,
                    "created_at": chunk.ctx.moment(record.consent_received_at),
                }
            )
            outcomes.created.add(id(record))
        for kind, day in record.notices:
            if (consumer_id, kind, day) not in notices:
                notices.add((consumer_id, kind, day))
                new_notices.append(
                    {
                        "consumer_id": consumer_id,
                        "kind": kind,
                        "notice_date": day,
                        "created_at": chunk.ctx.moment(day),
                    }
                )
                outcomes.created.add(id(record))
    insert_rows(chunk.session, CONSENTS, new_consents)
    insert_rows(chunk.session, NOTICES, new_notices)


def _stored(chunk: CaseChunk, consumer_ids: set[int]) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The keys of the consents and notices already stored for these consumers."""
    session = chunk.session
    consents: set[tuple[Any, ...]] = set()
    notices: set[tuple[Any, ...]] = set()
    if consumer_ids:
        consents.update(
            tuple(row)
            for row in session.execute(
                select(CONSENTS.c.consumer_id, CONSENTS.c.valid_thru).where(
                    CONSENTS.c.consumer_id.in_(consumer_ids)
                )
            )
        )
        notices.update(
            tuple(row)
            for row in session.execute(
                select(NOTICES.c.consumer_id, NOTICES.c.kind, NOTICES.c.notice_date).where(
                    NOTICES.c.consumer_id.in_(consumer_ids)
                )
            )
        )
    return consents, notices
