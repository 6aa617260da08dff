"""CRW tiles on hand-built case sets with a pinned clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules.crw import crw_events, crw_tiles
from store.models import Role

NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def crw(book):
    sunrise = book.agency("sunrise", "Sunrise")
    moonlight = book.agency("moonlight", "Moonlight")
    ana = book.enroller(sunrise, "Ana", "Agent", role=Role.AGENT_L2)
    bo = book.enroller(sunrise, "Bo", "Agent")
    sam = book.enroller(moonlight, "Sam", "Stranger")
    c = book.consumer(ana)
    cases = {
        "ana_new": book.crw_case(c, ana, ago(2), risk=5, reason="Premium increase"),
        "ana_29": book.crw_case(c, ana, ago(29.5), risk=5, reason="APTC change"),
        "ana_44": book.crw_case(c, ana, ago(44), risk=1, reason="Premium increase"),
        "ana_old": book.crw_case(c, ana, ago(90), risk=3, reason="Unresponsive"),
        "ana_closed": book.crw_case(c, ana, ago(20), risk=4, reason="APTC change", closed=ago(10)),
        "bo_closed": book.crw_case(c, bo, ago(6), risk=2, reason="Premium increase", closed=ago(3)),
        "bo_59": book.crw_case(c, bo, ago(59), risk=2, reason="Income change"),
        "sam": book.crw_case(c, sam, ago(1), risk=4, reason="Premium increase"),
    }
    return {"sunrise": sunrise, "moonlight": moonlight, "ana": ana, "bo": bo, "sam": sam, **cases}


def test_enroller_tiles(crw, sessions):
    with sessions() as s:
        tiles = crw_tiles(s, NOW, "enroller", [crw["ana"]])[crw["ana"]]
    assert tiles.open_cases == 4
    assert tiles.open_by_risk == {1: 1, 2: 0, 3: 1, 4: 0, 5: 2}
    assert tiles.aging == {"<7 days": 1, "<30 days": 1, "<45 days": 1, "<60 days": 0, "60+ days": 1}
    assert tiles.by_reason == {"Premium increase": 2, "APTC change": 2, "Unresponsive": 1}
    assert tiles.closed_cases == 1 and tiles.average_resolution_days == 10.0


def test_agency_tiles_roll_up_every_enroller_and_nobody_else(crw, sessions):
    with sessions() as s:
        tiles = crw_tiles(s, NOW, "agency")
    sunrise = tiles[crw["sunrise"]]
    assert sunrise.open_cases == 5
    assert sunrise.aging["<60 days"] == 1
    assert sunrise.closed_cases == 2 and sunrise.average_resolution_days == 6.5  # (10 + 3) / 2
    assert tiles[crw["moonlight"]].open_cases == 1
    assert sunrise.by_reason["Premium increase"] == 3


def test_a_case_opened_after_as_of_is_not_counted(crw, sessions):
    with sessions() as s:
        tiles = crw_tiles(s, ago(3), "enroller", [crw["ana"]])[crw["ana"]]
    assert tiles.open_cases == 3  # ana_new was opened 2 days ago
    assert tiles.aging["<7 days"] == 0
    assert tiles.closed_cases == 1  # ana_closed, closed 10 days ago


def test_daily_events_new_cases_and_bucket_crossings(book, sessions):
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent")
    c = book.consumer(ana)
    cutoff = datetime(2026, 11, 23, 8, tzinfo=UTC)
    book.crw_case(c, ana, cutoff - timedelta(hours=5), risk=4, case_number="CRW-NEW")
    book.crw_case(c, ana, cutoff - timedelta(days=30, hours=3), case_number="CRW-30")
    book.crw_case(c, ana, cutoff - timedelta(days=31, hours=3), case_number="CRW-31")
    book.crw_case(
        c, ana, cutoff - timedelta(days=7, hours=1), case_number="CRW-7", closed=cutoff - timedelta(days=1)
    )
    with sessions() as s:
        events = [(e.case_number, e.what) for e in crw_events(s, cutoff)]
    assert events == [("CRW-NEW", "newly assigned"), ("CRW-30", "open 30 days")]
