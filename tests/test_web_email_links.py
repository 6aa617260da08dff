"""Each digest email links straight to its page on the web mailbox (``[web] base_url``), and
still carries no PII; the link works only for its recipient, after sign-in."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from store.models import OutboxEmail, Role
from tests.web_fixtures import DAY, YESTERDAY


def emails(sessions) -> dict[str, OutboxEmail]:
    with sessions() as s:
        return {e.to_address: e for e in s.scalars(select(OutboxEmail))}


def setup_book(book) -> None:
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent")
    book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER)
    alicia = book.consumer(
        ana, case_number="CASE-ANA-1", first_name="Alicia", last_name="Ramos", email="alicia@consumer.test"
    )
    book.notice(alicia, YESTERDAY)


def test_each_digest_email_links_to_its_page_and_holds_no_pii(book, sessions, delivery):
    setup_book(book)
    run_daily_summary(sessions, DAY, dataclasses.replace(delivery, web_base_url="https://bob.agency.test/"))
    sent = emails(sessions)
    ana, max_ = sent["ana.agent@agency.test"], sent["max.manager@agency.test"]
    assert (
        "Read it in your browser (sign-in needed): https://bob.agency.test/mailbox/2026-11-23/daily-summary"
        in (ana.body_text)
    )
    assert '<a href="https://bob.agency.test/mailbox/2026-11-23/daily-summary">' in ana.body_html
    assert "https://bob.agency.test/mailbox/2026-11-23/manager-summary" in max_.body_text
    assert '<a href="https://bob.agency.test/mailbox/2026-11-23/manager-summary">' in max_.body_html
    for email in (ana, max_):
        for body in (email.body_text, email.body_html):
            assert "CASE-ANA-1" not in body and "Alicia" not in body and "alicia@consumer.test" not in body


def test_without_a_base_url_the_email_has_no_link(book, sessions, delivery):
    setup_book(book)
    run_daily_summary(sessions, DAY, delivery)
    for email in emails(sessions).values():
        assert "/mailbox/" not in email.body_text and "Read it in your browser" not in email.body_text
        assert "Read it in your browser" not in (email.body_html or "")
