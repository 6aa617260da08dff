"""The weekly snapshot: an agency's book frozen as it stood (Friday 21:00 local by default).

A snapshot row keeps the 48 cell values as JSON keyed by column letter (dates as ISO
text), so an export "as of last Friday" and the "Changed since last snapshot" sheet read
exactly what the book said then, whatever has changed in the store since.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from exports.columns import KINDS, LETTERS, Kind, agency_scope, book_query
from rules.access import audit
from store.db import insert_ignoring_duplicates, transaction
from store.models import Snapshot, SnapshotRow

_BATCH = 2000
_DATES = tuple(index for index, kind in enumerate(KINDS) if kind is Kind.DATE)

# A keyed book row: (consumer id, delegated agent id, the 48 values A..AV).
KeyedRow = tuple[int, int, Sequence[Any]]


def encode(values: Sequence[Any]) -> dict[str, Any]:
    return {
        letter: value.isoformat() if isinstance(value, date) else value
        for letter, value in zip(LETTERS, values, strict=True)
    }


def decode(data: dict[str, Any]) -> list[Any]:
    values = [data.get(letter) for letter in LETTERS]
    for index in _DATES:
        text = values[index]
        if isinstance(text, str):
            values[index] = date.fromisoformat(text)
    return values


def freeze_book(session: Session, agency_id: int, business_date: date, now: datetime) -> int:
    """Snapshot the agency's live book for ``business_date``; returns its row count.

    The snapshot row is claimed by INSERT on its unique (agency, date) key, so taking the
    same date twice (a second process, a retry) adds nothing and returns the first count.
    """
    claim = (
        insert_ignoring_duplicates(session, Snapshot)
        .values(agency_id=agency_id, business_date=business_date, taken_at=now, row_count=0)
        .on_conflict_do_nothing(index_elements=["agency_id", "business_date"])
        .returning(Snapshot.id)
    )
    snapshot_id = session.scalar(claim)
    if snapshot_id is None:
        existing = session.scalar(
            select(Snapshot.row_count).where(
                Snapshot.agency_id == agency_id, Snapshot.business_date == business_date
            )
        )
        return int(existing or 0)
    result = session.execute(book_query(*agency_scope(agency_id)), execution_options={"yield_per": _BATCH})
    count = 0
    for chunk in result.partitions():
        session.execute(
            insert(SnapshotRow),
            [
                {
                    "snapshot_id": snapshot_id,
                    "consumer_id": row[0],
                    "enroller_id": row[1],
                    "case_number": row[2],
                    "data": encode(row[2:]),
                }
                for row in chunk
            ],
        )
        count += len(chunk)
    session.execute(update(Snapshot).where(Snapshot.id == snapshot_id).values(row_count=count))
    return count


def take_snapshot(sessions: sessionmaker[Session], agency_id: int, business_date: date, now: datetime) -> int:
    """Freeze the agency's book for ``business_date`` (once per agency and date), audited."""
    with transaction(sessions) as session:
        count = freeze_book(session, agency_id, business_date, now)
        detail = {"business_date": business_date.isoformat(), "rows": count}
        audit(session, None, "snapshot.take", f"agency:{agency_id}", "done", now, detail)
    return count


def latest_snapshot(session: Session, agency_id: int, before: date | None = None) -> Snapshot | None:
    """The agency's newest snapshot, or its newest one dated before ``before``."""
    query = select(Snapshot).where(Snapshot.agency_id == agency_id)
    if before is not None:
        query = query.where(Snapshot.business_date < before)
    return session.scalars(query.order_by(Snapshot.business_date.desc()).limit(1)).first()


def snapshot_rows(
    session: Session, snapshot_id: int, enroller_id: int | None, by_case_number: bool = True
) -> Iterator[KeyedRow]:
    """A snapshot's rows (one agent's when ``enroller_id`` is given), streamed."""
    query = select(SnapshotRow.consumer_id, SnapshotRow.enroller_id, SnapshotRow.data).where(
        SnapshotRow.snapshot_id == snapshot_id
    )
    if enroller_id is not None:
        query = query.where(SnapshotRow.enroller_id == enroller_id)
    order = (SnapshotRow.case_number,) if by_case_number else (SnapshotRow.consumer_id,)
    query = query.order_by(*order, SnapshotRow.enroller_id)
    with session.execute(query, execution_options={"yield_per": _BATCH}) as result:
        for consumer_id, agent_id, data in result:
            yield consumer_id, agent_id, decode(data)
