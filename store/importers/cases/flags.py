"""Writing a chunk's flags: counted flags reconciled, dated flag rows upserted.

The Book of Business and HealthSherpa give counts, not rows: missing open flags are raised,
surplus open ones resolved, newest first. bob's own files give rows keyed by
(consumer, kind, raised date, detail).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from store.importers.bulk import insert_rows, update_rows
from store.importers.cases.chunk import FLAGS, CaseChunk, RowOutcomes, dicts
from store.importers.records import CaseRecord


def write_flags(
    chunk: CaseChunk, records: list[CaseRecord], ids: dict[str, int], outcomes: RowOutcomes
) -> None:
    wanted = [r for r in records if r.flag_counts or r.flags]
    if not wanted:
        return
    ctx, session = chunk.ctx, chunk.session
    flags = _stored(chunk, {ids[r.case_number] for r in wanted} - chunk.created_ids)
    inserts: list[dict[str, Any]] = []
    resolved: list[tuple[int, dict[str, Any]]] = []
    for record in wanted:
        consumer_id = ids[record.case_number]
        mine = flags[consumer_id]
        if record.flag_counts and _reconcile_counts(record, consumer_id, mine, ctx.as_of, inserts, resolved):
            outcomes.updated.add(id(record))
        for facts in record.flags:
            raised_at = ctx.moment(facts.raised_on)
            resolved_at = None if facts.resolved_on is None else ctx.moment(facts.resolved_on)
            key = (facts.kind, raised_at, facts.detail)
            same = (f for f in mine if (f["kind"], f["raised_at"], f["detail"]) == key)
            stored = next(same, None)
            if stored is None:
                flag = {
                    "consumer_id": consumer_id, "kind": facts.kind, "detail": facts.detail,
                    "raised_at": raised_at, "resolved_at": resolved_at,
                }  # fmt: skip
                inserts.append(flag)
                mine.append(flag)
                outcomes.created.add(id(record))
            elif stored["resolved_at"] != resolved_at:
                stored["resolved_at"] = resolved_at
                if "id" in stored:
                    resolved.append((stored["id"], {"resolved_at": resolved_at}))
                outcomes.updated.add(id(record))
    insert_rows(session, FLAGS, inserts)
    update_rows(session, FLAGS, resolved)


def _stored(chunk: CaseChunk, consumer_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """The flags already stored for these consumers, oldest first."""
    flags: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if consumer_ids:
        for row in dicts(
            chunk.session.execute(
                select(FLAGS)
                .where(FLAGS.c.consumer_id.in_(consumer_ids))
                .order_by(FLAGS.c.raised_at, FLAGS.c.id)
            )
        ):
            flags[row["consumer_id"]].append(row)
    return flags


def _reconcile_counts(
    record: CaseRecord,
    consumer_id: int,
    mine: list[dict[str, Any]],
    now: datetime,
    inserts: list[dict[str, Any]],
    resolved: list[tuple[int, dict[str, Any]]],
) -> bool:
    """Raise missing open flags and resolve surplus ones (newest first) to match the
    record's counts; says whether any count differed."""
    differed = False
    for wanted_count in record.flag_counts:
        open_flags = [
            f for f in mine
            if f["kind"] == wanted_count.kind and f["resolved_at"] is None
            and (wanted_count.detail is None or f["detail"] == wanted_count.detail)
        ]  # fmt: skip
        missing = wanted_count.open_count - len(open_flags)
        for _ in range(missing):
            flag: dict[str, Any] = {
                "consumer_id": consumer_id, "kind": wanted_count.kind,
                "detail": wanted_count.raise_detail, "raised_at": now, "resolved_at": None,
            }  # fmt: skip
            inserts.append(flag)
            mine.append(flag)
        surplus = open_flags[len(open_flags) + missing :] if missing < 0 else []
        for flag in surplus:  # the newest open flags go first
            flag["resolved_at"] = now
            if "id" in flag:
                resolved.append((flag["id"], {"resolved_at": now}))
        if missing:
            differed = True
    return differed
