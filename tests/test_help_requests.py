"""Help requests: numbering, routing, who reads which request, support staff updates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rules.casework.help_requests import (
    HelpRefused,
    create_request,
    list_requests,
    show_request,
    update_request,
)
from store.models import AuditEntry, HelpCategory, HelpRequest, HelpStatus, Role

NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


@pytest.fixture
def people(book) -> dict[str, int]:
    sunrise = book.agency("sunrise", "Sunrise")
    moonlight = book.agency("moonlight", "Moonlight")
    return {
        "ana": book.enroller(sunrise, "Ana", "Agent", Role.AGENT_L1, license_number="0A1"),
        "lee": book.enroller(sunrise, "Lee", "Leveltwo", Role.AGENT_L2, license_number="0A2"),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, license_number="0A3"),
        "pia": book.enroller(sunrise, "Pia", "Primary", Role.PRIMARY_CONTACT, license_number="0A4"),
        "al": book.enroller(sunrise, "Al", "Adminone", Role.ADMIN_L1, license_number="0A5"),
        "sue": book.enroller(moonlight, "Sue", "Support", Role.SUPPORT_STAFF, license_number="0S1"),
        "mo": book.enroller(moonlight, "Mo", "Othermanager", Role.AGENCY_MANAGER, license_number="0B1"),
        "sam": book.enroller(moonlight, "Sam", "Stranger", Role.AGENT_L2, license_number="0B2"),
    }


@pytest.fixture
def filed(people, sessions) -> dict[str, str]:
    ana = create_request(
        sessions,
        people["ana"],
        HelpCategory.CONSUMER_CASE,
        "Application stuck",
        "Case 12345 cannot submit",
        NOW - timedelta(hours=3),
    )
    lee = create_request(
        sessions,
        people["lee"],
        HelpCategory.CONTRACTS,
        "Certification",
        "My certificate expired",
        NOW - timedelta(hours=2),
    )
    sam = create_request(
        sessions,
        people["sam"],
        HelpCategory.PROFILE,
        "Address change",
        "New office",
        NOW - timedelta(hours=1),
    )
    return {"ana": ana.number, "lee": lee.number, "sam": sam.number}


def test_a_new_request_is_numbered_routed_and_submitted(people, sessions):
    view = create_request(
        sessions, people["ana"], HelpCategory.SERVICE_CENTER, "  Login   help ", "Cannot log in\n", NOW
    )
    assert view.number.startswith("HR-2026-") and len(view.number) == len("HR-2026-000001")
    assert (view.category, view.topic, view.status, view.routed_team, view.details) == (
        "Agent/CEC Service Center",
        "Login help",
        "submitted",
        "Agent/CEC Service Center",
        "Cannot log in",
    )
    assert (view.created_at, view.updated_at, view.enroller) == (NOW, NOW, "Ana Agent (License 0A1)")
    second = create_request(sessions, people["ana"], HelpCategory.PROFILE, "x", "y", NOW)
    assert second.number != view.number and second.routed_team == "Agency/Entity Profile Team"


def test_the_year_is_the_agencys_local_year(people, sessions):
    new_years_eve = datetime(2027, 1, 1, 5, tzinfo=UTC)  # still 2026 in Los Angeles
    view = create_request(sessions, people["ana"], HelpCategory.PROFILE, "x", "y", new_years_eve)
    assert view.number.startswith("HR-2026-")


@pytest.mark.parametrize("topic, details", [("", "details"), ("topic", "  "), ("x" * 121, "d")])
def test_a_request_needs_a_topic_and_details(people, sessions, topic, details):
    with pytest.raises(HelpRefused):
        create_request(sessions, people["ana"], HelpCategory.PROFILE, topic, details, NOW)
    with sessions() as s:
        assert s.scalar(select(HelpRequest.id)) is None


VISIBLE = {
    "ana": {"ana"},
    "lee": {"lee"},
    "al": set(),
    "max": {"ana", "lee"},
    "pia": {"ana", "lee"},
    "mo": {"sam"},
    "sam": {"sam"},
    "sue": {"ana", "lee", "sam"},
}


@pytest.mark.parametrize("reader", VISIBLE)
def test_who_reads_which_request(people, filed, sessions, reader):
    listed = {view.number for view in list_requests(sessions, people[reader], NOW)}
    assert listed == {filed[owner] for owner in VISIBLE[reader]}
    for owner, number in filed.items():
        if owner in VISIBLE[reader]:
            view = show_request(sessions, people[reader], number.lower(), NOW)
            assert view.details is not None
            continue
        with pytest.raises(HelpRefused) as refused:
            show_request(sessions, people[reader], number, NOW)
        assert refused.value.reason == "unknown_request"
        assert str(refused.value).replace(number, "#") == (
            "no help request # that you can see; check the number with `help-request list`"
        )


def test_a_number_that_does_not_exist_reads_like_anothers(people, filed, sessions):
    with pytest.raises(HelpRefused) as refused:
        show_request(sessions, people["ana"], "HR-2026-999999", NOW)
    assert refused.value.reason == "unknown_request"
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "refused")).one()
    assert (entry.action, entry.target, entry.detail) == (
        "help.show",
        "HR-2026-999999",
        {"reason": "unknown_request"},
    )


def test_lists_are_newest_first_and_open_only_on_request(people, filed, sessions):
    assert [v.number for v in list_requests(sessions, people["sue"], NOW)] == [
        filed["sam"],
        filed["lee"],
        filed["ana"],
    ]
    update_request(sessions, people["sue"], filed["lee"], HelpStatus.RESOLVED, None, NOW)
    open_ones = list_requests(sessions, people["max"], NOW, open_only=True)
    assert [v.number for v in open_ones] == [filed["ana"]]
    assert open_ones[0].details is None and open_ones[0].updates == []


def test_support_staff_update_with_a_note(people, filed, sessions):
    later = NOW + timedelta(hours=1)
    view = update_request(
        sessions,
        people["sue"],
        filed["ana"],
        HelpStatus.PENDING_INFORMATION,
        " Please upload the notice ",
        NOW,
    )
    assert view.status == "pending_information" and view.updated_at == NOW
    update_request(sessions, people["sue"], filed["ana"], HelpStatus.IN_PROGRESS, None, later)
    seen = show_request(sessions, people["ana"], filed["ana"], later)
    assert seen.status == "in_progress" and seen.updated_at == later
    assert [(u["status"], u["note"], u["author"]) for u in seen.updates] == [
        ("in_progress", None, "Sue Support"),
        ("pending_information", "Please upload the notice", "Sue Support"),
    ]


@pytest.mark.parametrize("actor", ["ana", "max", "pia", "mo", "lee"])
def test_only_support_staff_update_and_the_attempt_is_audited(people, filed, sessions, actor):
    with pytest.raises(HelpRefused) as refused:
        update_request(sessions, people[actor], filed["ana"], HelpStatus.CLOSED, "done", NOW)
    assert refused.value.reason == "not_support_staff"
    assert show_request(sessions, people["sue"], filed["ana"], NOW).status == "submitted"
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "refused")).one()
    assert (entry.actor_id, entry.action, entry.detail) == (
        people[actor],
        "help.update",
        {"reason": "not_support_staff"},
    )


def test_support_staff_updating_an_unknown_number(people, filed, sessions):
    with pytest.raises(HelpRefused) as refused:
        update_request(sessions, people["sue"], "HR-2026-424242", HelpStatus.CLOSED, None, NOW)
    assert refused.value.reason == "unknown_request"


def test_audit_rows_carry_no_details_or_notes(people, filed, sessions):
    update_request(sessions, people["sue"], filed["ana"], HelpStatus.CLOSED, "Case 12345 fixed", NOW)
    with sessions() as s:
        rows = s.scalars(select(AuditEntry)).all()
        text = json.dumps([[r.action, r.target, r.outcome, r.detail] for r in rows])
    assert [r.action for r in rows].count("help.create") == 3
    assert "12345" not in text and "certificate" not in text and "fixed" not in text


@pytest.mark.parametrize(
    "topic, details", [("Login\x00", "details"), ("topic", "It broke\x00 900-12-3456"), ("a\x1bb", "d")]
)
def test_a_request_with_a_control_character_is_refused(people, sessions, topic, details):
    with pytest.raises(HelpRefused) as refused:
        create_request(sessions, people["ana"], HelpCategory.PROFILE, topic, details, NOW)
    assert refused.value.reason == "control_character"
    assert "900-12-3456" not in str(refused.value)
    with sessions() as s:
        assert s.scalar(select(HelpRequest.id)) is None


def test_details_may_span_lines(people, sessions):
    view = create_request(sessions, people["ana"], HelpCategory.PROFILE, "Login", "Step 1\n\tStep 2", NOW)
    assert view.details == "Step 1\n\tStep 2"


def test_an_update_note_with_a_control_character_is_refused(people, filed, sessions):
    with pytest.raises(HelpRefused) as refused:
        update_request(sessions, people["sue"], filed["ana"], HelpStatus.CLOSED, "done\x00", NOW)
    assert refused.value.reason == "control_character"
    with pytest.raises(HelpRefused) as refused:
        show_request(sessions, people["sue"], filed["ana"] + "\x00", NOW)
    assert refused.value.reason == "unknown_request"
