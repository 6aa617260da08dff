"""Benchmark: bob's nightly purge against a bare DELETE of the same rows, in the same run.

A book of 1M consumers holds 1M rows in each weekly snapshot. With ``snapshots_kept = 2``,
the purge finds one snapshot too many (``--rows`` rows, 1M by default) beside the two it
keeps (``--rows // 4`` rows between them), and mailbox entries of 100 enrollers over 500 days
(the 100 oldest days go). Both copies of the database are filled alike; one is purged by
``store.retention.purge`` (keyset batches of ``retention.batch_size``, each its own
transaction), the other by the floor: one bare ``DELETE … WHERE`` per table in one
transaction, which holds its locks for the whole run and which bob avoids for that reason.

    .venv/bin/python bench/purge.py                                  # SQLite and PostgreSQL, 1M
    .venv/bin/python bench/purge.py --rows 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exports.columns import LETTERS  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.retention import purge, purge_targets  # noqa: E402
from store.retention_settings import RetentionConfig  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
TODAY = date(2026, 11, 30)
SETTINGS = RetentionConfig(snapshots_kept=2)
FRIDAYS = (date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20))
ENROLLERS, MAILBOX_DAYS = 100, 500
# A snapshot row's 48 cells as the workbook has them (about 700 bytes of JSON).
CELLS = "{" + ",".join(f'"{letter}": "value of column {letter}"' for letter in LETTERS) + "}"
BODY = "x" * 1500
PG_DEFAULT = os.environ.get("BOB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def numbers(engine: Engine, n: int) -> str:
    """A row source of 1..n, in each database's words."""
    if engine.dialect.name == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {n}) AS g"
    return f"SELECT value AS n FROM (WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < {n}) SELECT value FROM s)"  # noqa: E501


def fill(engine: Engine, rows: int) -> None:
    """Three snapshots (the oldest ``rows`` rows, the two kept ``rows // 4``) and mailbox entries."""
    upgrade(engine)
    seed_book(engine, SeedPlan(agencies=1, consumers=100, enrollers=ENROLLERS, seed=7))
    with engine.begin() as conn:
        consumer = conn.scalar(text("SELECT min(id) FROM consumers"))
        enroller = conn.scalar(text("SELECT min(id) FROM enrollers"))
        for friday, count in zip(FRIDAYS, (rows, rows // 8, rows // 8), strict=True):
            snapshot = conn.scalar(
                text(
                    "INSERT INTO snapshots (agency_id, business_date, taken_at, row_count) "
                    "VALUES (1, :day, :now, :count) RETURNING id"
                ),
                {"day": friday, "now": NOW, "count": count},
            )
            conn.execute(
                text(
                    "INSERT INTO snapshot_rows (snapshot_id, enroller_id, consumer_id, case_number, data) "
                    "SELECT :snapshot, :enroller, :consumer, 'CASE' || n, :cells "
                    f"FROM ({numbers(engine, count)}) AS g"
                ),
                {"snapshot": snapshot, "enroller": enroller, "consumer": consumer, "cells": CELLS},
            )
        days_back = (
            ":today - d.n" if engine.dialect.name == "postgresql" else "date(:today, '-' || d.n || ' days')"
        )
        conn.execute(
            text(
                "INSERT INTO mailbox_messages (recipient_id, kind, business_date, subject, alert_count, "
                f"body_text, body_html, created_at) SELECT e.id, 'daily_summary', {days_back}, "
                "'Daily Summary', 3, :body, :body, :now "
                f"FROM enrollers e CROSS JOIN ({numbers(engine, MAILBOX_DAYS)}) AS d"
            ),
            {"today": TODAY, "body": BODY, "now": NOW},
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def bare_delete(engine: Engine) -> dict[str, int]:
    """The floor: what bob's purge removes here, as one DELETE per table in one transaction."""
    cutoff = TODAY - timedelta(days=SETTINGS.mailbox_days)
    with engine.begin() as conn:
        old = conn.scalar(text("SELECT id FROM snapshots ORDER BY business_date LIMIT 1"))
        snapshot_rows = conn.execute(text("DELETE FROM snapshot_rows WHERE snapshot_id = :id"), {"id": old})
        mailbox = conn.execute(text("DELETE FROM mailbox_messages WHERE business_date < :d"), {"d": cutoff})
    return {"snapshot_rows": snapshot_rows.rowcount, "mailbox_messages": mailbox.rowcount}


def bobs_purge(engine: Engine) -> dict[str, int]:
    removed = purge(session_factory(engine), purge_targets(SETTINGS, TODAY, NOW), SETTINGS.batch_size)
    return {table: count for table, count in removed.items() if count}


def timed(engine: Engine, work) -> tuple[float, dict[str, int]]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = work(engine)
    return time.perf_counter() - started, result


class TwoCopies:
    """The same filled database twice: SQLite files, or PostgreSQL databases (a template)."""

    def __init__(self, db: str, rows: int, folder: Path) -> None:
        self.db, self.names = db, []
        if db == "sqlite":
            first = folder / "purge-a.db"
            self._fill(f"sqlite:///{first}", rows)
            shutil.copy(first, folder / "purge-b.db")
            self.urls = [f"sqlite:///{first}", f"sqlite:///{folder / 'purge-b.db'}"]
            return
        self.admin = make_engine(db, isolation_level="AUTOCOMMIT")
        self.names = [f"bob_purge_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        self._create(self.names[0])
        self.urls = [
            make_url(db).set(database=name).render_as_string(hide_password=False) for name in self.names
        ]
        self._fill(self.urls[0], rows)
        self._create(self.names[1], template=self.names[0])

    def _create(self, name: str, template: str | None = None) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))

    @staticmethod
    def _fill(url: str, rows: int) -> None:
        engine = make_engine(url)
        fill(engine, rows)
        engine.dispose()

    def drop(self) -> None:
        for name in self.names:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def measure(db: str, rows: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        copies = TwoCopies(db, rows, Path(folder))
        fill_s = time.perf_counter() - started
        try:
            engines = [make_engine(url) for url in copies.urls]
            floor_s, floor = timed(engines[1], bare_delete)
            bob_s, bob = timed(engines[0], bobs_purge)
            for engine in engines:
                engine.dispose()
        finally:
            copies.drop()
    assert bob == floor, (bob, floor)
    name = "sqlite" if db == "sqlite" else "postgresql"
    removed = ", ".join(f"{table} {count:,}" for table, count in bob.items())
    return (
        f"{name:<11} {rows:>10,}  fill {fill_s:6.1f} s  bare DELETE {floor_s:6.2f} s  "
        f"bob purge {bob_s:6.2f} s  {bob_s / floor_s:5.2f}x  ({removed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the snapshot that goes")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql, or both")
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server URL")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    for db in args.db.split(","):
        print(measure("sqlite" if db == "sqlite" else args.pg, args.rows), flush=True)


if __name__ == "__main__":
    main()
