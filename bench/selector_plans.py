"""Benchmark: each Daily Summary topic's selection on its own, its time and the plan chosen.

For every topic that applies on the date, the statement the run executes (the topic's
``INSERT … SELECT`` into the alert ledger, ``rules.ledger.alerts_statement``; on PostgreSQL
the run stages the same SELECT in a temporary table first, ``store.staging``) is timed
best of 3, each rolled back, and its plan printed: ``EXPLAIN QUERY PLAN`` on SQLite,
``EXPLAIN`` on PostgreSQL. On SQLite it is measured twice, on the book as built (no
statistics) and after ``ANALYZE``, since the statistics change SQLite's join order; the
floor beside each figure is the same statement on the other side of that ``ANALYZE``.
Verdict: no statement hits the time limit, a one-time topic's plan starts from its event
table, and ``ANALYZE`` makes no topic slower by changing its join order (25 % + 20 ms of
noise allowed).

    .venv/bin/python bench/selector_plans.py --url sqlite:////tmp/bob.db       # an existing book
    .venv/bin/python bench/selector_plans.py --build 100000                    # a fresh SQLite book
    .venv/bin/python bench/selector_plans.py --build 100000 --db postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.ledger import alerts_statement, calendars  # noqa: E402
from rules.topics import TOPICS  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.query_plans import first_step, join_order, query_plan  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402
from store.zones import DEFAULT_TIME_ZONE, local_midnight  # noqa: E402

DAY = date(2026, 9, 1)  # all eight topics apply on 09-01
REPEATS = 3
# The table each one-time topic's plan must start from.
EVENT_TABLES = {
    "nod_notice": "notices",
    "enrollment_canceled": "enrollment_history",
    "enrollment_terminated": "enrollment_history",
}
NOISE = (1.25, 0.020)  # ANALYZE may not cost more than 25 % + 20 ms
LIMIT = 120.0  # seconds a statement may run before it is stopped and shown as "> LIMIT"


@dataclass(frozen=True)
class Selection:
    topic: str
    seconds: float
    rows: int
    cpu: float
    plan: list[str]

    def figure(self) -> str:
        """The time, or how long it ran before it was stopped."""
        if self.rows < 0:
            return f">{self.seconds:6.1f} s"
        return f"{self.seconds:7.3f} s" + ("" if math.isnan(self.cpu) else f" (cpu {self.cpu:6.3f})")

    def starts_from_events(self) -> bool:
        """SQLite: the plan's outer loop reads the topic's event table (other topics: true)."""
        table = EVENT_TABLES.get(self.topic)
        return table is None or first_step(self.plan).split()[1] == table


def statements(session: Session, day: date) -> Iterator[tuple[str, Insert]]:
    for topic in TOPICS:
        if topic.policy.applies_on(day):
            for zone in calendars(session):
                yield topic.name, alerts_statement(session, topic, day, zone)


def _time_limit(session: Session, limit: float) -> Callable[[], None]:
    """Stop the statement after ``limit`` seconds (a plan that walks everything can take an
    hour); returns how to lift the limit on the pooled connection."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(text(f"SET LOCAL statement_timeout = {int(limit * 1000)}"))
        return lambda: None
    raw: Any = session.connection().connection.dbapi_connection
    deadline = time.perf_counter() + limit
    raw.set_progress_handler(lambda: time.perf_counter() > deadline, 100_000)
    return lambda: raw.set_progress_handler(None, 0)


def _timed(sessions: sessionmaker[Session], statement: Insert, limit: float) -> tuple[float, int, float]:
    """Seconds, rows (-1 when stopped at the limit) and this process's CPU seconds (on SQLite
    the work itself, which a loaded machine does not stretch as it stretches the wall clock)."""
    with sessions() as session:
        lift = _time_limit(session, limit)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            rows = session.execute(statement).rowcount  # type: ignore[attr-defined]
        except OperationalError:
            rows = -1
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if session.get_bind().dialect.name != "sqlite":
            cpu = float("nan")  # the server's work, not this process's
        lift()
        session.rollback()
    return seconds, rows, cpu


def measure(url: str, day: date = DAY, limit: float = LIMIT) -> list[Selection]:
    """Each topic's statement (one per calendar) timed once and explained, in topic order."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        work = list(statements(session, day))
        plans = [query_plan(session, statement) for _, statement in work]
    measured = [
        Selection(name, *_timed(sessions, statement, limit), plan)
        for (name, statement), plan in zip(work, plans, strict=True)
    ]
    engine.dispose()
    return measured


def best(rounds: list[list[Selection]]) -> list[Selection]:
    """Per topic, the fastest of the rounds (the plans do not change between them)."""
    return [min(same, key=lambda selection: selection.seconds) for same in zip(*rounds, strict=True)]


def _statistics(url: str, rows: list[Any] | None) -> list[Any]:
    """SQLite: ``ANALYZE`` (``rows`` None) and return the statistics; else put ``rows`` back
    as the statistics, none meaning the book as built. New connections plan by them."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if rows is None:
            conn.execute(text("ANALYZE"))
            rows = list(conn.execute(text("SELECT tbl, idx, stat FROM sqlite_stat1")))
        else:
            conn.execute(text("DELETE FROM sqlite_stat1"))
            for row in rows:
                conn.execute(
                    text("INSERT INTO sqlite_stat1 VALUES (:t, :i, :s)"), dict(zip("tis", row, strict=True))
                )
    engine.dispose()
    return rows


def runs(url: str, day: date = DAY, limit: float = LIMIT) -> dict[str, list[Selection]]:
    """The selections per condition: PostgreSQL as seeded (best of 3); SQLite without and
    with ``ANALYZE``, interleaved round by round so both see the same machine load."""
    if make_url(url).get_backend_name() != "sqlite":
        return {"postgresql": best([measure(url, day, limit) for _ in range(REPEATS)])}
    analyzed = _statistics(url, None)
    rounds: dict[str, list[list[Selection]]] = {"sqlite": [], "sqlite analyzed": []}
    for _ in range(REPEATS):
        for condition, stats in (("sqlite", []), ("sqlite analyzed", analyzed)):
            _statistics(url, stats)
            rounds[condition].append(measure(url, day, limit))
    return {condition: best(measured) for condition, measured in rounds.items()}


def slower_after_analyze(plain: Selection, analyzed: Selection) -> bool:
    """A different join order that costs more than noise (the same order is the same work:
    what differs then is the machine's load)."""
    factor, slack = NOISE
    same = join_order(analyzed.plan) == join_order(plain.plan)
    return not same and analyzed.cpu > plain.cpu * factor + slack


@contextmanager
def fresh_book(db: str, consumers: int, day: date = DAY) -> Iterator[str]:
    """A new database seeded as ``bench/daily_run.py`` seeds it (N consumers, N/100 enrollers,
    one agency per 50 enrollers); a temp SQLite file, or a PostgreSQL database dropped after."""
    admin = None if db == "sqlite" else make_engine(db, isolation_level="AUTOCOMMIT")
    name = f"bob_plans_{consumers}_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="bob-plans-") as folder:
        if admin is None:
            url = f"sqlite:///{Path(folder) / 'bob.db'}"
        else:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(db).set(database=name).render_as_string(hide_password=False)
        try:
            seed(url, consumers, day)
            yield url
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def seed(url: str, consumers: int, day: date = DAY) -> None:
    engine = make_engine(url)
    upgrade(engine)
    enrollers = max(consumers // 100, 5)
    as_of = local_midnight(day, ZoneInfo(DEFAULT_TIME_ZONE))
    plan = SeedPlan(max(1, enrollers // 50), consumers, enrollers, seed=2026, as_of=as_of)
    seed_book(engine, plan)
    engine.dispose()


def verdict(condition: str, n: int, measured: dict[str, list[Selection]]) -> bool:
    """Not stopped; a one-time topic reads its events by index (PostgreSQL) or first (SQLite);
    and ``ANALYZE`` does not make it slower."""
    selection = measured[condition][n]
    if selection.rows < 0:
        return False  # stopped at the time limit
    if condition == "postgresql":
        table = EVENT_TABLES.get(selection.topic)
        return not any(f"Seq Scan on {table} " in line for line in selection.plan)
    if condition == "sqlite analyzed" and slower_after_analyze(measured["sqlite"][n], selection):
        return False
    return selection.starts_from_events()


def print_plans(measured: dict[str, list[Selection]], prefix: str = "") -> bool:
    """Print each topic's figures and plan; whether every verdict passed."""
    passed = True
    for condition, selections in measured.items():
        other = measured.get("sqlite analyzed" if condition == "sqlite" else "sqlite")
        for n, selection in enumerate(selections):
            ok = verdict(condition, n, measured)
            passed = passed and ok
            beside = "" if other is None else f"  other side of ANALYZE {other[n].figure()}"
            if other is not None:
                same = join_order(other[n].plan) == join_order(selection.plan)
                beside += ", same join order" if same else ", other join order"
            print(
                f"{prefix}{condition:<16} {selection.topic:<26} {selection.figure()} "
                f"{selection.rows:>7,} rows{beside}  {'PASS' if ok else 'MISS'}",
                flush=True,
            )
            for line in selection.plan:
                print(f"{prefix}    {line}")
    return passed


Row = tuple[str, str, str, str, str, str, bool]


def table_rows(databases: list[str], sizes: list[int], pg_max: int) -> Iterator[Row]:
    """``bench/run_all.py``'s rows, one per topic, each book's plans printed before them as
    comments: SQLite as built beside SQLite after ``ANALYZE``; PostgreSQL alone."""
    for db in databases:
        name = "sqlite" if db == "sqlite" else "postgresql"
        for size in (size for size in sizes if db == "sqlite" or size <= pg_max):
            with fresh_book(db, size) as url:
                measured = runs(url)
            print_plans(measured, prefix="# ")
            after = measured.get("sqlite analyzed", [])
            for n, selection in enumerate(measured["sqlite" if after else "postgresql"]):
                ok = all(verdict(condition, n, measured) for condition in measured)
                yield (
                    "SEL",
                    name,
                    f"{size:,}",
                    f"{selection.topic} {selection.figure().strip()}",
                    f"after ANALYZE {after[n].figure().strip()}" if after else "-",
                    f"{after[n].seconds / selection.seconds:.2f}x" if after else "-",
                    ok,
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an existing, seeded database")
    parser.add_argument("--build", type=int, help="seed a fresh book of this many consumers")
    parser.add_argument("--db", default="sqlite", help="with --build: 'sqlite' or a PostgreSQL URL")
    parser.add_argument("--date", default=DAY.isoformat(), help="business date")
    parser.add_argument("--limit", type=float, default=LIMIT, help="seconds before a statement is stopped")
    args = parser.parse_args()
    day = date.fromisoformat(args.date)
    if args.url:
        return 0 if print_plans(runs(args.url, day, args.limit)) else 1
    if not args.build:
        parser.error("give --url or --build")
    with fresh_book(args.db, args.build, day) as url:
        return 0 if print_plans(runs(url, day, args.limit)) else 1


if __name__ == "__main__":
    sys.exit(main())
