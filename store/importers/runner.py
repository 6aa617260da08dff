"""The import loop shared by every format: stream rows, map, de-duplicate, load in chunks.

Each chunk of ``chunk_size`` rows is one transaction, so memory and lock time stay bounded
whatever the file's size, and an interrupted import keeps the chunks already committed
(running it again finishes the job, as loading is idempotent).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.importers.columns import RowRejected
from store.importers.records import ImportSummary, Reject
from store.importers.rejects import RejectsFile
from store.importers.sources import SourceError

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
ANALYZE_MIN_ROWS = 10_000


class Numbered(Protocol):
    """A record that knows the file row it came from."""

    row: int


R = TypeVar("R", bound=Numbered)

Progress = Callable[[int], None]
# Writes a chunk; returns each record's outcome (created, updated, unchanged or rejected)
# and the reasons for the rejected ones.
ChunkWriter = Callable[[Session, list[R]], tuple[list[tuple[R, str]], list[Reject]]]


@dataclass
class Plan(Generic[R]):
    """How one file is loaded: turn a row into a record, name its key, write a chunk."""

    map_row: Callable[[int, list[Any]], R]
    key_of: Callable[[R], Hashable]
    key_column: str
    write_chunk: ChunkWriter[R]
    # Adjacent rows with the same key are one record (e.g. a case with two delegated agents).
    merge: Callable[[R, R], None] | None = None
    # Tables whose planner statistics a large load makes stale (PostgreSQL).
    tables: tuple[str, ...] = ()

    def records(self, rows: Iterable[tuple[int, list[Any]] | Reject]) -> Iterator[R | Reject]:
        """Each row as its record, or as the reason it cannot be one."""
        return mapped_rows(self.map_row, rows)


def mapped_rows(
    map_row: Callable[[int, Any], R], rows: Iterable[tuple[int, Any] | Reject]
) -> Iterator[R | Reject]:
    """Each row mapped to its record; a row already refused passes through."""
    for row in rows:
        if isinstance(row, Reject):
            yield row
            continue
        try:
            yield map_row(*row)
        except RowRejected as rejected:
            yield rejected.reject


def run_plan(
    plan: Plan[R],
    records: Iterable[R | Reject],
    sessions: sessionmaker[Session],
    rejects: RejectsFile,
    summary: ImportSummary,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportSummary:
    seen: dict[Hashable, int] = {}
    chunk: list[R] = []
    pending: list[Reject] = []
    last_key: Hashable = None
    merged: dict[int, list[int]] = defaultdict(list)  # record id -> rows merged into it
    committed = _Committed(summary)
    for record in committed.guard(records):
        if isinstance(record, Reject):
            pending.append(record)
            continue
        key = plan.key_of(record)
        if plan.merge is not None and chunk and key == last_key:
            plan.merge(chunk[-1], record)
            merged[id(chunk[-1])].append(record.row)
            continue
        first = seen.setdefault(key, record.row)
        if first != record.row:
            pending.append(
                Reject(record.row, plan.key_column, f"duplicate key: row {first} has the same key")
            )
            continue
        if len(chunk) >= chunk_size:  # flushed only between keys, so merges stay whole
            _flush(plan, chunk, pending, merged, sessions, rejects, summary, progress)
            committed.through = committed.last_read
            chunk, pending = [], []
            merged.clear()
        chunk.append(record)
        last_key = key
    _flush(plan, chunk, pending, merged, sessions, rejects, summary, progress)
    if summary.created + summary.updated >= ANALYZE_MIN_ROWS:
        _analyze(sessions, plan.tables)
    summary.rejects_path = str(rejects.path) if rejects.count else None
    return summary


class _Committed:
    """Which rows are in the store, so a file that breaks half-way (a damaged sheet) ends
    with one line saying what was loaded and how to finish."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.through = 1  # the last row of the last committed chunk (1: the header)
        self.last_read = 1

    def guard(self, records: Iterable[R | Reject]) -> Iterator[R | Reject]:
        try:
            for record in records:
                yield record
                self.last_read = record.row
        except SourceError as exc:
            if self.through <= 1:
                raise SourceError(f"{exc}; nothing was loaded") from None
            raise SourceError(
                f"{exc}; rows 2-{self.through} are done ({self.summary.line()}), the rows after "
                "them not; mend the file and import it again to finish (rows already loaded "
                "count as unchanged)"
            ) from None


def _analyze(sessions: sessionmaker[Session], tables: tuple[str, ...]) -> None:
    """PostgreSQL plans by its statistics, which a bulk load leaves stale until autovacuum
    comes by: the first Daily Summary after seeding 10k consumers took 10 s, not 0.1 s."""
    with transaction(sessions) as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        for table in tables:
            session.execute(text(f"ANALYZE {table}"))


def _flush(
    plan: Plan[R],
    chunk: list[R],
    pending: list[Reject],
    merged: dict[int, list[int]],
    sessions: sessionmaker[Session],
    rejects: RejectsFile,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    outcomes: Iterable[tuple[R, str]] = ()
    refused: list[Reject] = []
    if chunk:
        with transaction(sessions) as session:
            outcomes, refused = plan.write_chunk(session, chunk)
    for record, outcome in outcomes:
        rows = merged.get(id(record), [])
        summary.counts[outcome] += 1 + len(rows)
        if outcome == "rejected":  # every row of a refused record gets its line
            given = {r.row for r in refused}
            reason = next((r.row for r in refused if r.row in (record.row, *rows)), record.row)
            refused += [
                Reject(row, plan.key_column, f"rejected with row {reason} of the same key")
                for row in (record.row, *rows)
                if row not in given
            ]
    summary.counts["rejected"] += len(pending)
    for reject in sorted([*pending, *refused], key=lambda r: r.row):
        rejects.add(reject)
    log.info("%s: %d rows loaded so far, %d rejected", summary.source, summary.rows, summary.rejected)
    if progress is not None:
        progress(len(chunk) + sum(map(len, merged.values())) + len(pending))
