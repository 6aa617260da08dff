"""CLI reads of consumer data are on record with the operating-system user, and `bob audit`
gives an access review the log by person, action and dates, as lines, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from rules.access import audit
from store.models import AuditEntry, Role

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles
PII = ("Zelda", "Renewer", "555-0199", "zelda@consumer.test", "900-12-3456")


@pytest.fixture
def people(book, sessions, delivery, monkeypatch):
    monkeypatch.setenv("LOGNAME", "opsadmin")
    sunrise = book.agency("sunrise", "Sunrise")
    ana = book.enroller(sunrise, "Ana", "Assignee", Role.AGENT_L2, license_number="0A100")
    bo = book.enroller(sunrise, "Bo", "Levelone", Role.AGENT_L1, license_number="0A101")
    consumer = book.consumer(
        ana,
        first_name="Zelda",
        last_name="Renewer",
        primary_phone="(916) 555-0199",
        email="zelda@consumer.test",
        ssn="900-12-3456",
    )
    book.notice(consumer, NOW - timedelta(days=2))
    book.crw_case(consumer, ana, NOW - timedelta(days=10), case_number="CRW-A1")
    run_daily_summary(sessions, (NOW - timedelta(days=1)).date(), delivery)
    return {"ana": ana, "bo": bo}


def entries(sessions) -> list[tuple[str, int | None, str | None, dict]]:
    with sessions() as s:
        return [
            (e.action, e.actor_id, e.target, e.detail)
            for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_cli_reads_record_who_what_the_channel_and_the_os_user(cli_at, people, sessions, capsys):
    assert cli_at(NOW, "mailbox", "list", "0A100", "--json") == 0
    [message] = json.loads(capsys.readouterr().out)
    assert cli_at(NOW, "mailbox", "show", "0A100", str(message["id"])) == 0
    assert cli_at(NOW, "crw", "show", "CRW-A1", "--as", "0A100") == 0
    assert cli_at(NOW, "crw", "list", "--as", "0A100") == 0
    capsys.readouterr()
    on_record = {"channel": "cli", "os_user": "opsadmin"}
    assert entries(sessions) == [
        ("mailbox.list", people["ana"], "own", on_record),
        ("mailbox.read", people["ana"], f"message:{message['id']}", on_record),
        ("crw.show", people["ana"], "CRW-A1", on_record),
        ("crw.list", people["ana"], "own", on_record),
    ]


def test_a_refused_read_is_recorded_as_refused_not_as_a_read(cli_at, people, sessions, capsys):
    assert cli_at(NOW, "crw", "show", "CRW-A1", "--as", "0A101") == 2
    with sessions() as s:
        assert [(e.action, e.outcome) for e in s.scalars(select(AuditEntry))] == [("crw.show", "refused")]


def test_bob_audit_filters_by_person_action_and_dates(cli_at, people, sessions, capsys):
    assert cli_at(NOW, "mailbox", "list", "0A100") == 0
    assert cli_at(NOW + timedelta(days=1), "crw", "show", "CRW-A1", "--as", "0A100") == 0
    with sessions.begin() as s:
        audit(s, people["bo"], "mailbox.read", "message:9", "refused", NOW, {"reason": "not_found"})
    capsys.readouterr()
    assert cli_at(NOW, "audit", "--person", "0A100", "--json") == 0
    assert [row["action"] for row in json.loads(capsys.readouterr().out)] == ["mailbox.list", "crw.show"]
    assert cli_at(NOW, "audit", "--action", "mailbox", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["action"], r["actor_license"], r["outcome"]) for r in rows] == [
        ("mailbox.list", "0A100", "ok"),
        ("mailbox.read", "0A101", "refused"),
    ]
    assert cli_at(NOW, "audit", "--from", "2026-12-01", "--to", "2026-12-01") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "1 entries" and "crw.show" in lines[0] and "via cli (os user opsadmin)" in lines[0]
    assert cli_at(NOW, "audit", "--from", "2027-01-01") == 0
    assert capsys.readouterr().out == "no audit entries match\n"


def test_the_csv_export_parses_holds_no_pii_and_runs_no_formula(cli_at, people, sessions, capsys):
    assert cli_at(NOW, "crw", "show", "CRW-A1", "--as", "0A100") == 0
    with sessions.begin() as s:
        audit(s, None, "link.request", '=HYPERLINK("http://x")', "refused", NOW, None)
    capsys.readouterr()
    assert cli_at(NOW, "audit", "--csv") == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["action"] for row in rows] == ["crw.show", "link.request"]
    assert (
        rows[0]["os_user"] == "opsadmin"
        and rows[0]["channel"] == "cli"
        and rows[0]["actor_license"] == "0A100"
    )
    assert rows[1]["target"].startswith("'=")
    assert not any(pii in out for pii in PII)
