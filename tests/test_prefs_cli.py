"""`bob prefs …` end to end through `app.cli.main`: operators act `--as` an enroller with that
enroller's rights, every change (and refused change) is audited with the shell user, and a bad
value is one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.cli import main
from app.commands import prefs as prefs_commands
from store.models import AuditEntry, Role

NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


@pytest.fixture
def people(monkeypatch, db_url, tmp_path, book) -> dict[str, int]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.setenv("LOGNAME", "opsuser")
    monkeypatch.setattr(prefs_commands, "utcnow", lambda: NOW)
    sunrise = book.agency("sunrise", "Sunrise")
    moonlight = book.agency("moonlight", "Moonlight", tz="America/New_York")
    return {
        "ana": book.enroller(sunrise, "Ana", "Agent", Role.AGENT_L1, license_number="0A100"),
        "bo": book.enroller(sunrise, "Bo", "Agent", Role.AGENT_L2, license_number="0A101"),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, license_number="0A103"),
        "mo": book.enroller(moonlight, "Mo", "Other", Role.AGENCY_MANAGER, license_number="0B1"),
    }


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def audit(sessions, action: str) -> list[AuditEntry]:
    with sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_show_prints_every_setting_and_where_it_comes_from(people, capsys):
    status, out, _ = run(capsys, "prefs", "show", "--as", "0A100")
    assert status == 0
    assert "Delivery preferences of 0A100" in out
    assert "Daily Summary by email         on  (agency default)" in out
    assert "Delivery time                  as soon as the run is done  (agency default)" in out
    assert "Window                         06:00-18:00 America/Los_Angeles" in out
    assert "Ana" not in out and "@" not in out  # license numbers only


def test_set_changes_your_own_and_audits_it_with_the_shell_user(people, sessions, capsys):
    status, out, err = run(
        capsys,
        "prefs",
        "set",
        "--as",
        "0A100",
        "--email-no-alerts",
        "off",
        "--deliver-at",
        "9:15",
        "--slack",
        "OFF",
    )
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "changed: slack off, email-no-alerts off, deliver-at 09:15"
    status, out, _ = run(capsys, "prefs", "show", "--as", "0A100", "--json")
    shown = json.loads(out)
    assert (shown["slack_digest"], shown["email_no_alerts"], shown["email_digest"]) == (False, False, True)
    assert shown["deliver_at"] == "09:15" and shown["chosen"] == [
        "deliver_at",
        "email_no_alerts",
        "slack_digest",
    ]
    [entry] = audit(sessions, "prefs.set")
    assert (entry.actor_id, entry.target, entry.outcome, entry.at) == (
        people["ana"],
        f"enroller:{people['ana']}",
        "ok",
        NOW,
    )
    assert entry.detail == {
        "channel": "cli",
        "os_user": "opsuser",
        "changes": {"slack_digest": False, "email_no_alerts": False, "deliver_at": "09:15"},
    }
    status, out, _ = run(capsys, "prefs", "set", "--as", "0A100", "--reset", "deliver-at", "--reset", "slack")
    assert (
        status == 0
        and "changed: deliver-at follows the agency default, slack follows the agency default" in out
    )


def test_a_manager_sets_an_agents_preferences_and_a_stranger_is_refused_on_record(people, sessions, capsys):
    status, _, _ = run(capsys, "prefs", "set", "--as", "0A103", "--for", "0A100", "--email", "off")
    assert status == 0
    status, _, err = run(capsys, "prefs", "set", "--as", "0B1", "--for", "0A100", "--email", "on")
    assert status == 2
    assert (
        err == "bob: error: you may change only your own delivery preferences "
        "(an agency manager: those of the agency's people)\n"
    )
    status, _, err = run(capsys, "prefs", "set", "--as", "0A101", "--for", "0A100", "--email", "on")
    assert status == 2 and "you may change only your own" in err
    status, _, err = run(capsys, "prefs", "show", "--as", "0A101", "--for", "0A100")
    assert status == 2 and "you may change only your own" in err
    entries = [(e.actor_id, e.outcome, (e.detail or {}).get("reason")) for e in audit(sessions, "prefs.set")]
    assert entries == [
        (people["max"], "ok", None),
        (people["mo"], "refused", "not_allowed"),
        (people["bo"], "refused", "not_allowed"),
    ]
    status, out, _ = run(capsys, "prefs", "show", "--as", "0A103", "--for", "0A100", "--json")
    assert json.loads(out)["email_digest"] is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--email", "maybe"], "--email must be on or off, not 'maybe'"),
        (["--deliver-at", "25:00"], "--deliver-at must be a time written HH:MM (24-hour), not '25:00'"),
        (["--deliver-at", "05:00"], "delivery time 05:00 is outside your agency's window 06:00-18:00"),
        (
            ["--quiet", "nod_notice"],
            "nod_notice is a CalHEERS topic: it always reaches you and cannot be quieted",
        ),
        (["--quiet", "x" * 300], "is not a topic you can quiet"),
        (["--reset", "colour"], "--reset 'colour': the settings are email, slack, email-no-alerts"),
        ([], "nothing to change: name at least one setting"),
    ],
)
def test_a_bad_value_is_one_clear_line(people, capsys, argv, message):
    status, out, err = run(capsys, "prefs", "set", "--as", "0A100", *argv)
    assert status == 2 and out == ""
    assert err.startswith("bob: error: ") and message in err and err.count("\n") == 1
    assert "Traceback" not in err and len(err) < 300


def test_an_unknown_person_is_one_line(people, capsys):
    status, _, err = run(capsys, "prefs", "show", "--as", "0A100", "--for", "0Z999")
    assert status == 2 and err == "bob: error: no enroller has that license number or email on file\n"


def test_a_manager_sets_the_agency_defaults_its_people_follow(people, sessions, capsys):
    status, out, err = run(
        capsys,
        "prefs",
        "agency",
        "set",
        "--as",
        "0A103",
        "--window",
        "07:00-10:00",
        "--deliver-at",
        "08:30",
        "--email-no-alerts",
        "off",
    )
    assert (status, err) == (0, "")
    assert "Window                         07:00-10:00" in out
    _, out, _ = run(capsys, "prefs", "show", "--as", "0A100", "--json")
    shown = json.loads(out)
    assert (shown["email_no_alerts"], shown["deliver_at"], shown["window"]) == (False, "08:30", "07:00-10:00")
    _, out, _ = run(capsys, "prefs", "show", "--as", "0B1", "--json")  # another agency: bob's
    assert json.loads(out)["email_no_alerts"] is True
    [entry] = audit(sessions, "prefs.agency")
    assert entry.detail == {
        "channel": "cli",
        "os_user": "opsuser",
        "changes": {
            "default_email_no_alerts": False,
            "default_deliver_at": "08:30",
            "earliest_delivery": "07:00",
            "latest_delivery": "10:00",
        },
    }
    status, _, err = run(capsys, "prefs", "agency", "set", "--as", "0A100", "--email", "off")
    assert status == 2 and "only the agency's managers may change its delivery defaults" in err
    assert [e.outcome for e in audit(sessions, "prefs.agency")] == ["ok", "refused"]
    status, _, err = run(capsys, "prefs", "agency", "set", "--as", "0A103", "--window", "10:00")
    assert status == 2 and "--window must be written HH:MM-HH:MM, not '10:00'" in err
    status, _, err = run(capsys, "prefs", "agency", "show", "--as", "0A100")
    assert status == 2 and "only the agency's managers" in err
