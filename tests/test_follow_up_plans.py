"""The follow-up list and exports read a book's follow-ups by consumer, never by walking every
outstanding follow-up on file: SQLite's plans (without statistics) of the very statements bob
runs, pinned, so a 200k-follow-up store costs an agency what its own book holds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from exports.columns import agency_scope, agent_scope
from exports.follow_up_columns import ExportDay, at_risk_query, follow_up_count, follow_up_query
from exports.roster_columns import roster_query
from rules.casework import follow_up_queue
from store.db import make_engine, session_factory
from store.query_plans import query_plan, steps

DAY = ExportDay(date(2026, 11, 23), ZoneInfo("America/Los_Angeles"))


class Actor:
    id = 5
    agency_id = 1


def listed(agency: bool) -> object:
    wanted = follow_up_queue.FollowUpFilter(7, True, agency)
    where = [*follow_up_queue._reach(Actor(), agency), *follow_up_queue._due(wanted, DAY.day)]  # type: ignore[arg-type]
    return follow_up_queue._rows_query(where)


STATEMENTS = {
    "followups own": lambda: listed(False),
    "followups agency": lambda: listed(True),
    "export follow-ups agency": lambda: follow_up_query(agency_scope(1), DAY),
    "export follow-ups count": lambda: follow_up_count(agent_scope(5), DAY),
    "export at-risk agency": lambda: at_risk_query(agency_scope(1), DAY),
    "export roster": lambda: roster_query(agency_scope(1), DAY),
}


@pytest.fixture
def session(migrated_template: Path, tmp_path: Path) -> Iterator[Session]:
    path = tmp_path / "plans.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.mark.parametrize("name", STATEMENTS)
def test_follow_ups_are_read_by_consumer(session, name):
    reads = [step for step in steps(query_plan(session, STATEMENTS[name]())) if " follow_ups " in f"{step} "]
    assert reads, "the statement reads follow-ups"
    assert all("ix_follow_ups_consumer_id (consumer_id=?)" in step for step in reads), reads
