"""The mailbox pages over HTTP: the list (newest first, unread marked, filters, pages), a
digest as HTML (the manager's grouped by enroller, filterable without JavaScript), read and
archive marks, a digest email's link, and another person's digest answering 404."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from store.db import transaction
from store.models import DigestKind, MailboxMessage
from tests.web_fixtures import NOW, Browser, audit_log, csrf_in

ANA, MAX, OMAR = "ana.agent@agency.test", "max.manager@agency.test", "omar.owner@agency.test"


def read_at(sessions, message_id: int):
    with sessions() as s:
        return s.scalar(select(MailboxMessage.read_at).where(MailboxMessage.id == message_id))


def add_digests(sessions, recipient_id: int, days: int, start: date = date(2026, 1, 1)) -> None:
    """``days`` older Daily Summaries, one per business date from ``start``."""
    with transaction(sessions) as s:
        for n in range(days):
            day = start + timedelta(days=n)
            topic = "nod_notice" if n % 2 else "binder_payment_pending"
            s.add(
                MailboxMessage(
                    recipient_id=recipient_id, kind=DigestKind.DAILY_SUMMARY, business_date=day,
                    subject=f"Daily Summary - {day:%m/%d/%Y}", alert_count=1, body_text="old", body_html="",
                    alerts=[{"case_number": f"OLD-{n}", "topic": topic, "topic_title": topic,
                             "enroller": {"name": "Ana Agent", "license_number": "0A11111"},
                             "contact": {"name": "X", "phone": None, "email": None}}],
                    created_at=NOW - timedelta(days=400 - n),
                )
            )  # fmt: skip


def subjects(html: str) -> list[str]:
    return re.findall(r'<a href="/mailbox/\d+">([^<]+)</a>', html)


async def mark(browser: Browser, message_id: int, what: str):
    html = await browser.page(f"/mailbox/{message_id}")
    return await browser.client.post(
        f"/mailbox/{message_id}/mark", data={"csrf_token": csrf_in(html), "mark": what}, allow_redirects=False
    )


async def test_the_list_shows_only_my_digests_newest_first_with_unread_marked(web_people, browser, sessions):
    add_digests(sessions, web_people.ids["ana"], 3, start=date(2026, 11, 1))
    await browser.sign_in(ANA)
    html = await browser.page("/mailbox")
    assert subjects(html) == [
        "Daily Summary - 11/23/2026", "Daily Summary - 11/03/2026", "Daily Summary - 11/02/2026",
        "Daily Summary - 11/01/2026",
    ]  # fmt: skip
    assert html.count("Unread</strong>") == 4
    assert "Manager Summary" not in html and "CASE-ANA-1" not in html  # a list, not the digests
    await mark(browser, web_people.digests["ana:daily_summary"], "read")
    html = await browser.page("/mailbox")
    assert html.count("Unread</strong>") == 3
    assert '<tr class="read">\n    <td>11/23/2026</td>' in html


async def test_the_list_filters_by_date_range_and_topic(web_people, browser, sessions):
    add_digests(sessions, web_people.ids["ana"], 10, start=date(2026, 10, 1))
    await browser.sign_in(ANA)
    html = await browser.page("/mailbox?from=2026-10-03&to=10/05/2026")
    assert subjects(html) == [f"Daily Summary - 10/0{d}/2026" for d in (5, 4, 3)]
    html = await browser.page("/mailbox?topic=binder_payment_pending")
    assert len(subjects(html)) == 5 and "11/23/2026" not in html  # Ana's own alerts are NOD notices
    html = await browser.page("/mailbox?topic=nod_notice&from=2026-11-01")
    assert subjects(html) == ["Daily Summary - 11/23/2026"]
    assert '<option value="nod_notice" selected>' in html


async def test_the_list_pages_by_25(web_people, browser, sessions):
    add_digests(sessions, web_people.ids["ana"], 30)
    await browser.sign_in(ANA)
    first = await browser.page("/mailbox")
    assert len(subjects(first)) == 25 and "Page 1 of 2" in first
    assert 'href="/mailbox?page=2" rel="next"' in first
    second = await browser.page("/mailbox?page=2")
    assert subjects(second) == [f"Daily Summary - 01/0{d}/2026" for d in (6, 5, 4, 3, 2, 1)]
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    filtered = await browser.page("/mailbox?topic=nod_notice")
    assert "page=2" not in filtered  # 15 NOD notices fit on one page
    empty = await browser.page("/mailbox?page=9")
    assert "No digest matches these filters." in empty


async def test_bad_filters_are_a_clear_400_never_a_500(web_people, browser):
    await browser.sign_in(ANA)
    for query, message in (
        ("from=yesterday", "is not a date; write it as MM/DD/YYYY"),
        ("from=2026-02-30", "is not a date"),
        ("from=2026-11-05&to=2026-11-01", "The from date is after the to date"),
        ("topic=<b>x</b>", "not one bob knows"),
        ("page=0", "The page must be a number from 1 to 10000"),
        ("page=99999999999999999999", "The page must be a number"),
        ("page=-1", "The page must be a number"),
        ("from=" + "9" * 500, "too long"),
    ):
        response = await browser.get(f"/mailbox?{query}")
        text = await response.text()
        assert response.status == 400, query
        assert message in text, query
        assert "<b>x</b>" not in text and "Traceback" not in text


async def test_a_daily_summary_page_shows_every_alert_with_its_contact(web_people, browser, sessions):
    digest = web_people.digests["ana:daily_summary"]
    await browser.sign_in(ANA)
    html = await browser.page(f"/mailbox/{digest}")
    assert "<h1>Daily Summary - 11/23/2026</h1>" in html
    assert "CASE-ANA-1" in html and "CASE-ANA-2" in html
    assert "Alicia Ramos" in html and "(916) 555-0101" in html and "alicia@consumer.test" in html
    assert "<td>NOD Notice</td><td>2</td>" in html
    assert 'id="enroller"' not in html  # an enroller's own digest has no enroller filter
    assert "CASE-LEE" not in html


async def test_opening_a_digest_is_audited_and_leaves_it_unread(web_people, browser, sessions):
    digest = web_people.digests["ana:daily_summary"]
    await browser.sign_in(ANA)
    await browser.page(f"/mailbox/{digest}")
    assert read_at(sessions, digest) is None  # GET changes nothing; reading is marked by hand
    entries = audit_log(sessions, "mailbox.read")
    assert [(e.actor_id, e.target, e.outcome, e.detail) for e in entries] == [
        (web_people.ids["ana"], f"message:{digest}", "ok", {"channel": "web"})
    ]


async def test_the_manager_digest_groups_by_enroller_with_contents_counts_and_filters(web_people, browser):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    html = await browser.page(f"/mailbox/{digest}")
    assert re.search(r"<h2 id=\"enroller-1\">Ana Agent \(License 0A11111\): 2 alerts</h2>", html)
    assert re.search(r"<h2 id=\"enroller-2\">Lee Level \(License 0A22222\): 2 alerts</h2>", html)
    assert '<nav aria-label="Contents" class="toc">' in html
    assert "Ana Agent</a> (2)" in html and "Lee Level</a> (2)" in html
    assert "<td>NOD Notice</td><td>3</td>" in html and "<td>Binder Payment Pending</td><td>1</td>" in html
    assert "Showing 4 of 4 alerts." in html
    lee = await browser.page(f"/mailbox/{digest}?enroller=0A22222")
    assert "CASE-LEE-1" in lee and "CASE-LEE-2" in lee and "CASE-ANA" not in lee
    assert '<option value="0A22222" selected>' in lee and "Showing 2 of 4 alerts." in lee
    binder = await browser.page(f"/mailbox/{digest}?topic=binder_payment_pending")
    assert "CASE-LEE-2" in binder and "CASE-LEE-1" not in binder and "CASE-ANA" not in binder
    both = await browser.page(f"/mailbox/{digest}?enroller=0A11111&topic=binder_payment_pending")
    assert "Showing 0 of 4 alerts." in both
    assert "<script" not in html and "style=" not in html


async def test_bad_digest_filters_and_ids_are_4xx(web_people, browser):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    for path, status in (
        (f"/mailbox/{digest}?enroller=<script>", 400),
        (f"/mailbox/{digest}?topic=nope", 400),
        ("/mailbox/99999999999999999999", 404),
        ("/mailbox/2147483648", 404),
        ("/mailbox/abc", 404),
        ("/mailbox/0", 404),
        ("/nowhere", 404),
    ):
        response = await browser.get(path)
        assert response.status == status, path
        assert "Traceback" not in await response.text()


async def test_another_persons_digest_is_not_found(web_people, browser, sessions):
    maxs = web_people.digests["max:manager_summary"]
    await browser.sign_in(OMAR)
    response = await browser.get(f"/mailbox/{maxs}")
    text = await response.text()
    assert response.status == 404
    assert "CASE-ANA" not in text and "Alicia" not in text and "There is nothing here" in text
    html = await browser.page(f"/mailbox/{web_people.digests['omar:manager_summary']}")
    refused = await browser.client.post(
        f"/mailbox/{maxs}/mark", data={"csrf_token": csrf_in(html), "mark": "read"}, allow_redirects=False
    )
    assert refused.status == 404
    assert read_at(sessions, maxs) is None
    refusals = [(e.actor_id, e.target, e.outcome, e.detail) for e in audit_log(sessions, "mailbox.read")]
    assert (
        web_people.ids["omar"],
        f"message:{maxs}",
        "refused",
        {"reason": "not_found", "channel": "web"},
    ) in refusals
    assert (web_people.ids["omar"], f"message:{maxs}", "ok", {"channel": "web"}) not in refusals


async def test_mark_read_unread_archive_and_back(web_people, browser, sessions):
    digest = web_people.digests["ana:daily_summary"]
    await browser.sign_in(ANA)
    response = await mark(browser, digest, "read")
    assert response.status == 303 and response.headers["Location"] == f"/mailbox/{digest}"
    assert read_at(sessions, digest) is not None
    assert "Mark as unread" in await browser.page(f"/mailbox/{digest}")
    await mark(browser, digest, "unread")
    assert read_at(sessions, digest) is None
    response = await mark(browser, digest, "archive")
    assert response.headers["Location"] == "/mailbox"
    assert "Daily Summary - 11/23/2026" not in await browser.page("/mailbox")
    assert "Daily Summary - 11/23/2026" in await browser.page("/mailbox?folder=archive")
    archived = await browser.page(f"/mailbox/{digest}")
    assert 'value="restore">Back to inbox' in archived and 'value="archive"' not in archived
    await mark(browser, digest, "restore")
    assert "Daily Summary - 11/23/2026" in await browser.page("/mailbox")
    bad = await mark(browser, digest, "delete")
    assert bad.status == 400


async def test_a_digest_emails_link_opens_its_page_after_sign_in(web_people, browser):
    digest = web_people.digests["max:manager_summary"]
    response = await browser.get("/mailbox/2026-11-23/manager-summary")
    assert response.status == 303
    assert response.headers["Location"] == "/signin?next=/mailbox/2026-11-23/manager-summary"
    landed = await browser.sign_in(MAX, next_path="/mailbox/2026-11-23/manager-summary")
    response = await browser.get(landed)
    assert response.status == 303 and response.headers["Location"] == f"/mailbox/{digest}"
    for path, status in (
        ("/mailbox/2026-11-22/manager-summary", 404),
        ("/mailbox/2026-11-23/weekly-summary", 404),
        ("/mailbox/2026-13-45/daily-summary", 400),
    ):
        assert (await browser.get(path)).status == status, path


async def test_the_root_goes_to_the_mailbox(web_people, browser):
    response = await browser.get("/")
    assert response.status == 303 and response.headers["Location"] == "/mailbox"


async def test_reading_and_signing_in_logs_no_pii(web_people, browser, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    await browser.sign_in(ANA)
    await browser.page(f"/mailbox/{web_people.digests['ana:daily_summary']}")
    browser.forget()
    await browser.ask_for_link("nobody@agency.test")
    for secret in ("Alicia", "555-0101", "alicia@consumer.test", ANA, "nobody@agency.test", "0A11111"):
        assert secret not in caplog.text


async def test_times_are_us_dates_in_the_readers_agency_zone(web_people, browser, sessions):
    from sqlalchemy import update

    from store.models import Agency

    with transaction(sessions) as s:
        s.execute(update(Agency).where(Agency.code == "moonrise").values(time_zone="America/New_York"))
    await browser.sign_in(OMAR)
    omars = await browser.page(f"/mailbox/{web_people.digests['omar:manager_summary']}")
    assert re.search(r"delivered \d\d/\d\d/\d{4} \d\d:\d\d [AP]M EST", omars)
    browser.forget()
    await browser.sign_in(MAX)
    maxs = await browser.page(f"/mailbox/{web_people.digests['max:manager_summary']}")
    assert re.search(r"delivered \d\d/\d\d/\d{4} \d\d:\d\d [AP]M PST", maxs)
    assert "Business date 11/23/2026" in maxs
