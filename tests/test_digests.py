"""What each recipient finds in the mailbox and the inbox."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from mailer.digests import digests_for
from rules.templating import TemplateMissing, render
from store.history import record_history
from store.models import DigestKind, EnrollmentStatus, FlagKind, MailboxMessage, OutboxEmail, Role

DAY = date(2026, 11, 23)
YESTERDAY = datetime(2026, 11, 22, 17, tzinfo=UTC)


@pytest.fixture
def agencies(book):
    """Sunrise (an agent with alerts, an agent without, a manager, a primary contact) and
    Moonlight (a stranger agent with alerts, and its own manager)."""
    sunrise = book.agency("sunrise", "Sunrise Insurance")
    moonlight = book.agency("moonlight", "Moonlight Benefits")
    people = {
        "ana": book.enroller(sunrise, "Ana", "Agent"),
        "quiet": book.enroller(sunrise, "Quinn", "Quiet", role=Role.AGENT_L2),
        "max": book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER),
        "pia": book.enroller(sunrise, "Pia", "Primary", role=Role.PRIMARY_CONTACT),
        "stranger": book.enroller(moonlight, "Sam", "Stranger"),
        "moon_manager": book.enroller(moonlight, "Mona", "Moon", role=Role.AGENCY_MANAGER),
    }
    ana_consumer = book.consumer(
        people["ana"],
        case_number="CASE-ANA-1",
        first_name="Alicia",
        last_name="Ramos",
        primary_phone="(916) 555-0101",
        email="alicia@consumer.test",
    )
    book.notice(ana_consumer, YESTERDAY)
    book.enrollment(ana_consumer, EnrollmentStatus.PENDING, at=YESTERDAY, binder_paid=False)
    book.consumer(people["quiet"], case_number="CASE-QUIET-1")
    stranger_consumer = book.consumer(
        people["stranger"], case_number="CASE-MOON-1", first_name="Zed", last_name="Zulu"
    )
    book.flag(stranger_consumer, FlagKind.ACTION_REQUESTED, raised=YESTERDAY)
    return people


def mailbox(sessions, recipient_id: int) -> dict[str, MailboxMessage]:
    with sessions() as s:
        rows = s.scalars(select(MailboxMessage).where(MailboxMessage.recipient_id == recipient_id)).all()
    return {row.kind.value: row for row in rows}


def email_to(sessions, recipient_id: int) -> list[OutboxEmail]:
    with sessions() as s:
        return list(s.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == recipient_id)))


def test_enroller_digest_shows_case_topic_and_contact(agencies, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    digest = mailbox(sessions, agencies["ana"])["daily_summary"]
    assert digest.subject == "Daily Summary - 11/23/2026"
    assert digest.alert_count == 2
    for body in (digest.body_text, digest.body_html):
        assert "CASE-ANA-1" in body
        assert "NOD Notice" in body and "Binder Payment Pending" in body
        assert "Alicia Ramos" in body and "(916) 555-0101" in body and "alicia@consumer.test" in body
    assert (
        "<th>Consumer Case Number</th><th>Notification Topic</th><th>Consumer Contact Information</th>"
        in digest.body_html
    )
    assert "CASE-MOON-1" not in digest.body_text


def test_an_enroller_without_alerts_gets_the_no_alerts_summary(agencies, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    digest = mailbox(sessions, agencies["quiet"])["daily_summary"]
    assert digest.subject == "No Alerts Daily Summary - 11/23/2026"
    assert digest.alert_count == 0
    [email] = email_to(sessions, agencies["quiet"])
    assert email.subject == "No Alerts Daily Summary - 11/23/2026"


def test_manager_digest_covers_exactly_the_agency_grouped_by_enroller(agencies, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    for manager in ("max", "pia"):
        digest = mailbox(sessions, agencies[manager])
        assert set(digest) == {"manager_summary"}  # no book of their own, no Daily Summary
        summary = digest["manager_summary"]
        assert summary.subject == "Daily Manager Summary - 11/23/2026"
        assert summary.alert_count == 2
        text = summary.body_text
        assert "== Ana Agent (License 0A00001): 2 alerts" in text
        assert "== Quinn Quiet (License 0A00002): 0 alerts" in text
        assert text.index("Ana Agent") < text.index("CASE-ANA-1") < text.index("Quinn Quiet")
        assert "CASE-MOON-1" not in text and "Sam Stranger" not in text and "Zed" not in text
        assert "CASE-MOON-1" not in summary.body_html
    moon = mailbox(sessions, agencies["moon_manager"])["manager_summary"]
    assert "CASE-MOON-1" in moon.body_text and "CASE-ANA-1" not in moon.body_text


def test_a_manager_with_nothing_to_report_gets_the_no_alerts_manager_summary(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    manager = book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER)
    run_daily_summary(sessions, DAY, delivery)
    assert (
        mailbox(sessions, manager)["manager_summary"].subject
        == "No Alerts Daily Manager Summary - 11/23/2026"
    )


def test_email_carries_counts_and_no_consumer_pii(agencies, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    [email] = email_to(sessions, agencies["ana"])
    assert email.to_address == "ana.agent@agency.test"
    assert email.subject == "Daily Summary - 11/23/2026"
    assert email.message_key == f"daily_summary:{agencies['ana']}:2026-11-23"
    assert email.message_id.startswith("<daily_summary.") and email.message_id.endswith("@agency.test>")
    for body in (email.body_text, email.body_html or ""):
        assert "Use /bob mailbox." in body
        for pii in ("Alicia", "Ramos", "555-0101", "alicia@consumer.test", "CASE-ANA-1"):
            assert pii not in body
    assert "NOD Notice" in email.body_text and "2 alerts" in email.body_text
    assert "<td>NOD Notice</td><td>1</td>" in (email.body_html or "")
    [manager_email] = email_to(sessions, agencies["max"])
    assert "2 alerts across 1 of 2 enrollers" in manager_email.body_text
    assert "Alicia" not in manager_email.body_text


def test_pii_in_email_only_when_configured(agencies, sessions, delivery):
    settings = dataclasses.replace(delivery, mailbox_hint="x", include_pii_in_email=True)
    run_daily_summary(sessions, DAY, settings)
    [email] = email_to(sessions, agencies["ana"])
    assert "Alicia Ramos" in email.body_text


def test_html_is_autoescaped(book, sessions, delivery):
    agency = book.agency(name="Sunrise <Insurance> & Co")
    agent = book.enroller(agency, "Ana", "Agent")
    consumer = book.consumer(agent, first_name="<script>alert(1)</script>")
    book.notice(consumer, YESTERDAY)
    run_daily_summary(sessions, DAY, delivery)
    html = mailbox(sessions, agent)["daily_summary"].body_html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Sunrise &lt;Insurance&gt; &amp; Co" in html


def test_who_is_due_is_data(agencies, sessions):
    with sessions() as s:
        record_history(s)
        found = {(d.kind, d.recipient.name): d.total for d in digests_for(s, DAY)}
    # Nothing recorded yet for the date: everyone is due, with no alerts.
    assert found == {
        (DigestKind.DAILY_SUMMARY, "Ana Agent"): 0,
        (DigestKind.DAILY_SUMMARY, "Quinn Quiet"): 0,
        (DigestKind.MANAGER_SUMMARY, "Max Manager"): 0,
        (DigestKind.MANAGER_SUMMARY, "Pia Primary"): 0,
        (DigestKind.DAILY_SUMMARY, "Sam Stranger"): 0,
        (DigestKind.MANAGER_SUMMARY, "Mona Moon"): 0,
    }


def test_a_missing_template_is_one_clear_error(tmp_path):
    with pytest.raises(TemplateMissing, match=r"template 'mailbox/daily_summary.subject.txt' is missing"):
        render("mailbox/daily_summary", {}, root=str(tmp_path))


def test_crw_updates_in_the_daily_summary_and_tiles_in_the_manager_summary(
    agencies, book, sessions, delivery
):
    from datetime import timedelta

    cutoff = datetime(2026, 11, 23, 8, tzinfo=UTC)  # local midnight, PST
    consumer = book.consumer(agencies["ana"])
    book.crw_case(
        consumer,
        agencies["ana"],
        cutoff - timedelta(hours=3),
        risk=5,
        case_number="CRW-NEW",
        reason="APTC change",
    )
    book.crw_case(
        consumer, agencies["ana"], cutoff - timedelta(days=45, hours=2), risk=2, case_number="CRW-45"
    )
    book.crw_case(consumer, agencies["stranger"], cutoff - timedelta(hours=3), case_number="CRW-MOON")
    run_daily_summary(sessions, DAY, delivery)
    daily = mailbox(sessions, agencies["ana"])["daily_summary"]
    assert "CRW case CRW-NEW | risk 5 | APTC change | newly assigned" in daily.body_text
    assert "CRW case CRW-45 | risk 2 | Premium increase | open 45 days" in daily.body_text
    assert "<td>CRW-NEW</td><td>5</td><td>APTC change</td><td>newly assigned</td>" in daily.body_html
    assert "CRW-MOON" not in daily.body_text
    [email] = email_to(sessions, agencies["ana"])
    assert "Consumer Retention Workspace: 2 case updates." in email.body_text
    manager = mailbox(sessions, agencies["max"])["manager_summary"]
    assert "Open cases: 2" in manager.body_text
    assert "5 Very High Risk: 1" in manager.body_text
    assert "<th>Open CRW cases</th><td>2</td>" in manager.body_html
    quiet = mailbox(sessions, agencies["quiet"])["daily_summary"]
    assert "Consumer Retention Workspace" not in quiet.body_text


def test_an_agencys_manager_summary_is_rendered_once_for_all_its_managers(
    agencies, sessions, delivery, monkeypatch
):
    """The mailbox Daily Manager Summary depends on the agency alone: Sunrise's two managers
    get the same text from one rendering, while each email still greets its own recipient."""
    import mailer.daily_summary as daily

    rendered: list[str] = []

    def counting_render(kind, context, *args, **kwargs):
        rendered.append(kind)
        return render(kind, context, *args, **kwargs)

    monkeypatch.setattr(daily, "render", counting_render)
    run_daily_summary(sessions, DAY, delivery)
    assert rendered.count("mailbox/manager_summary") == 2  # Sunrise and Moonlight
    assert rendered.count("email/manager_summary") == 3  # Max, Pia, Mona
    assert rendered.count("mailbox/daily_summary") == 3  # Ana, Quinn, Sam
    max_box = mailbox(sessions, agencies["max"])["manager_summary"]
    pia_box = mailbox(sessions, agencies["pia"])["manager_summary"]
    assert (max_box.body_text, max_box.body_html) == (pia_box.body_text, pia_box.body_html)
    assert max_box.alerts == pia_box.alerts and len(max_box.alerts) == 2
    [max_email], [pia_email] = email_to(sessions, agencies["max"]), email_to(sessions, agencies["pia"])
    assert "Hello Max Manager" in max_email.body_text and "Hello Pia Primary" in pia_email.body_text


def test_the_mailbox_manager_summary_does_not_depend_on_the_recipient(agencies, sessions):
    """Rendered without a recipient's name (StrictUndefined would refuse a template that used
    one), so sharing the text between managers cannot show one the other's name."""
    with sessions() as s:
        record_history(s)
        managers = [d for d in digests_for(s, DAY) if d.kind is DigestKind.MANAGER_SUMMARY]
    assert managers and all(d.shared is not None and "recipient_name" not in d.shared for d in managers)
    texts = render("mailbox/manager_summary", {**managers[0].shared, "mailbox_hint": "x"})
    assert "Sunrise Insurance" in texts.text
