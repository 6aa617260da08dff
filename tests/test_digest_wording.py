"""Digests read right in both parts: no Markdown backticks, a hint the recipient can act on,
no promise a No Alerts email cannot keep, the business date instead of "today", enrollers by
name under headings no smaller than their topics, and the alerts as data for `--json`."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.cli import main
from mailer.daily_summary import run_daily_summary
from mailer.settings import MailConfig
from rules.templating import render
from store.models import MailboxMessage, OutboxEmail, Role

DAY = date(2026, 11, 23)
YESTERDAY = datetime(2026, 11, 22, 17, tzinfo=UTC)


@pytest.fixture
def sunrise(book):
    """Sunrise: Ana (an agent with two alerts), Quinn (an agent without), Max (the manager)."""
    agency = book.agency("sunrise", "Sunrise Insurance")
    people = {
        "ana": book.enroller(agency, "Ana", "Agent", license_number="0A11111"),
        "quinn": book.enroller(agency, "Quinn", "Quiet", license_number="0A22222"),
        "max": book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER, license_number="0M33333"),
    }
    for case in ("CASE-A1", "CASE-A2"):
        book.notice(book.consumer(people["ana"], case_number=case), YESTERDAY)
    book.consumer(people["quinn"], case_number="CASE-Q1")
    return people


@pytest.fixture
def default_hint(delivery):
    """The delivery settings with the hint an operator gets without configuring one."""
    return dataclasses.replace(delivery, mailbox_hint=MailConfig().mailbox_hint)


def written(sessions, recipient_id: int) -> list[tuple[str, str, str]]:
    """(what, text, html) of every mailbox digest and email the recipient got."""
    with sessions() as s:
        boxes = s.scalars(select(MailboxMessage).where(MailboxMessage.recipient_id == recipient_id))
        parts = [(f"mailbox {m.kind.value}", m.body_text, m.body_html) for m in boxes]
        emails = s.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == recipient_id))
        parts += [(f"email {e.subject}", e.body_text, e.body_html or "") for e in emails]
    return parts


def test_no_message_shows_markdown_backticks(sunrise, sessions, default_hint):
    run_daily_summary(sessions, DAY, default_hint)
    for person in sunrise.values():
        for what, text, html in written(sessions, person):
            assert "`" not in text and "`" not in html, what
    context = {"code": "123456", "minutes": 10, "file_name": "book.xlsx", "password": "pw"}
    for kind in ("link_code", "export_password"):
        extra = {"recipient_name": "Ana", "expires_minutes": 60, "file_went": "was sent to you in Slack"}
        notice = render(f"email/{kind}", {**context, **extra})
        assert "`" not in notice.text and "`" not in notice.html, kind


def test_the_default_hint_points_at_what_an_agent_can_do():
    hint = MailConfig().mailbox_hint
    assert "/bob mailbox" in hint and "Slack" in hint and "agency manager" in hint
    assert "bob mailbox list" not in hint  # an operator's CLI command, not the agent's


def test_a_no_alerts_email_promises_no_case_numbers_or_contacts(sunrise, sessions, default_hint):
    run_daily_summary(sessions, DAY, default_hint)
    [(_, text, html)] = [part for part in written(sessions, sunrise["quinn"]) if part[0].startswith("email")]
    for part in (text, html):
        assert "No Alerts" in part or "no alerts" in part
        assert "case number" not in part.lower() and "contact details" not in part.lower()
        assert default_hint.mailbox_hint in part
    [(_, ana_text, ana_html)] = [
        part for part in written(sessions, sunrise["ana"]) if part[0].startswith("email")
    ]
    assert "case numbers and contact details" in ana_text and "case numbers and contact details" in ana_html


def test_a_digest_read_days_later_names_its_business_date_not_today(sunrise, sessions, default_hint):
    run_daily_summary(sessions, DAY, default_hint)
    for person in sunrise.values():
        for what, text, html in written(sessions, person):
            for part in (text, html):
                assert not re.search(r"\btoday\b", part, re.IGNORECASE), what
                assert "11/23/2026" in part, what


def _font_size(html: str, selector: str) -> float:
    match = re.search(rf"^\s*{selector} {{[^}}]*font-size: ([\d.]+)em", html, re.MULTILINE)
    assert match, f"no font-size for {selector}"
    return float(match.group(1))


def test_the_manager_digest_lists_enrollers_by_name_above_their_topics(sunrise, sessions, default_hint):
    run_daily_summary(sessions, DAY, default_hint)
    parts = written(sessions, sunrise["max"])
    assert len(parts) == 2  # the mailbox digest and the email
    for what, text, html in parts:
        for part in (text, html):
            assert "Ana Agent" in part and "Quinn Quiet" in part, what
    [(_, _, mailbox_html)] = [part for part in parts if part[0].startswith("mailbox")]
    assert re.search(
        r"<h2>Ana Agent \(License 0A11111\) &mdash; 2 alerts</h2>\s*<h3>NOD Notice", mailbox_html
    )
    assert _font_size(mailbox_html, "h2") > _font_size(mailbox_html, "h3")


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def test_mailbox_show_json_carries_the_alerts_as_data(env, sunrise, capsys):
    assert main(["summary", "run", "--date", DAY.isoformat(), "--allow-old"]) == 0
    capsys.readouterr()
    alerts = {}
    for who in ("0A11111", "0M33333"):
        assert main(["mailbox", "list", who, "--json"]) == 0
        [entry] = json.loads(capsys.readouterr().out)
        assert main(["mailbox", "show", who, str(entry["id"]), "--json"]) == 0
        alerts[who] = json.loads(capsys.readouterr().out)["alerts"]
    expected = [
        {
            "case_number": case,
            "topic": "nod_notice",
            "topic_title": "NOD Notice",
            "enroller": {"name": "Ana Agent", "license_number": "0A11111"},
        }
        for case in ("CASE-A1", "CASE-A2")
    ]
    strip = [
        {k: a[k] for k in ("case_number", "topic", "topic_title", "enroller")} for a in alerts["0A11111"]
    ]
    assert strip == expected
    assert [a["case_number"] for a in alerts["0M33333"]] == ["CASE-A1", "CASE-A2"]
    assert all(a["enroller"]["license_number"] == "0A11111" for a in alerts["0M33333"])
    assert {"name", "phone", "email"} <= set(alerts["0A11111"][0]["contact"])


def test_a_key_of_a_plain_dict_wins_over_a_dict_method_of_the_same_name(tmp_path):
    """bob's environment reads ``x.name`` of a plain dict as its key first (the fast path), and
    still falls back to attributes, and to StrictUndefined for what neither has."""
    from jinja2 import UndefinedError

    from rules.templating import environment

    env = environment(str(tmp_path))
    assert (
        env.from_string("{{ row.count }} {{ row.title }}").render(row={"count": 3, "title": "NOD"}) == "3 NOD"
    )
    assert env.from_string("{{ d.items() | list }}").render(d={"a": 1}) == "[('a', 1)]"
    with pytest.raises(UndefinedError):
        env.from_string("{{ row.missing }}").render(row={"count": 3})
