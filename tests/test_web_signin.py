"""Signing in to the web mailbox without a password: the emailed one-time link (read back
from the outbox), its 15 minutes and single use, its limits, and the same reply for an
address that is not on file."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from rules.web_signin import mint_signin_link, token_hash
from store.db import transaction
from store.models import Enroller, OutboxEmail, SignInLink, WebSession
from tests.web_fixtures import audit_log, csrf_in, newest_email, token_in

ANA = "ana.agent@agency.test"


def emails_to(sessions, address: str) -> int:
    with sessions() as s:
        return s.scalar(
            select(func.count()).where(
                OutboxEmail.to_address == address, OutboxEmail.subject == "Your bob sign-in link"
            )
        )


async def test_the_emailed_link_signs_in_and_lands_on_the_page_asked_for(web_people, browser, sessions):
    digest = web_people.digests["ana:daily_summary"]
    response = await browser.get(f"/mailbox/{digest}")
    assert response.status == 303
    assert response.headers["Location"] == f"/signin?next=/mailbox/{digest}"
    landed = await browser.sign_in(ANA, next_path=f"/mailbox/{digest}")
    assert landed == f"/mailbox/{digest}"
    html = await browser.page(landed)
    assert "CASE-ANA-1" in html and "Alicia Ramos" in html
    email = newest_email(sessions, ANA)
    assert email.subject == "Your bob sign-in link"
    assert "http://bob.agency.test/signin/link?token=" in email.body_text
    assert "http://bob.agency.test/signin/link?token=" in email.body_html
    with sessions() as s:  # only the hash of the token is kept
        stored = s.scalars(select(SignInLink.token_hash)).one()
    assert stored == token_hash(token_in(email)) and token_in(email) not in stored
    assert [(e.actor_id, e.outcome) for e in audit_log(sessions, "web.signin")] == [
        (web_people.ids["ana"], "signed_in")
    ]
    assert [e.outcome for e in audit_log(sessions, "web.signin_requested")] == ["link_sent"]


async def test_opening_the_link_changes_nothing_until_sign_in_is_pressed(web_people, browser, sessions):
    await browser.ask_for_link(ANA)
    token = token_in(newest_email(sessions, ANA))
    for _ in range(3):  # a mail scanner following the link spends nothing
        html = await browser.page(f"/signin/link?token={token}")
        assert "<button" in html and "Sign in" in html
    with sessions() as s:
        assert s.scalar(select(SignInLink.used_at)) is None
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
    assert await browser.use_token(token) == "/mailbox"


async def test_the_reply_is_the_same_whether_or_not_the_address_is_on_file(web_people, browser, sessions):
    known = await browser.ask_for_link(ANA)
    unknown = await browser.ask_for_link("nobody@agency.test")
    inactive = await browser.ask_for_link("gus.gone@agency.test")
    pages = [await r.text() for r in (known, unknown, inactive)]
    assert [r.status for r in (known, unknown, inactive)] == [200, 200, 200]
    assert pages[0] == pages[1] == pages[2]
    assert "If that email address or license number is on file" in pages[0]
    assert emails_to(sessions, ANA) == 1
    assert emails_to(sessions, "nobody@agency.test") == emails_to(sessions, "gus.gone@agency.test") == 0
    outcomes = [e.outcome for e in audit_log(sessions, "web.signin_requested")]
    assert outcomes == ["link_sent", "unknown", "unknown"]
    assert all(e.detail is None and e.target is None for e in audit_log(sessions, "web.signin_requested"))


async def test_a_license_number_finds_the_address_on_file(web_people, browser, sessions):
    await browser.ask_for_link(" 0a11111 ")
    assert emails_to(sessions, ANA) == 1


async def test_a_link_works_once(web_people, browser, sessions):
    await browser.ask_for_link(ANA)
    token = token_in(newest_email(sessions, ANA))
    assert await browser.use_token(token) == "/mailbox"
    again = await browser.post("/signin/link", {"token": token}, token_from=f"/signin/link?token={token}")
    assert again.status == 400
    assert "was used already" in await again.text()
    outcomes = [(e.outcome, e.detail) for e in audit_log(sessions, "web.signin")]
    assert outcomes == [("signed_in", None), ("refused", {"reason": "used"})]


async def test_a_link_expires_after_15_minutes(web_people, browser, sessions, later):
    await browser.ask_for_link(ANA)
    token = token_in(newest_email(sessions, ANA))
    later(minutes=15, seconds=1)
    response = await browser.post("/signin/link", {"token": token}, token_from=f"/signin/link?token={token}")
    assert response.status == 400 and "has expired" in await response.text()
    assert [e.detail for e in audit_log(sessions, "web.signin")] == [{"reason": "expired"}]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0


async def test_a_link_just_inside_15_minutes_still_works(web_people, browser, sessions, later):
    await browser.ask_for_link(ANA)
    later(minutes=14, seconds=59)
    assert await browser.use_token(token_in(newest_email(sessions, ANA))) == "/mailbox"


async def test_a_made_up_or_mangled_token_signs_nobody_in(web_people, browser, sessions):
    made_up = "A" * 43
    response = await browser.post(
        "/signin/link", {"token": made_up}, token_from=f"/signin/link?token={made_up}"
    )
    assert response.status == 400 and "not one bob sent" in await response.text()
    for mangled in ("<script>alert(1)</script>", "short", "x" * 500, "a%00b"):
        page = await browser.get(f"/signin/link?token={mangled}")
        assert page.status == 400
        text = await page.text()
        assert "not a whole bob sign-in link" in text and "<script>alert" not in text
    assert [e.detail for e in audit_log(sessions, "web.signin")] == [{"reason": "unknown"}]


async def test_an_enroller_deactivated_after_the_email_cannot_sign_in(web_people, browser, sessions):
    await browser.ask_for_link(ANA)
    with transaction(sessions) as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["ana"]).values(active=False))
    token = token_in(newest_email(sessions, ANA))
    response = await browser.post("/signin/link", {"token": token}, token_from=f"/signin/link?token={token}")
    assert response.status == 400 and "no longer active" in await response.text()
    assert [e.detail for e in audit_log(sessions, "web.signin")] == [{"reason": "inactive"}]


async def test_five_links_an_hour_per_address_even_asked_at_once(web_people, browser, sessions, later):
    html = await browser.page("/signin")
    form = {"csrf_token": csrf_in(html), "who": ANA, "next": "/mailbox"}
    answers = await asyncio.gather(*(browser.client.post("/signin", data=form) for _ in range(8)))
    assert sorted(r.status for r in answers) == [200] * 5 + [429] * 3
    assert emails_to(sessions, ANA) == 5
    assert "Too many sign-in links" in await (await browser.ask_for_link(ANA)).text()
    later(hours=1, seconds=1)
    assert (await browser.ask_for_link(ANA)).status == 200
    assert emails_to(sessions, ANA) == 6


async def test_an_address_not_on_file_is_limited_alike(web_people, browser, sessions):
    statuses = [(await browser.ask_for_link("nobody@agency.test")).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]


async def test_one_client_gets_twenty_links_an_hour_whatever_it_asks_for(web_people, browser, sessions):
    statuses = [(await browser.ask_for_link(f"someone{n}@agency.test")).status for n in range(21)]
    assert statuses == [200] * 20 + [429]
    assert (await browser.ask_for_link(ANA)).status == 429
    assert emails_to(sessions, ANA) == 0


async def test_sign_in_never_sends_the_browser_to_another_site(web_people, browser):
    for elsewhere in ("https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)"):
        assert await browser.sign_in(ANA, next_path=elsewhere) == "/mailbox"
        browser.forget()


async def test_an_empty_or_oversized_address_is_a_clear_400(web_people, browser, sessions):
    for who in ("", "   ", "a" * 300):
        response = await browser.ask_for_link(who)
        assert response.status == 400
        assert "Type the email address or license number" in await response.text()
    assert audit_log(sessions, "web.signin_requested") == []


async def test_a_link_minted_for_a_slack_user_signs_them_in(web_people, browser, sessions, web_clock):
    with transaction(sessions) as s:
        minted = mint_signin_link(s, web_people.ids["max"], web_clock(), "/mailbox?folder=archive")
    assert await browser.use_token(minted.token) == "/mailbox?folder=archive"
    assert "Signed in as Max Manager" in await browser.page("/mailbox")


async def test_two_clicks_at_once_sign_in_once(web_people, browser, sessions):
    await browser.ask_for_link(ANA)
    token = token_in(newest_email(sessions, ANA))
    page = await browser.page(f"/signin/link?token={token}")
    form = {"csrf_token": csrf_in(page), "token": token}
    answers = await asyncio.gather(
        *(browser.client.post("/signin/link", data=form, allow_redirects=False) for _ in range(5))
    )
    assert sorted(r.status for r in answers) == [303] + [400] * 4
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1


async def test_behind_a_proxy_the_configured_header_names_the_client(web_people, sessions, web_clock):
    from aiohttp.test_utils import TestClient, TestServer

    from tests.web_fixtures import Browser
    from web.app import web_application
    from web.deps import WebDeps
    from web.settings import WebConfig

    async def statuses(config: WebConfig, forwarded: list[str]) -> list[int]:
        deps = WebDeps(sessions, config, from_address="bob@agency.test", clock=web_clock)
        async with TestClient(TestServer(web_application(deps), host="127.0.0.1")) as client:
            browser = Browser(client, sessions)
            html = await browser.page("/signin")
            found = []
            for n, address in enumerate(forwarded):
                response = await client.post(
                    "/signin",
                    data={"csrf_token": csrf_in(html), "who": f"p{n}@{len(forwarded)}.test"},
                    headers={"X-Forwarded-For": address},
                )
                found.append(response.status)
            return found

    spread = [f"203.0.113.9, 198.51.100.{n % 2}" for n in range(22)]  # two clients behind the proxy
    proxied = WebConfig(client_address_header="X-Forwarded-For")
    assert await statuses(proxied, spread) == [200] * 22
    assert await statuses(WebConfig(), spread) == [200] * 20 + [429] * 2  # the header is not trusted


async def test_ended_limit_windows_are_forgotten_and_hold_no_address_in_clear(web_people, browser, sessions):
    from datetime import timedelta

    from store.models import RateLimit
    from store.rate_limits import claim_use, forget_ended_windows
    from tests.web_fixtures import NOW
    from web.signin_requests import HOUR, KEY_PREFIX

    await browser.ask_for_link(ANA)
    with transaction(sessions) as s:
        claim_use(s, "link-user:U0ANA", 3, HOUR, NOW)  # the bot's own limit is not the web's to forget
    with sessions() as s:
        keys = list(s.scalars(select(RateLimit.key)))
    assert len([k for k in keys if k.startswith(KEY_PREFIX)]) == 3  # client, address asked, enroller
    assert not any("ana" in k.lower() or "127.0.0.1" in k for k in keys if k.startswith(KEY_PREFIX))
    with transaction(sessions) as s:
        assert forget_ended_windows(s, KEY_PREFIX, HOUR, NOW + timedelta(minutes=59)) == 0
        assert forget_ended_windows(s, KEY_PREFIX, HOUR, NOW + HOUR) == 3
    with sessions() as s:
        assert list(s.scalars(select(RateLimit.key))) == ["link-user:U0ANA"]
