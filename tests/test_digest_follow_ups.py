"""The follow-ups section of the digests: each enroller's work queue sorted by due date in
the mailbox (text and HTML), only counts in the plain email, and the Daily Manager Summary's
due-this-week and overdue per enroller."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.digest_blocks import digest_dm, digest_page, digest_pages
from mailer.daily_summary import run_daily_summary
from mailer.digests import digests_for
from rules.ledger import record_alerts
from store.history import record_history
from store.mailbox import message_document
from store.models import Agency, DigestKind, FollowUpKind, FollowUpStatus, MailboxMessage, OutboxEmail, Role

DAY = date(2026, 11, 23)
RAISED = datetime(2026, 9, 1, 17, tzinfo=UTC)


@pytest.fixture
def people(book):
    sunrise = book.agency("sunrise", "Sunrise Insurance")
    ana = book.enroller(sunrise, "Ana", "Agent")
    bo = book.enroller(sunrise, "Bo", "Broker")
    max_ = book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER)
    alicia = book.consumer(ana, case_number="CASE-ANA-1", first_name="Alicia", last_name="Ramos")
    ben = book.consumer(ana, case_number="CASE-ANA-2", first_name="Benito", last_name="Soto")
    carl = book.consumer(bo, case_number="CASE-BO-1", first_name="Carla", last_name="Nunez")
    due = {n: DAY + timedelta(days=n) for n in (-3, 0, 5, 20, 45)}
    book.follow_up(alicia, due[20], RAISED, FollowUpKind.SVI, "Proof of move")
    book.follow_up(alicia, due[-3], RAISED, FollowUpKind.DMI, "Proof of income")
    book.follow_up(
        ben, due[5], RAISED, FollowUpKind.DOCUMENT, "Signed application", status=FollowUpStatus.SUBMITTED
    )
    book.follow_up(ben, due[45], RAISED)  # beyond the 30 days the queue looks ahead
    book.follow_up(
        ben, due[-3], RAISED, needed="Proof of citizenship",
        status=FollowUpStatus.CLEARED, resolved_at=datetime(2026, 11, 20, tzinfo=UTC),
    )  # fmt: skip
    book.follow_up(carl, due[0], RAISED)
    book.follow_up(carl, due[-3], RAISED)
    return {"ana": ana, "bo": bo, "max": max_}


def contexts(sessions) -> dict[tuple[DigestKind, str], dict]:
    with sessions() as s:
        record_history(s)
        return {(d.kind, d.recipient.name): d.context for d in digests_for(s, DAY)}


def test_the_queue_lists_outstanding_follow_ups_soonest_first(people, sessions):
    found = contexts(sessions)[(DigestKind.DAILY_SUMMARY, "Ana Agent")]
    assert [
        (f["due_on"], f["case_number"], f["kind"], f["needed"], f["status"]) for f in found["follow_ups"]
    ] == [
        (DAY - timedelta(days=3), "CASE-ANA-1", "DMI", "Proof of income", "open"),
        (DAY + timedelta(days=5), "CASE-ANA-2", "Document", "Signed application", "submitted"),
        (DAY + timedelta(days=20), "CASE-ANA-1", "SVI", "Proof of move", "open"),
    ]
    assert found["follow_up_counts"] == {"overdue": 1, "due_this_week": 1, "due_later": 1, "total": 3}


def mailbox(sessions, recipient_id: int) -> dict[str, MailboxMessage]:
    with sessions() as s:
        rows = s.scalars(select(MailboxMessage).where(MailboxMessage.recipient_id == recipient_id)).all()
    return {row.kind.value: row for row in rows}


def test_the_mailbox_shows_the_section_by_due_date_in_text_and_html(people, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    digest = mailbox(sessions, people["ana"])["daily_summary"]
    text, html = digest.body_text, digest.body_html
    assert "Follow-ups by due date (3)" in text and "Follow-ups by due date (3)" in html
    assert (
        "11/20/2026 (overdue 3 days) | Case CASE-ANA-1 | DMI: Proof of income | open | Alicia Ramos" in text
    )
    assert text.index("Proof of income") < text.index("Signed application") < text.index("Proof of move")
    assert "<td>11/20/2026<br>overdue 3 days</td><td>CASE-ANA-1</td><td>DMI: Proof of income</td>" in html
    assert html.index("Proof of income") < html.index("Signed application") < html.index("Proof of move")
    assert "Proof of citizenship" not in text and "CASE-BO-1" not in text


def test_the_email_counts_follow_ups_without_pii(people, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    with sessions() as s:
        [email] = s.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == people["ana"])).all()
    line = "Follow-ups: 1 overdue, 1 due within 7 days, 1 due later this month."
    assert line in email.body_text and line in (email.body_html or "")
    for body in (email.body_text, email.body_html or ""):
        for pii in ("CASE-ANA-1", "Alicia", "Ramos", "Proof of income"):
            assert pii not in body


def test_the_manager_summary_counts_due_this_week_and_overdue_per_enroller(people, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    summary = mailbox(sessions, people["max"])["manager_summary"]
    assert "Follow-ups: 2 overdue, 2 due within 7 days, 1 due later this month." in summary.body_text
    assert "Ana Agent                        1 / 1" in summary.body_text
    assert "Bo Broker                        1 / 1" in summary.body_text
    assert "<tr><td>Bo Broker</td><td>1</td><td>1</td></tr>" in summary.body_html
    with sessions() as s:
        [email] = s.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == people["max"])).all()
    assert "Follow-ups by enroller (due within 7 days / overdue):" in email.body_text
    assert "CASE-BO-1" not in email.body_text and "Carla" not in email.body_text


def test_an_agency_that_turned_bobs_topics_off_gets_no_follow_ups_section(people, sessions, delivery):
    with sessions() as s, s.begin():
        s.execute(update(Agency).values(bob_topics=False))
    found = contexts(sessions)[(DigestKind.DAILY_SUMMARY, "Ana Agent")]
    assert found["follow_ups"] == [] and found["follow_up_counts"]["total"] == 0
    run_daily_summary(sessions, DAY, delivery)
    assert "Follow-ups" not in mailbox(sessions, people["ana"])["daily_summary"].body_text


def slack_text(reply) -> str:
    return "\n".join(str(block.get("text", {}).get("text", "")) for block in reply.blocks)


def document(sessions, recipient_id: int, kind: str):
    with sessions() as s:
        message = mailbox(sessions, recipient_id)[kind]
        return message_document(s, recipient_id, message.id)


def test_the_slack_dm_and_its_pages_show_the_follow_ups(people, sessions, delivery):
    run_daily_summary(sessions, DAY, delivery)
    doc = document(sessions, people["ana"], "daily_summary")
    dm = slack_text(digest_dm(doc))
    assert "*Follow-ups*" in dm and "CASE-ANA-1" in dm and "Proof of income" in dm
    paged = "\n".join(slack_text(digest_page(doc, n)) for n in range(1, len(digest_pages(doc)) + 1))
    assert "*Follow-ups* (3)" in paged
    assert paged.index("Proof of income") < paged.index("Signed application") < paged.index("Proof of move")
    manager = slack_text(digest_dm(document(sessions, people["max"], "manager_summary")))
    assert "Follow-ups: 2 overdue, 2 due within 7 days, 1 due later this month." in manager


def test_a_no_alerts_dm_still_shows_the_follow_ups_coming_due(book, sessions, delivery):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent")
    # Due in 10 days: no due-soon day, so no alert, but on the queue.
    book.follow_up(book.consumer(agent, case_number="CASE-1"), DAY + timedelta(days=10), RAISED)
    quiet = book.enroller(agency, "Quinn", "Quiet")
    book.consumer(quiet)
    run_daily_summary(sessions, DAY, delivery)
    doc = document(sessions, agent, "daily_summary")
    assert doc.alert_count == 0
    dm = slack_text(digest_dm(doc))
    assert "due in 10 days" in dm and "CASE-1" in dm and "0 alerts" in dm
    assert slack_text(digest_dm(document(sessions, quiet, "daily_summary"))).endswith(
        "nothing needs you today."
    )


def test_each_queue_reaches_its_own_enroller_across_calendars_and_agencies_without_alerts(book, sessions):
    """The queues are streamed in agency order while the digests come to agencies without
    alerts last: an agency passed over keeps its queues until its digests are built."""
    quiet = book.agency("quiet", "Quiet Agency", tz="America/New_York")  # lower id, no alert
    busy = book.agency("busy", "Busy Agency")
    far = book.agency("far", "Far Agency", tz="Pacific/Honolulu")  # no alert either
    nia = book.enroller(quiet, "Nia", "Quiet")
    ana = book.enroller(busy, "Ana", "Agent")
    bo = book.enroller(busy, "Bo", "Broker")
    kai = book.enroller(far, "Kai", "Far")
    # Due in 10 days: on the queue, no alert; overdue: an alert.
    book.follow_up(book.consumer(nia, case_number="CASE-NIA"), DAY + timedelta(days=10), RAISED)
    book.follow_up(book.consumer(ana, case_number="CASE-ANA"), DAY - timedelta(days=2), RAISED)
    book.follow_up(book.consumer(bo, case_number="CASE-BO"), DAY + timedelta(days=10), RAISED)
    book.follow_up(book.consumer(kai, case_number="CASE-KAI"), DAY + timedelta(days=12), RAISED)
    book.consumer(kai, case_number="CASE-KAI-2")
    with sessions() as s:
        record_history(s)
        record_alerts(s, DAY)
        s.commit()
        found = [
            (d.recipient.name, d.context["total"], [f["case_number"] for f in d.context["follow_ups"]])
            for d in digests_for(s, DAY)
            if d.kind is DigestKind.DAILY_SUMMARY
        ]
    assert found == [
        ("Ana Agent", 1, ["CASE-ANA"]),
        ("Bo Broker", 0, ["CASE-BO"]),
        ("Nia Quiet", 0, ["CASE-NIA"]),
        ("Kai Far", 0, ["CASE-KAI"]),
    ]
