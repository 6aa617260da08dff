"""A Daily Summary run that writes nothing: ``bob summary run --dry-run``.

It is the real run (:func:`mailer.daily_summary.run_daily_summary`), every step of it, on one
connection whose transaction is rolled back at the end: each unit of work the run commits
becomes a savepoint inside that transaction. So its counts are exactly what a real run would
write at that moment, and afterwards no alert, run ledger, mailbox or outbox row remains.
While it runs it holds the write lock like a real run (SQLite) or its row locks (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mailer.daily_summary import DeliverySettings, RunResult, run_daily_summary


@contextmanager
def rolled_back_sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions whose commits are savepoints of one transaction that is always rolled back."""
    with engine.connect() as connection:
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite defers BEGIN to the first write; a SAVEPOINT issued before it would open
            # the transaction itself, and its RELEASE would commit for good.
            connection.exec_driver_sql("BEGIN")
        try:
            yield sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        finally:
            outer.rollback()


def preview_daily_summary(engine: Engine, day: date, settings: DeliverySettings) -> RunResult:
    """What the Daily Summary for ``day`` would write now: alerts per topic, digests per kind,
    emails queued; nothing is stored, queued or claimed."""
    return next(preview_daily_summaries(engine, [day], settings))


def preview_daily_summaries(
    engine: Engine, days: Iterable[date], settings: DeliverySettings
) -> Iterator[RunResult]:
    """The same for several dates run in order inside one rolled-back transaction, so each
    date sees the alerts the dates before it would have recorded (the 7-day cadence, once)."""
    with rolled_back_sessions(engine) as sessions:
        for day in days:
            yield run_daily_summary(sessions, day, settings)
