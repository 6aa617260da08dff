"""The one-time topics start from the events in their window, whatever SQLite's statistics say.

SQLite orders joins by its statistics: on the 1M-consumer book as built (no ``ANALYZE``) the
NOD Notice selector as first written went from each notice to every active enroller and all
their delegations (stopped after 60 s; 1.5 s after ``ANALYZE``), and the issue measured
``ANALYZE`` making canceled/terminated 30–70× slower. The selectors now fix the join order
(``store.join_order``). These checks read the plan of the very statement the run executes on
a small seeded book, planned without statistics, by its own, and by those of the 1M book
(SQLite plans by ``sqlite_stat1`` alone, so a small book with large statistics gets the large
book's plan), so the order cannot silently flip back.
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
from store.query_plans import first_step, join_order, query_plan, steps
from store.seed import SeedPlan, seed_book
from store.zones import local_midnight

DAY = date(2026, 9, 1)
ZONE = "America/Los_Angeles"
EVENT_TABLES = {
    "nod_notice": "notices",
    "enrollment_canceled": "enrollment_history",
    "enrollment_terminated": "enrollment_history",
}


# sqlite_stat1 after ANALYZE of the 1M-consumer book (10k enrollers, 200 agencies); with
# these, the selectors as first written walked every active delegation for canceled/terminated.
AT_1M = (
    ("agencies", "sqlite_autoindex_agencies_1", "200 1"),
    ("consumer_flags", "ix_consumer_flags_consumer_id", "51455 1"),
    ("consumer_flags", "ix_consumer_flags_kind_open", "51455 17152 3"),
    ("delegation_history", "ix_delegation_history_consumer", "1018003 1"),
    ("delegation_history", "ix_delegation_history_enroller", "1018003 115 41"),
    ("delegation_history", "uq_delegation_history_open", "1018003 1"),
    ("enroller_history", "ix_enroller_history_enroller", "10000 1 1"),
    ("enroller_history", "uq_enroller_history_open", "10000 1"),
    ("enrollers", "ix_enrollers_agency_id", "10000 50"),
    ("enrollers", "sqlite_autoindex_enrollers_1", "10000 1"),
    ("enrollers", "sqlite_autoindex_enrollers_2", "10000 10000"),
    ("enrollment_history", "ix_enrollment_history_status", "2342590 585648 390432 3"),
    ("enrollment_history", "ix_enrollment_history_status_since", "2342590 1 1"),
    ("enrollment_history", "uq_enrollment_history_open", "1202918 1"),
    ("enrollments", "ix_enrollments_consumer_id", "1202918 2"),
    ("enrollments", "ix_enrollments_status", "1202918 300730 150365"),
    ("notices", "ix_notices_consumer_id", "289996 1"),
    ("notices", "ix_notices_created_at", "289996 1"),
)


@pytest.fixture(scope="module")
def seeded(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded book of 3,000 consumers with news of every kind in the window."""
    path = tmp_path_factory.mktemp("plans") / "bob.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    as_of = local_midnight(DAY, ZoneInfo(ZONE))
    seed_book(engine, SeedPlan(agencies=2, consumers=3000, enrollers=30, seed=2026, as_of=as_of))
    engine.dispose()
    return path


@pytest.fixture(params=["no statistics", "own statistics", "statistics at 1M"], scope="module")
def analyzed(seeded: Path, request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    """The book planned as built, by its own statistics, or by those of the 1M-consumer book."""
    engine = make_engine(f"sqlite:///{seeded}")
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        if request.param != "own statistics":
            conn.execute(text("DELETE FROM sqlite_stat1"))
        if request.param == "statistics at 1M":
            insert = text("INSERT INTO sqlite_stat1 VALUES (:t, :i, :s)")
            conn.execute(insert, [dict(zip("tis", row, strict=True)) for row in AT_1M])
    engine.dispose()
    engine = make_engine(f"sqlite:///{seeded}")  # new connections plan by the statistics
    yield session_factory(engine)
    engine.dispose()


@pytest.mark.parametrize("topic", sorted(EVENT_TABLES))
def test_a_one_time_topic_starts_from_its_events(analyzed: sessionmaker[Session], topic: str) -> None:
    with analyzed() as session:
        statement = alerts_statement(session, TOPICS_BY_NAME[topic], DAY, ZONE)
        plan = query_plan(session, statement)
        assert first_step(plan).startswith(f"SEARCH {EVENT_TABLES[topic]} USING INDEX"), "\n".join(plan)
        # then each event's delegation, by consumer: never every delegation of an enroller
        assert join_order(plan)[1] == "delegation_history", "\n".join(plan)
        delegations = next(step for step in steps(plan) if step.split()[1] == "delegation_history")
        assert "ix_delegation_history_consumer (consumer_id=?)" in delegations
        added = session.execute(statement).rowcount  # type: ignore[attr-defined]
        assert added > 0  # the book has news of this kind
        session.rollback()


def test_the_first_step_is_the_outer_loop(analyzed: sessionmaker[Session]) -> None:
    with analyzed() as session:
        plan = query_plan(session, text("SELECT * FROM notices WHERE consumer_id = 1"))
    assert first_step(plan).startswith("SEARCH notices USING INDEX ix_notices_consumer_id")
