"""Delivery preferences as rules and rows: resolution, limits, who may change whose, and the
audit entry every change leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from rules.access import Via
from rules.preferences import (
    BOB_WINDOW,
    CONTRACT_TOPICS,
    AgencyChanges,
    Changes,
    local_instant,
    parse_delivery_time,
    parse_switch,
)
from store.errors import Refused
from store.models import AuditEntry, Role
from store.preferences import (
    agency_defaults,
    change_agency_defaults,
    change_preferences,
    effective_preferences,
    preferences_for,
    turn_email_digests_off,
)

QUIET = "pending_delegation"  # one of bob's own topics, which people may quiet

AT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
WEB = Via("web")


@pytest.fixture
def people(book):
    sunrise = book.agency()
    moonrise = book.agency(code="moonrise", name="Moonrise Insurance", tz="America/New_York")
    return {
        "sunrise": sunrise,
        "moonrise": moonrise,
        "ana": book.enroller(sunrise, "Ana", "Agent"),
        "lee": book.enroller(sunrise, "Lee", "Levelto", role=Role.AGENT_L2),
        "max": book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER),
        "omar": book.enroller(moonrise, "Omar", "Other", role=Role.AGENCY_MANAGER),
    }


def _prefs(sessions, enroller_id):
    with sessions() as session:
        return effective_preferences(session, enroller_id)


def _audit(sessions, action):
    with sessions() as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()


def test_someone_who_chose_nothing_gets_every_digest_by_email_and_slack_as_soon_as_the_run_is_done(
    sessions, people
):
    prefs = _prefs(sessions, people["ana"])
    assert (prefs.email_digest, prefs.slack_digest, prefs.email_no_alerts, prefs.slack_no_alerts) == (
        True,
        True,
        True,
        True,
    )
    assert prefs.deliver_at is None and prefs.not_before(date(2026, 12, 1)) is None
    assert prefs.quiet_topics == frozenset() and prefs.chosen == frozenset()
    assert prefs.window == BOB_WINDOW and prefs.time_zone == "America/Los_Angeles"


def test_the_agency_defaults_reach_everyone_who_has_not_chosen_and_a_choice_wins_over_them(sessions, people):
    change_preferences(sessions, people["lee"], people["lee"], Changes(email_no_alerts=True), WEB, AT)
    change_agency_defaults(
        sessions,
        people["max"],
        people["sunrise"],
        AgencyChanges(defaults={"email_no_alerts": False, "deliver_at": time(8, 0)}),
        WEB,
        AT,
    )
    ana, lee = _prefs(sessions, people["ana"]), _prefs(sessions, people["lee"])
    assert (ana.email_no_alerts, ana.deliver_at) == (False, time(8, 0))
    assert (lee.email_no_alerts, lee.deliver_at) == (True, time(8, 0))
    assert lee.chosen == {"email_no_alerts"}
    change_preferences(
        sessions, people["lee"], people["lee"], Changes(reset=frozenset({"email_no_alerts"})), WEB, AT
    )
    assert _prefs(sessions, people["lee"]).email_no_alerts is False
    assert _prefs(sessions, people["omar"]).email_no_alerts is True  # another agency keeps bob's


def test_a_delivery_time_outside_the_agencys_window_is_refused_in_one_line(sessions, people):
    with pytest.raises(Refused, match=r"^delivery time 05:30 is outside your agency's window 06:00-18:00$"):
        change_preferences(sessions, people["ana"], people["ana"], Changes(deliver_at=time(5, 30)), WEB, AT)
    refused = _audit(sessions, "prefs.set")
    assert [(e.outcome, e.detail["reason"]) for e in refused] == [("refused", "outside_window")]
    assert _prefs(sessions, people["ana"]).deliver_at is None


def test_a_time_chosen_before_the_agency_narrowed_its_window_moves_to_the_windows_nearest_end(
    sessions, people
):
    change_preferences(sessions, people["ana"], people["ana"], Changes(deliver_at=time(17, 0)), WEB, AT)
    change_agency_defaults(
        sessions,
        people["max"],
        people["sunrise"],
        AgencyChanges(earliest=time(7, 0), latest=time(9, 0)),
        WEB,
        AT,
    )
    assert _prefs(sessions, people["ana"]).deliver_at == time(9, 0)
    with pytest.raises(Refused, match="is empty"):
        change_agency_defaults(
            sessions, people["max"], people["sunrise"], AgencyChanges(earliest=time(10, 0)), WEB, AT
        )


@pytest.mark.parametrize("topic", sorted(CONTRACT_TOPICS))
def test_no_calheers_topic_can_be_quieted(sessions, people, topic):
    with pytest.raises(Refused, match="is a CalHEERS topic: it always reaches you"):
        change_preferences(sessions, people["ana"], people["ana"], Changes(quiet=frozenset({topic})), WEB, AT)
    assert _prefs(sessions, people["ana"]).quiet_topics == frozenset()


def test_a_topic_of_bobs_own_can_be_quieted_and_unquieted(sessions, people):
    quiet = Changes(quiet=frozenset({QUIET}))
    assert change_preferences(sessions, people["ana"], people["ana"], quiet, WEB, AT).quiet_topics == {QUIET}
    again = change_preferences(sessions, people["ana"], people["ana"], quiet, WEB, AT)  # twice is once
    assert again.quiet_topics == {QUIET}
    unquiet = Changes(unquiet=frozenset({QUIET}))
    assert change_preferences(sessions, people["ana"], people["ana"], unquiet, WEB, AT).quiet_topics == set()
    with pytest.raises(Refused, match="'no_such_topic' is not a topic you can quiet"):
        change_preferences(
            sessions, people["ana"], people["ana"], Changes(quiet=frozenset({"no_such_topic"})), WEB, AT
        )


def test_a_manager_may_change_their_agencys_people_and_nobody_else_may(sessions, people):
    off = Changes(slack_digest=False)
    assert change_preferences(sessions, people["max"], people["ana"], off, WEB, AT).slack_digest is False
    for actor, person in (("lee", "ana"), ("omar", "ana")):
        with pytest.raises(Refused, match="you may change only your own delivery preferences"):
            change_preferences(sessions, people[actor], people[person], Changes(slack_digest=True), WEB, AT)
    with pytest.raises(Refused, match="only the agency's managers"):
        change_agency_defaults(
            sessions,
            people["ana"],
            people["sunrise"],
            AgencyChanges(defaults={"email_digest": False}),
            WEB,
            AT,
        )
    assert _prefs(sessions, people["ana"]).slack_digest is False
    entries = [(e.actor_id, e.target, e.outcome) for e in _audit(sessions, "prefs.set")]
    assert entries == [
        (people["max"], f"enroller:{people['ana']}", "ok"),
        (people["lee"], f"enroller:{people['ana']}", "refused"),
        (people["omar"], f"enroller:{people['ana']}", "refused"),
    ]


def test_every_change_is_audited_with_the_settings_changed_and_the_channel(sessions, people):
    changes = Changes(email_digest=False, deliver_at=time(9, 30))
    change_preferences(sessions, people["ana"], people["ana"], changes, Via("cli", os_user="ops"), AT)
    (entry,) = _audit(sessions, "prefs.set")
    assert entry.outcome == "ok" and entry.at == AT
    assert entry.detail == {
        "channel": "cli",
        "os_user": "ops",
        "changes": {"email_digest": False, "deliver_at": "09:30"},
    }


def test_a_runs_preferences_come_from_one_query_however_many_people(sessions, engine, people):
    change_preferences(sessions, people["ana"], people["ana"], Changes(quiet=frozenset({QUIET})), WEB, AT)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions() as session:
            everyone = preferences_for(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert set(everyone) == {people[name] for name in ("ana", "lee", "max", "omar")}
    assert everyone[people["ana"]].quiet_topics == {QUIET}
    assert everyone[people["omar"]].time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        ("America/Los_Angeles", date(2026, 3, 7), 17),  # PST, the day before the change
        ("America/Los_Angeles", date(2026, 3, 8), 16),  # PDT from 02:00 that morning
        ("America/Los_Angeles", date(2026, 11, 1), 17),  # back to PST that morning
        ("America/New_York", date(2026, 3, 8), 13),
        ("America/New_York", date(2026, 10, 31), 13),
        ("America/New_York", date(2026, 11, 1), 14),
    ],
)
def test_the_delivery_time_is_local_to_the_agency_on_the_business_date_across_dst(
    sessions, book, zone, day, utc_hour
):
    agency = book.agency(code="z", tz=zone)
    ana = book.enroller(agency, "Ana", "Agent")
    prefs = change_preferences(sessions, ana, ana, Changes(deliver_at=time(9, 0)), WEB, AT)
    assert prefs.not_before(day) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_agency_defaults_read_bobs_until_the_agency_sets_its_own(sessions, people):
    with sessions() as session:
        before = agency_defaults(session, people["sunrise"])
    assert before.window == BOB_WINDOW and before.defaults.email_digest is True


@pytest.mark.parametrize(("text", "value"), [("on", True), ("OFF", False), (" yes ", True), ("0", False)])
def test_a_switch_is_written_on_or_off(text, value):
    assert parse_switch("email_digest", text) is value


@pytest.mark.parametrize("text", ["maybe", "", "onn", "2"])
def test_any_other_switch_word_is_refused_in_one_line(text):
    with pytest.raises(Refused, match="^email_digest must be on or off, not "):
        parse_switch("email_digest", text)


@pytest.mark.parametrize(
    ("text", "value"), [("09:30", time(9, 30)), ("9:05", time(9, 5)), ("23:59", time(23, 59))]
)
def test_a_delivery_time_is_written_hh_mm(text, value):
    assert parse_delivery_time("deliver_at", text) == value


@pytest.mark.parametrize("text", ["24:00", "9", "9:5", "9.30am", "12:60", "x" * 500])
def test_any_other_time_is_refused_in_one_line(text):
    with pytest.raises(Refused, match=r"^deliver_at must be a time written HH:MM \(24-hour\), not '"):
        parse_delivery_time("deliver_at", text)


def test_one_click_unsubscribe_turns_email_digests_off_on_the_persons_own_record(sessions, people):
    with sessions.begin() as session:
        prefs = turn_email_digests_off(session, people["ana"], Via("web"), AT)
    assert (prefs.email_digest, prefs.slack_digest, prefs.chosen) == (False, True, {"email_digest"})
    (entry,) = _audit(sessions, "prefs.unsubscribe")
    assert (entry.actor_id, entry.target, entry.outcome) == (people["ana"], f"enroller:{people['ana']}", "ok")
    assert entry.detail == {"channel": "web", "changes": {"email_digest": False}}


def test_a_time_the_clocks_skip_or_repeat_is_read_once_and_never_lost():
    pacific = ZoneInfo("America/Los_Angeles")
    # 02:30 does not exist on 8 March: it is read as 03:30 daylight time
    assert local_instant(date(2026, 3, 8), time(2, 30), pacific) == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    # 01:30 happens twice on 1 November: the first time counts
    assert local_instant(date(2026, 11, 1), time(1, 30), pacific) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
