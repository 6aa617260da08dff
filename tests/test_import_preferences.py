"""The enrollers file's delivery preference columns: a person's starting preferences, set in
bulk; bad values rejected with row, column and reason; a person's own choice never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from rules.access import Via
from rules.preferences import Changes
from store.importers.dictionary import import_bob_files
from store.models import Enroller
from store.preferences import change_preferences, effective_preferences

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
AGENCIES = "code,name,time_zone\nsunrise,Sunrise Insurance,America/Los_Angeles\n"
HEADER = (
    "license_number,agency_code,first_name,last_name,email,role,email_digest,slack_no_alerts,deliver_at\n"
)


def load(folder: Path, sessions, *rows: str):
    folder.mkdir(exist_ok=True)
    (folder / "agencies.csv").write_text(AGENCIES)
    (folder / "enrollers.csv").write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return import_bob_files(folder, sessions, now=NOW)[1]


def prefs_of(sessions, license_number: str):
    with sessions() as session:
        enroller = session.query(Enroller).filter_by(license_number=license_number).one()
        return effective_preferences(session, enroller.id)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "book"


def test_the_columns_set_each_persons_starting_preferences(sessions, folder):
    summary = load(
        folder,
        sessions,
        "0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,N,no,9:30",
        "0A2,sunrise,Bo,Broker,bo@agency.test,agent_l1,,,",
    )
    assert (summary.created, summary.rejected) == (2, 0)
    ana, bo = prefs_of(sessions, "0A1"), prefs_of(sessions, "0A2")
    assert (ana.email_digest, ana.slack_no_alerts, ana.deliver_at) == (False, False, time(9, 30))
    assert ana.email_no_alerts is True and "email_no_alerts" not in ana.chosen  # not in the file
    assert (bo.email_digest, bo.deliver_at, bo.chosen) == (True, None, frozenset())  # blank: the defaults


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("maybe,Y,", "email_digest", "not Y or N"),
        ("Y,sometimes,", "slack_no_alerts", "not Y or N"),
        ("Y,Y,25:00", "deliver_at", "not a time written HH:MM (24-hour)"),
        ("Y,Y,9.30am", "deliver_at", "not a time written HH:MM (24-hour)"),
        ("Y,Y,05:00", "deliver_at", "outside the agency's delivery window 06:00-18:00"),
    ],
)
def test_a_bad_value_rejects_its_row_and_the_good_rows_still_load(sessions, folder, cells, column, reason):
    summary = load(
        folder,
        sessions,
        f"0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,{cells}",
        "0A2,sunrise,Bo,Broker,bo@agency.test,agent_l1,N,,08:00",
    )
    assert (summary.created, summary.rejected) == (1, 1)
    assert (folder / "enrollers.rejects.csv").read_text().splitlines()[1:] == [f"2,{column},{reason}"]
    assert prefs_of(sessions, "0A2").deliver_at == time(8, 0)
    with sessions() as session:
        assert session.query(Enroller).filter_by(license_number="0A1").one_or_none() is None


def test_reimporting_changes_nothing_and_a_new_value_updates_someone_who_never_chose(sessions, folder):
    row = "0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,N,no,9:30"
    load(folder, sessions, row)
    again = load(folder, sessions, row)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = load(folder, sessions, "0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,Y,no,10:00")
    assert (changed.updated, changed.unchanged) == (1, 0)
    assert (prefs_of(sessions, "0A1").email_digest, prefs_of(sessions, "0A1").deliver_at) == (
        True,
        time(10, 0),
    )


def test_an_import_never_overwrites_a_persons_own_choice(sessions, folder):
    load(folder, sessions, "0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,N,no,9:30")
    ana = prefs_of(sessions, "0A1").enroller_id
    change_preferences(sessions, ana, ana, Changes(email_digest=True), Via("web"), NOW)
    summary = load(folder, sessions, "0A1,sunrise,Ana,Agent,ana@agency.test,agent_l1,N,yes,11:00")
    assert summary.unchanged == 1
    prefs = prefs_of(sessions, "0A1")
    assert (prefs.email_digest, prefs.slack_no_alerts, prefs.deliver_at) == (True, False, time(9, 30))
