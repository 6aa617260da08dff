"""The one-time topics start from the events in their window, whatever SQLite's statistics say.

After ``ANALYZE`` SQLite's planner once chose to walk every active delegation and look each
one's enrollments up (30–70× slower at 1M consumers); the selectors fix the join order
(``store.join_order``). These checks read the plan of the very statement the run executes,
on a small seeded book with statistics, so the order cannot silently flip back.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from rules.ledger import alerts_statement
from rules.topics import TOPICS_BY_NAME
from store.db import make_engine, session_factory
from store.query_plans import first_step, query_plan
from store.seed import SeedPlan, seed_book
from store.zones import local_midnight

DAY = date(2026, 9, 1)
ZONE = "America/Los_Angeles"
EVENT_TABLES = {
    "nod_notice": "notices",
    "enrollment_canceled": "enrollment_history",
    "enrollment_terminated": "enrollment_history",
}


@pytest.fixture(scope="module")
def analyzed(
    migrated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """A seeded book of 3,000 consumers, its statistics gathered."""
    path = tmp_path_factory.mktemp("plans") / "bob.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    as_of = local_midnight(DAY, ZoneInfo(ZONE))
    seed_book(engine, SeedPlan(agencies=2, consumers=3000, enrollers=30, seed=2026, as_of=as_of))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    engine = make_engine(f"sqlite:///{path}")  # new connections plan by the statistics
    yield session_factory(engine)
    engine.dispose()


@pytest.mark.parametrize("topic", sorted(EVENT_TABLES))
def test_a_one_time_topic_starts_from_its_events(analyzed: sessionmaker[Session], topic: str) -> None:
    with analyzed() as session:
        assert session.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar_one() > 0
        statement = alerts_statement(session, TOPICS_BY_NAME[topic], DAY, ZONE)
        plan = query_plan(session, statement)
        assert first_step(plan).split()[:2] == ["SEARCH", EVENT_TABLES[topic]], "\n".join(plan)
        assert any(line.strip().startswith("SEARCH delegation_history") for line in plan)
        added = session.execute(statement).rowcount  # type: ignore[attr-defined]
        assert added > 0  # the book has news of this kind
        session.rollback()


def test_the_first_step_is_the_outer_loop(analyzed: sessionmaker[Session]) -> None:
    with analyzed() as session:
        plan = query_plan(session, text("SELECT * FROM notices WHERE consumer_id = 1"))
    assert first_step(plan).startswith("SEARCH notices USING INDEX ix_notices_consumer_id")
