"""On PostgreSQL the alert ledger's selections are staged in a temporary table before they
are inserted (``store.staging``): the SELECT of an ``INSERT … SELECT`` never runs in
parallel, that of a ``CREATE TABLE … AS`` may. Checked on a real server: the staged run
records exactly what the plain statement would, leaves no table behind, and the staged
SELECT is the one the planner can give to workers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text

from rules.ledger import STAGE, _due, alerts_statement, calendars, record_alerts
from rules.topics import TOPICS
from store.db import session_factory
from store.models import Alert
from store.seed import SeedPlan, seed_book
from store.staging import StageSelect
from store.zones import local_midnight

DAY = date(2026, 9, 1)
ZONE = "America/Los_Angeles"


def _plan(session: Any, statement: Any) -> list[str]:
    """PostgreSQL's plan for ``statement`` (not run)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("staging is for PostgreSQL's parallel workers; SQLite inserts straight from its SELECT")
    from zoneinfo import ZoneInfo

    as_of = local_midnight(DAY, ZoneInfo(ZONE))
    seed_book(engine, SeedPlan(agencies=2, consumers=1500, enrollers=15, seed=2026, as_of=as_of))
    return engine


def _ledger(session: Any) -> set[tuple[str, int, int, str, str]]:
    rows = session.execute(
        select(Alert.topic, Alert.recipient_id, Alert.consumer_id, Alert.event_key, Alert.period_key)
    )
    return {tuple(row) for row in rows}


def test_the_staged_run_records_what_the_plain_statement_would_and_leaves_no_table(seeded: Engine) -> None:
    sessions = session_factory(seeded)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(seeded, "before_cursor_execute", seen)
    with sessions() as session, session.begin():
        added = record_alerts(session, DAY)
        staged = _ledger(session)
        assert session.execute(text(f"SELECT to_regclass('pg_temp.{STAGE}')")).scalar() is None
        session.rollback()
    event.remove(seeded, "before_cursor_execute", seen)
    applying = [topic for topic in TOPICS if topic.policy.applies_on(DAY)]
    assert sum(
        s.startswith(f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT") for s in statements
    ) == len(applying)
    assert sum(added.values()) == len(staged) > 100
    with sessions() as session, session.begin():
        for topic in applying:
            for zone in calendars(session):
                session.execute(alerts_statement(session, topic, DAY, zone))
        assert _ledger(session) == staged
        session.rollback()
    with sessions() as session, session.begin():  # twice in one transaction: the stage was dropped
        record_alerts(session, DAY)
        assert record_alerts(session, DAY) == {topic.name: 0 for topic in TOPICS}


def test_only_the_staged_select_may_run_on_parallel_workers(seeded: Engine) -> None:
    sessions = session_factory(seeded)
    topic = next(t for t in TOPICS if t.name == "binder_payment_pending")
    with sessions() as session, session.begin():
        for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
            session.execute(text(f"SET LOCAL {setting} = 0"))
        staged = _plan(session, StageSelect(STAGE, _due(session, topic, DAY, ZONE, None)))
        plain = _plan(session, alerts_statement(session, topic, DAY, ZONE))
        assert any("Gather" in line for line in staged)
        assert not any("Gather" in line for line in plain)
