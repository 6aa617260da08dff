"""CRW case actions: who may see, note, close and transfer which case, with a pinned clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rules.casework.crw_cases import add_note, close_case
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles, show_case
from rules.casework.crw_reach import CrwRefused
from rules.casework.crw_transfer import transfer_case
from store.models import AuditEntry, CrwCase, CrwNote, CrwStatus, Role

NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@dataclass
class Agency:
    ids: dict[str, int]
    consumer: int

    def __getattr__(self, name: str) -> int:
        return self.ids[name]


@pytest.fixture
def crw(book) -> Agency:
    sunrise = book.agency("sunrise", "Sunrise")
    moonlight = book.agency("moonlight", "Moonlight")
    people = {
        "ana": book.enroller(
            sunrise, "Ana", "Assignee", Role.AGENT_L2, license_number="0A100", slack_user_id="UANA"
        ),
        "bo": book.enroller(sunrise, "Bo", "Levelone", Role.AGENT_L1, license_number="0A101"),
        "lee": book.enroller(
            sunrise, "Lee", "Leveltwo", Role.AGENT_L2, license_number="0A102", slack_user_id="ULEE"
        ),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, license_number="0A103"),
        "pia": book.enroller(sunrise, "Pia", "Primary", Role.PRIMARY_CONTACT, license_number="0A104"),
        "al": book.enroller(sunrise, "Al", "Adminone", Role.ADMIN_L1, license_number="0A105"),
        "sue": book.enroller(sunrise, "Sue", "Support", Role.SUPPORT_STAFF, license_number="0A106"),
        "ina": book.enroller(sunrise, "Ina", "Inactive", Role.AGENT_L2, license_number="0A107", active=False),
        "kim1": book.enroller(sunrise, "Kim", "Twin", Role.AGENT_L2, license_number="0A108"),
        "kim2": book.enroller(sunrise, "Kim", "Twin", Role.AGENT_L2, license_number="0A109"),
        "mo": book.enroller(moonlight, "Mo", "Othermanager", Role.AGENCY_MANAGER, license_number="0B200"),
        "sam": book.enroller(moonlight, "Sam", "Stranger", Role.AGENT_L2, license_number="0B201"),
    }
    consumer = book.consumer(
        people["ana"],
        first_name="Zelda",
        last_name="Renewer",
        primary_phone="(916) 555-0199",
        email="zelda@consumer.test",
        spoken_language="Spanish",
    )
    book.crw_case(consumer, people["ana"], ago(10), risk=5, reason="Premium increase", case_number="CRW-A1")
    book.crw_case(consumer, people["ana"], ago(40), risk=2, reason="APTC change", case_number="CRW-A2")
    book.crw_case(consumer, people["ana"], ago(50), risk=5, reason="Unresponsive", case_number="CRW-A3")
    book.crw_case(
        consumer, people["ana"], ago(20), risk=4, reason="APTC change", case_number="CRW-A4", closed=ago(5)
    )
    book.crw_case(consumer, people["bo"], ago(3), risk=3, reason="Income change", case_number="CRW-B1")
    book.crw_case(consumer, people["sam"], ago(1), risk=4, reason="Premium increase", case_number="CRW-S1")
    return Agency({**people, "sunrise": sunrise, "moonlight": moonlight}, consumer)


def case_state(sessions, number: str) -> tuple:
    with sessions() as s:
        c = s.scalars(select(CrwCase).where(CrwCase.case_number == number)).one()
        notes = s.scalar(select(CrwNote.id).where(CrwNote.crw_case_id == c.id).limit(1))
        return (c.status, c.assigned_enroller_id, c.assigned_at, c.closed_at, c.resolution_reason, notes)


def audit_rows(sessions) -> list[AuditEntry]:
    with sessions() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


ACTIONS = {
    "show": lambda s, who, crw: show_case(s, who, "CRW-A1", NOW),
    "note": lambda s, who, crw: add_note(s, who, "CRW-A1", "Left a voicemail", NOW),
    "close": lambda s, who, crw: close_case(s, who, "CRW-A1", "Renewed - same plan", "Called, renewed", NOW),
    "transfer": lambda s, who, crw: transfer_case(s, who, "CRW-A1", "0A102", NOW),
    "agency": lambda s, who, crw: agency_overview(s, who, NOW),
    "agency_list": lambda s, who, crw: list_cases(s, who, NOW, agency=True),
}
ACTORS = ("ana", "bo", "lee", "max", "pia", "al", "sue", "mo")
CASE_HOLDERS = {"ana", "max", "pia"}
ALLOWED = {
    "show": CASE_HOLDERS,
    "note": CASE_HOLDERS,
    "close": CASE_HOLDERS,
    "transfer": {"max", "pia"},
    "agency": {"max", "pia", "mo"},  # mo sees his own agency only: see the next test
    "agency_list": {"max", "pia", "mo"},
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_authorization_matrix(crw, sessions, action, actor):
    before = case_state(sessions, "CRW-A1")
    if actor in ALLOWED[action]:
        ACTIONS[action](sessions, crw.ids[actor], crw)
        assert not [a for a in audit_rows(sessions) if a.outcome == "refused"]
        return
    with pytest.raises(CrwRefused) as refused:
        ACTIONS[action](sessions, crw.ids[actor], crw)
    case_action = action in {"show", "note", "close"} or (action == "transfer" and actor == "mo")
    expected = "unknown_case" if case_action else "not_manager"
    assert refused.value.reason == expected
    assert case_state(sessions, "CRW-A1") == before
    [entry] = audit_rows(sessions)
    assert (entry.actor_id, entry.outcome, entry.detail) == (crw.ids[actor], "refused", {"reason": expected})


def test_a_manager_of_another_agency_sees_only_his_own(crw, sessions):
    assert [r.case_number for r in list_cases(sessions, crw.mo, NOW, agency=True)] == ["CRW-S1"]
    tiles, activity = agency_overview(sessions, crw.mo, NOW)
    assert tiles.open_cases == 1
    assert [line.enroller for line in activity] == ["Sam Stranger (License 0B201)"]


def test_an_unknown_case_and_another_agencys_case_read_the_same(crw, sessions):
    with pytest.raises(CrwRefused) as unknown:
        show_case(sessions, crw.max, "CRW-NOPE", NOW)
    with pytest.raises(CrwRefused) as elsewhere:
        show_case(sessions, crw.max, "CRW-S1", NOW)
    assert str(unknown.value).replace("CRW-NOPE", "#") == str(elsewhere.value).replace("CRW-S1", "#")
    assert str(elsewhere.value) == "no CRW case CRW-S1 in your book; check the number with `crw list`"
    assert [a.target for a in audit_rows(sessions)] == ["CRW-NOPE", "CRW-S1"]


def test_the_contact_is_shown_only_to_the_assignee(crw, sessions):
    mine = show_case(sessions, crw.ana, "CRW-A1", NOW)
    assert mine.contact == {
        "name": "Zelda Renewer",
        "phone": "(916) 555-0199",
        "email": "zelda@consumer.test",
        "preferred_language": "Spanish",
    }
    managed = show_case(sessions, crw.max, "CRW-A1", NOW)
    assert managed.contact is None
    assert (managed.risk_label, managed.age_days, managed.assignee) == (
        "Very High Risk",
        10,
        "Ana Assignee (License 0A100)",
    )
    assert "Zelda" not in json.dumps(managed.as_dict())


def test_notes_move_a_case_in_progress_and_read_newest_first(crw, sessions):
    add_note(sessions, crw.ana, "CRW-A1", "Left a voicemail", NOW - timedelta(hours=2))
    add_note(sessions, crw.max, " CRW-A1 ", "Manager called back", NOW)
    detail = show_case(sessions, crw.ana, "CRW-A1", NOW)
    assert detail.status == CrwStatus.IN_PROGRESS
    assert [(n["author"], n["text"]) for n in detail.notes] == [
        ("Max Manager (License 0A103)", "Manager called back"),
        ("Ana Assignee (License 0A100)", "Left a voicemail"),
    ]
    assert [(a.action, a.outcome) for a in audit_rows(sessions)] == [("crw.note", "ok")] * 2


def test_an_empty_note_is_refused(crw, sessions):
    with pytest.raises(CrwRefused) as refused:
        add_note(sessions, crw.ana, "CRW-A1", "   ", NOW)
    assert refused.value.reason == "empty_note"
    assert case_state(sessions, "CRW-A1")[-1] is None


@pytest.mark.parametrize(
    "reason, steps",
    [
        ("", "Called"),
        ("Renewed - same plan", ""),
        ("Renewed - same plan", "   "),
        ("Because", "Called"),
        (None, None),
    ],
)
def test_closing_needs_a_listed_reason_and_steps(crw, sessions, reason, steps):
    before = case_state(sessions, "CRW-A1")
    with pytest.raises(CrwRefused) as refused:
        close_case(sessions, crw.ana, "CRW-A1", reason, steps, NOW)
    assert refused.value.reason == "missing_resolution"
    assert "Renewed - same plan" in str(refused.value)
    assert case_state(sessions, "CRW-A1") == before


def test_closing_records_the_resolution_once(crw, sessions):
    close_case(
        sessions, crw.ana, "CRW-A1", resolution_reason="moved  to medi-cal", steps=" Helped apply. ", now=NOW
    )
    detail = show_case(sessions, crw.ana, "CRW-A1", NOW + timedelta(days=3))
    assert (detail.status, detail.closed_at, detail.resolution_reason, detail.resolution_steps) == (
        "closed",
        NOW,
        "Moved to Medi-Cal",
        "Helped apply.",
    )
    assert detail.age_days == 10  # age stops when the case closes
    with pytest.raises(CrwRefused) as refused:
        close_case(sessions, crw.ana, "CRW-A1", "Other", "Again", NOW)
    assert refused.value.reason == "already_closed"
    assert [(a.action, a.outcome) for a in audit_rows(sessions)] == [
        ("crw.close", "ok"),
        ("crw.close", "refused"),
    ]


def test_a_transfer_moves_the_case_to_a_level_2_agent(crw, sessions):
    later = NOW + timedelta(hours=1)
    result = transfer_case(sessions, crw.max, "CRW-A1", "lee  leveltwo", later)
    assert (result.from_enroller, result.to_enroller, result.to_enroller_id, result.to_slack_user_id) == (
        "Ana Assignee (License 0A100)",
        "Lee Leveltwo (License 0A102)",
        crw.lee,
        "ULEE",
    )
    status, assignee, assigned_at, *_ = case_state(sessions, "CRW-A1")
    assert (status, assignee, assigned_at) == ("open", crw.lee, later)
    [entry] = audit_rows(sessions)
    assert (entry.action, entry.actor_id, entry.target, entry.outcome) == (
        "crw.transfer",
        crw.max,
        "CRW-A1",
        "ok",
    )
    assert entry.detail == {"reason": "transferred", "from_enroller_id": crw.ana, "to_enroller_id": crw.lee}
    assert show_case(sessions, crw.lee, "CRW-A1", later).contact is not None
    with pytest.raises(CrwRefused):
        show_case(sessions, crw.ana, "CRW-A1", later)


@pytest.mark.parametrize(
    "to, reason",
    [
        ("Bo Levelone", "not_level_2"),
        ("0A105", "not_level_2"),
        ("Sam Stranger", "other_agency"),
        ("0B201", "other_agency"),
        ("Ina Inactive", "inactive_agent"),
        ("Kim Twin", "ambiguous_agent"),
        ("Ana Assignee", "same_assignee"),
        ("Nobody Known", "unknown_agent"),
    ],
)
def test_a_transfer_anywhere_else_is_refused_and_audited(crw, sessions, to, reason):
    before = case_state(sessions, "CRW-A1")
    with pytest.raises(CrwRefused) as refused:
        transfer_case(sessions, crw.max, "CRW-A1", to, NOW)
    assert refused.value.reason == reason
    assert case_state(sessions, "CRW-A1") == before
    [entry] = audit_rows(sessions)
    assert (entry.action, entry.target, entry.outcome, entry.detail) == (
        "crw.transfer",
        "CRW-A1",
        "refused",
        {"reason": reason},
    )
    if reason == "other_agency":
        assert "no agent" in str(refused.value) and "in your agency" in str(refused.value)


def test_a_level_2_agent_by_license_in_the_twin_case(crw, sessions):
    assert transfer_case(sessions, crw.pia, "CRW-A1", "0A109", NOW).to_enroller_id == crw.kim2


def test_a_closed_case_is_not_transferred(crw, sessions):
    with pytest.raises(CrwRefused) as refused:
        transfer_case(sessions, crw.max, "CRW-A4", "0A102", NOW)
    assert refused.value.reason == "case_closed"


def test_lists_are_riskiest_then_oldest_first(crw, sessions):
    rows = list_cases(sessions, crw.ana, NOW)
    assert [(r.case_number, r.risk, r.age_days) for r in rows] == [
        ("CRW-A3", 5, 50),
        ("CRW-A1", 5, 10),
        ("CRW-A2", 2, 40),
    ]
    assert [r.case_number for r in list_cases(sessions, crw.ana, NOW, risk=2)] == ["CRW-A2"]
    assert [r.case_number for r in list_cases(sessions, crw.ana, NOW, aging_days=30)] == ["CRW-A3", "CRW-A2"]
    assert "CRW-A4" in [r.case_number for r in list_cases(sessions, crw.ana, NOW, include_closed=True)]
    agency = list_cases(sessions, crw.max, NOW, agency=True)
    assert [r.case_number for r in agency] == ["CRW-A3", "CRW-A1", "CRW-B1", "CRW-A2"]
    assert list_cases(sessions, crw.max, NOW) == []


def test_a_list_is_read_a_page_at_a_time(crw, sessions):
    paged = list_cases(sessions, crw.max, NOW, agency=True, offset=1, limit=2)
    assert [r.case_number for r in paged] == ["CRW-A1", "CRW-B1"]
    assert list_cases(sessions, crw.max, NOW, agency=True, offset=4) == []
    assert len(list_cases(sessions, crw.max, NOW, agency=True, limit=10_000)) == 4


@pytest.mark.parametrize("kwargs", [{"risk": 0}, {"risk": 6}, {"aging_days": -1}])
def test_bad_list_filters_are_refused(crw, sessions, kwargs):
    with pytest.raises(CrwRefused) as refused:
        list_cases(sessions, crw.ana, NOW, **kwargs)
    assert refused.value.reason == "bad_filter"


def test_tiles_and_agency_activity(crw, sessions):
    tiles = my_tiles(sessions, crw.ana, NOW)
    assert tiles.open_cases == 3 and tiles.open_by_risk[5] == 2
    assert tiles.aging == {"<7 days": 0, "<30 days": 1, "<45 days": 1, "<60 days": 1, "60+ days": 0}
    assert tiles.closed_cases == 1 and tiles.average_resolution_days == 15.0
    assert my_tiles(sessions, crw.max, NOW).open_cases == 0
    add_note(sessions, crw.ana, "CRW-A1", "Called", NOW)
    agency, activity = agency_overview(sessions, crw.max, NOW)
    assert agency.open_cases == 4
    lines = {line.enroller: line for line in activity}
    ana = lines["Ana Assignee (License 0A100)"]
    assert (ana.open_cases, ana.closed_cases, ana.average_resolution_days, ana.notes_written) == (
        3,
        1,
        15.0,
        1,
    )
    assert lines["Bo Levelone (License 0A101)"].open_cases == 1
    assert lines["Lee Leveltwo (License 0A102)"].open_cases == 0
    assert activity[0].enroller == "Ana Assignee (License 0A100)"
    assert not any("Sam" in name or "Ina" in name for name in lines)


def test_an_inactive_or_unknown_actor_is_refused(crw, sessions):
    for actor in (crw.ina, 99999):
        with pytest.raises(CrwRefused) as refused:
            show_case(sessions, actor, "CRW-A1", NOW)
        assert refused.value.reason == "unknown_actor"
        with pytest.raises(CrwRefused):
            my_tiles(sessions, actor, NOW)


def test_audit_rows_carry_no_pii(crw, sessions):
    add_note(sessions, crw.ana, "CRW-A1", "Zelda said call (916) 555-0199", NOW)
    transfer_case(sessions, crw.max, "CRW-A2", "0A102", NOW)
    close_case(sessions, crw.ana, "CRW-A3", "Other", "Emailed zelda@consumer.test", NOW)
    for attempt in (
        lambda: show_case(sessions, crw.bo, "CRW-A1", NOW),
        lambda: transfer_case(sessions, crw.max, "CRW-A1", "Sam Stranger", NOW),
    ):
        with pytest.raises(CrwRefused):
            attempt()
    rows = audit_rows(sessions)
    assert len(rows) == 5
    text = json.dumps([[r.action, r.target, r.outcome, r.detail] for r in rows])
    for pii in ("Zelda", "Renewer", "555-0199", "zelda@", "Emailed", "voicemail"):
        assert pii not in text


# A NUL made PostgreSQL's driver raise (SQLite stored it); every control character but tab
# and line breaks is refused the same on both databases, and a lookup finds nothing.
CONTROLS = ["Called\x00 900-12-3456", "Called \x1b[31m", "a\x07b", "a\x0cb"]


@pytest.mark.parametrize("text", CONTROLS)
def test_a_note_with_a_control_character_is_refused(crw, sessions, text):
    with pytest.raises(CrwRefused) as refused:
        add_note(sessions, crw.ana, "CRW-A1", text, NOW)
    assert refused.value.reason == "control_character"
    assert "900-12-3456" not in str(refused.value)
    assert case_state(sessions, "CRW-A1")[-1] is None


def test_a_note_may_span_lines_and_hold_tabs(crw, sessions):
    add_note(sessions, crw.ana, "CRW-A1", "Called\r\n\tNo answer", NOW)
    assert show_case(sessions, crw.ana, "CRW-A1", NOW).notes[0]["text"] == "Called\r\n\tNo answer"


def test_closing_steps_with_a_control_character_are_refused(crw, sessions):
    before = case_state(sessions, "CRW-A1")
    with pytest.raises(CrwRefused) as refused:
        close_case(sessions, crw.ana, "CRW-A1", "Other", "Called\x00", NOW)
    assert refused.value.reason == "control_character"
    assert case_state(sessions, "CRW-A1") == before


@pytest.mark.parametrize("number", ["CRW-A1\x00", "\x00"])
def test_a_case_number_with_a_control_character_is_no_case(crw, sessions, number):
    with pytest.raises(CrwRefused) as refused:
        show_case(sessions, crw.ana, number, NOW)
    assert refused.value.reason == "unknown_case"
    with pytest.raises(CrwRefused) as refused:
        transfer_case(sessions, crw.max, "CRW-A1", "Lee\x00 Leveltwo", NOW)
    assert refused.value.reason == "unknown_agent"
