"""One-click unsubscribe over real HTTP, as a mail client does it (RFC 8058): a POST of
``List-Unsubscribe=One-Click`` to the link in the digest's List-Unsubscribe header, with no
cookie and no CSRF token, turns that recipient's email digests off. Opening the link (GET)
changes nothing; a tampered link changes nothing and says so."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestServer
from sqlalchemy import select

import web.unsubscribe
from mailer.daily_summary import run_daily_summary
from store.models import MailboxMessage, OutboxEmail, Role
from store.preferences import effective_preferences
from tests.web_fixtures import DAY, YESTERDAY, audit_log
from web.app import web_application
from web.deps import WebDeps
from web.settings import WebConfig

SECRET = "test-unsubscribe-secret-0123456789abcdef"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
async def server(sessions, web_clock):
    """bob's web pages on a local port, with the unsubscribe secret set; yields their URL,
    which the digest emails' links point at."""
    config = WebConfig(base_url="http://bob.agency.test", unsubscribe_secret=SECRET)
    server = TestServer(web_application(WebDeps(sessions, config, "bob@agency.test", clock=web_clock)))
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
def people(book, sessions, delivery, server) -> dict[str, int]:
    """Ana (agent, one alert) and Max (manager); the Daily Summary ran, its emails queued."""
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent")
    max_ = book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER)
    book.notice(book.consumer(ana, case_number="CASE-ANA-1"), YESTERDAY)
    settings = dataclasses.replace(delivery, web_base_url=server, unsubscribe_secret=SECRET)
    run_daily_summary(sessions, DAY, settings)
    return {"ana": ana, "max": max_}


def link_of(sessions, enroller_id: int) -> str:
    """The https link of the recipient's digest email's List-Unsubscribe header."""
    with sessions() as s:
        header = s.scalar(select(OutboxEmail.list_unsubscribe).where(OutboxEmail.recipient_id == enroller_id))
    return re.match(r"<(http[^>]+)>", header).group(1)


def email_digest_on(sessions, enroller_id: int) -> bool:
    with sessions() as s:
        return effective_preferences(s, enroller_id).email_digest


async def mail_client_post(url: str, data=None, headers=None) -> tuple[int, str]:
    """A POST as a mail client sends it: its own connection, no cookies, form-encoded."""
    data = ONE_CLICK if data is None else data
    async with aiohttp.ClientSession() as client:
        response = await client.post(url, data=data, headers=headers, allow_redirects=False)
        return response.status, await response.text()


async def test_a_mail_clients_one_click_post_turns_that_recipients_email_digests_off(sessions, people):
    url = link_of(sessions, people["ana"])
    status, html = await mail_client_post(url)
    assert status == 200 and "You will no longer get the Daily Summary by email." in html
    assert 'href="/signin?next=%2Fsettings"' in html  # turning them back on needs sign-in
    assert not email_digest_on(sessions, people["ana"])
    assert email_digest_on(sessions, people["max"])  # only that recipient
    [entry] = audit_log(sessions, "prefs.unsubscribe")
    assert (entry.actor_id, entry.outcome, entry.target) == (people["ana"], "ok", f"enroller:{people['ana']}")
    assert entry.detail["changes"] == {"email_digest": False}


async def test_doing_it_again_changes_nothing_more(sessions, people):
    url = link_of(sessions, people["ana"])
    await mail_client_post(url)
    status, html = await mail_client_post(url)
    assert status == 200 and "were already off; nothing changed" in html
    assert not email_digest_on(sessions, people["ana"])


async def test_a_multipart_post_is_taken_too(sessions, people):
    form = FormData(ONE_CLICK, default_to_multipart=True)
    status, _ = await mail_client_post(link_of(sessions, people["ana"]), form)
    assert status == 200 and not email_digest_on(sessions, people["ana"])


async def test_opening_the_link_only_shows_a_button(sessions, people):
    """Link scanners and previews open every link: a GET must not unsubscribe."""
    url = link_of(sessions, people["ana"])
    async with aiohttp.ClientSession() as client:
        for _ in range(3):
            async with client.get(url) as response:
                html = await response.text()
                assert response.status == 200
    assert '<button type="submit">Stop the Daily Summary emails</button>' in html
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in html
    assert email_digest_on(sessions, people["ana"])
    assert audit_log(sessions, "prefs.unsubscribe") == []


def tampered(url: str) -> list[str]:
    base, token = url.rsplit("/", 1)
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    return [
        f"{base}/{flipped}",
        f"{base}/{token[:-1]}",
        f"{base}/{token}A",
        f"{base}/{'x' * 500}",
        f"{base}/%00",
    ]


async def test_a_tampered_or_unknown_link_changes_nothing_and_says_so(sessions, people):
    for url in tampered(link_of(sessions, people["ana"])):
        status, html = await mail_client_post(url)
        assert status == 404, url
        assert "This unsubscribe link is not one bob sent" in html
        async with aiohttp.ClientSession() as client, client.get(url) as response:
            assert response.status == 404
    assert email_digest_on(sessions, people["ana"])
    refused = audit_log(sessions, "prefs.unsubscribe")
    assert {e.outcome for e in refused} == {"refused"} and {e.actor_id for e in refused} == {None}


async def test_a_link_signed_with_another_secret_is_refused(sessions, people):
    from rules.unsubscribe import key_of_token, unsubscribe_token

    url = link_of(sessions, people["ana"])
    base, token = url.rsplit("/", 1)
    key = key_of_token(SECRET, token)
    forged = unsubscribe_token("another-secret-0123456789abcdefghijk", key)
    status, _ = await mail_client_post(f"{base}/{forged}")
    assert status == 404 and email_digest_on(sessions, people["ana"])


async def test_a_post_without_the_one_click_body_changes_nothing(sessions, people):
    status, html = await mail_client_post(link_of(sessions, people["ana"]), {"something": "else"})
    assert status == 400 and "one-click unsubscribe" in html
    assert email_digest_on(sessions, people["ana"])


async def test_tries_of_unknown_links_are_limited_per_client_address(sessions, people, monkeypatch):
    monkeypatch.setattr(web.unsubscribe, "TRIES_PER_CLIENT", 2)
    url = link_of(sessions, people["ana"])
    base = url.rsplit("/", 1)[0]
    assert (await mail_client_post(f"{base}/{'A' * 43}"))[0] == 404
    assert (await mail_client_post(f"{base}/{'B' * 43}"))[0] == 404
    status, html = await mail_client_post(f"{base}/{'C' * 43}")
    assert status == 429 and "many unsubscribe requests" in html
    assert [e.outcome for e in audit_log(sessions, "prefs.unsubscribe")] == [
        "refused",
        "refused",
        "rate_limited",
    ]
    # A link bob sent still works from that address: it cannot be guessed, and a mail
    # provider posts every one-click unsubscribe of its users from a few addresses.
    assert (await mail_client_post(url))[0] == 200
    assert not email_digest_on(sessions, people["ana"])


async def test_link_scanners_opening_many_real_links_do_not_block_the_one_click_post(
    sessions, people, monkeypatch
):
    """Mail providers open every link of an incoming email (GET) and send their users'
    one-click posts from the same few addresses: neither may use up the limit."""
    monkeypatch.setattr(web.unsubscribe, "TRIES_PER_CLIENT", 2)
    ana, max_ = link_of(sessions, people["ana"]), link_of(sessions, people["max"])
    async with aiohttp.ClientSession() as client:
        for _ in range(3):
            for url in (ana, max_):
                assert (await client.get(url)).status == 200
    assert (await mail_client_post(ana))[0] == 200
    assert (await mail_client_post(max_))[0] == 200
    assert not email_digest_on(sessions, people["ana"]) and not email_digest_on(sessions, people["max"])


@pytest.mark.parametrize(
    "headers, body",
    [
        ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\nbroken"),
        ({"Content-Type": "multipart/form-data"}, b"List-Unsubscribe=One-Click"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"a=1&" * 50 + b"List-Unsubscribe=One-Click"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"\xff\xfe=\x00"),
        ({"Content-Type": "application/json"}, b'{"List-Unsubscribe": "One-Click"}'),
    ],
)
async def test_an_odd_body_is_a_plain_refusal_not_an_error(sessions, people, headers, body):
    status, html = await mail_client_post(link_of(sessions, people["ana"]), body, headers)
    assert status == 400 and "one-click unsubscribe" in html
    assert email_digest_on(sessions, people["ana"])


async def test_a_body_larger_than_a_form_is_refused(sessions, people):
    status, _ = await mail_client_post(link_of(sessions, people["ana"]), b"x" * 20_000)
    assert status == 413 and email_digest_on(sessions, people["ana"])


async def test_after_unsubscribing_the_next_digest_reaches_the_mailbox_but_not_the_inbox(
    sessions, people, delivery, server
):
    await mail_client_post(link_of(sessions, people["ana"]))
    next_day = DAY + timedelta(days=1)
    run_daily_summary(
        sessions, next_day, dataclasses.replace(delivery, web_base_url=server, unsubscribe_secret=SECRET)
    )
    with sessions() as s:
        emailed = set(
            s.scalars(
                select(OutboxEmail.recipient_id).where(OutboxEmail.message_key.contains(next_day.isoformat()))
            )
        )
        in_mailbox = set(
            s.scalars(select(MailboxMessage.recipient_id).where(MailboxMessage.business_date == next_day))
        )
    assert people["ana"] in in_mailbox and people["ana"] not in emailed
    assert people["max"] in emailed
