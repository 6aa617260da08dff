"""Web sessions: server-side rows that end when idle, at their absolute lifetime, on sign out
(here or everywhere); cookies that scripts and other sites cannot use; CSRF on every form."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, update

from rules.web_signin import forget_spent_links, mint_signin_link
from store.db import transaction
from store.models import AuditEntry, Enroller, MailboxMessage, WebSession
from tests.web_fixtures import NOW, Browser, audit_log, csrf_in
from web.app import web_application
from web.deps import WebDeps
from web.sessions import forget_ended_sessions
from web.settings import WebConfig

ANA = "ana.agent@agency.test"


def session_rows(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(WebSession))


async def signed_in(browser: Browser) -> bool:
    response = await browser.get("/mailbox")
    return response.status == 200


async def test_the_cookie_holds_a_token_whose_hash_only_is_stored(web_people, browser, sessions):
    await browser.sign_in(ANA)
    token = browser.cookie("bob_session")
    with sessions() as s:
        stored = s.scalars(select(WebSession.token_hash)).one()
    assert token and stored == hashlib.sha256(token.encode()).hexdigest()


async def test_an_idle_session_ends_after_the_idle_timeout(web_people, browser, sessions, later):
    await browser.sign_in(ANA)
    later(minutes=29)
    assert await signed_in(browser)
    later(minutes=29)  # 58 minutes after sign-in, 29 after the last page: still fine
    assert await signed_in(browser)
    later(minutes=30, seconds=1)
    response = await browser.get("/mailbox")
    assert response.status == 303 and response.headers["Location"].startswith("/signin")
    assert session_rows(sessions) == 0
    assert browser.cookie("bob_session") is None  # the stale cookie is cleared


async def test_a_busy_session_still_ends_at_its_absolute_lifetime(web_people, browser, sessions, later):
    await browser.sign_in(ANA)
    for _ in range(35):  # a page every 20 minutes for 11 h 40 min
        later(minutes=20)
        assert await signed_in(browser)
    later(minutes=19)
    assert await signed_in(browser)  # 11 h 59 min
    later(minutes=2)
    assert not await signed_in(browser)
    assert session_rows(sessions) == 0


async def test_the_lifetimes_come_from_the_web_settings(web_people, sessions, web_clock, later):
    config = WebConfig(session_idle_minutes=5, session_lifetime_hours=1)
    deps = WebDeps(sessions, config, from_address="bob@agency.test", clock=web_clock)
    async with TestClient(TestServer(web_application(deps), host="127.0.0.1")) as client:
        browser = Browser(client, sessions)
        await browser.sign_in(ANA)
        later(minutes=5, seconds=1)
        assert not await signed_in(browser)


async def test_sign_out_deletes_the_session_and_the_old_cookie_no_longer_works(web_people, browser, sessions):
    await browser.sign_in(ANA)
    token = browser.cookie("bob_session")
    html = await browser.page("/mailbox")
    response = await browser.client.post(
        "/signout", data={"csrf_token": csrf_in(html)}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/signin?signed_out=1"
    assert session_rows(sessions) == 0
    assert [(e.actor_id, e.outcome) for e in audit_log(sessions, "web.signout")] == [
        (web_people.ids["ana"], "signed_out")
    ]
    assert "You are signed out." in await browser.page("/signin?signed_out=1")
    replayed = await browser.get("/mailbox", cookies={"bob_session": token})
    assert replayed.status == 303


async def test_sign_out_everywhere_ends_every_browser_of_that_person(
    web_people, browser, sessions, web_clock, web_config
):
    other = Browser(
        TestClient(
            TestServer(web_application(WebDeps(sessions, web_config, "bob@agency.test", clock=web_clock)))
        ),
        sessions,
    )
    await other.client.start_server()
    try:
        await browser.sign_in(ANA)
        await other.sign_in(ANA)
        assert session_rows(sessions) == 2
        html = await browser.page("/mailbox")
        assert '<button type="submit" name="everywhere" value="yes">Sign out everywhere</button>' in html
        await browser.client.post("/signout", data={"csrf_token": csrf_in(html), "everywhere": "yes"})
        assert session_rows(sessions) == 0
        assert not await signed_in(other)
        with sessions() as s:
            outcomes = s.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "web.signout"))
            assert list(outcomes) == ["signed_out_all"]
    finally:
        await other.client.close()


async def test_a_deactivated_enroller_is_signed_out(web_people, browser, sessions):
    await browser.sign_in(ANA)
    with transaction(sessions) as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["ana"]).values(active=False))
    assert not await signed_in(browser)
    assert session_rows(sessions) == 0


def set_cookie(response, name: str) -> str:
    (cookie,) = [c for c in response.headers.getall("Set-Cookie", []) if c.startswith(f"{name}=")]
    return cookie


async def test_the_session_cookie_is_httponly_lax_and_secure_only_over_https(web_people, sessions, web_clock):
    for base_url, secure in (("http://bob.agency.test", False), ("https://bob.agency.test", True)):
        deps = WebDeps(
            sessions, WebConfig(base_url=base_url), from_address="bob@agency.test", clock=web_clock
        )
        async with TestClient(TestServer(web_application(deps), host="127.0.0.1")) as client:
            with transaction(sessions) as s:
                token = mint_signin_link(s, web_people.ids["ana"], web_clock()).token
            page = await client.get(f"/signin/link?token={token}")
            form_cookie = set_cookie(page, "bob_form")
            assert "HttpOnly" in form_cookie and "SameSite=Lax" in form_cookie
            assert ("Secure" in form_cookie) is secure
            form_secret = form_cookie.split(";")[0].split("=", 1)[1]
            response = await client.post(  # sent by hand: a cookie jar keeps Secure cookies off http
                "/signin/link",
                data={"csrf_token": csrf_in(await page.text()), "token": token},
                cookies={"bob_form": form_secret},
                allow_redirects=False,
            )
            assert response.status == 303
            cookie = set_cookie(response, "bob_session")
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
            assert ("Secure" in cookie) is secure


async def test_every_form_post_needs_this_browsers_csrf_token(web_people, browser, sessions):
    digest = web_people.digests["ana:daily_summary"]
    refused = await browser.client.post("/signin", data={"who": ANA}, allow_redirects=False)
    assert refused.status == 403 and "This form has expired" in await refused.text()
    await browser.sign_in(ANA)
    for path, data in (
        (f"/mailbox/{digest}/mark", {"mark": "read"}),
        (f"/mailbox/{digest}/mark", {"mark": "read", "csrf_token": "0" * 64}),
        ("/signout", {}),
        ("/signin/link", {"token": "A" * 43}),
    ):
        response = await browser.client.post(path, data=data, allow_redirects=False)
        assert response.status == 403, path
    with sessions() as s:
        assert s.scalar(select(MailboxMessage.read_at).where(MailboxMessage.id == digest)) is None
    assert session_rows(sessions) == 1 and await signed_in(browser)


async def test_a_token_from_before_sign_in_does_not_work_after_it(web_people, browser, sessions):
    before = csrf_in(await browser.page("/signin"))
    await browser.sign_in(ANA)
    digest = web_people.digests["ana:daily_summary"]
    response = await browser.client.post(
        f"/mailbox/{digest}/mark", data={"mark": "read", "csrf_token": before}, allow_redirects=False
    )
    assert response.status == 403


async def test_a_post_without_a_session_goes_to_sign_in_not_to_the_post(web_people, browser):
    digest = web_people.digests["ana:daily_summary"]
    html = await browser.page("/signin")
    response = await browser.client.post(
        f"/mailbox/{digest}/mark", data={"mark": "read", "csrf_token": csrf_in(html)}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/signin?next=/mailbox"


async def test_signing_in_again_in_the_same_browser_replaces_its_session(web_people, browser, sessions):
    await browser.sign_in(ANA)
    first = browser.cookie("bob_session")
    with transaction(sessions) as s:
        token = mint_signin_link(s, web_people.ids["max"], NOW).token
    assert await browser.use_token(token) == "/mailbox"
    assert browser.cookie("bob_session") != first
    assert session_rows(sessions) == 1
    assert "Signed in as Max Manager" in await browser.page("/mailbox")


async def test_serve_forgets_ended_sessions_and_long_spent_links(web_people, browser, sessions, web_config):
    await browser.sign_in(ANA)
    with transaction(sessions) as s:
        mint_signin_link(s, web_people.ids["max"], NOW)
    with transaction(sessions) as s:
        assert forget_ended_sessions(s, NOW + timedelta(minutes=29), web_config) == 0
        assert forget_spent_links(s, NOW + timedelta(hours=24)) == 0
    with transaction(sessions) as s:
        assert forget_ended_sessions(s, NOW + timedelta(minutes=31), web_config) == 1
        assert forget_spent_links(s, NOW + timedelta(hours=24, minutes=16)) == 2
    assert session_rows(sessions) == 0


async def test_serves_housekeeping_runs_on_the_store(web_people, browser, sessions, db_url, caplog):
    import dataclasses
    import logging

    from app.config import Config, DatabaseConfig
    from app.runtime import Runtime
    from app.serve import _forget_web_sessions

    caplog.set_level(logging.INFO)
    await browser.sign_in(ANA)
    with transaction(sessions) as s:  # a session last seen a day ago
        s.execute(
            update(WebSession).values(
                last_seen_at=NOW - timedelta(days=1), created_at=NOW - timedelta(days=1)
            )
        )
    runtime = Runtime(dataclasses.replace(Config(), database=DatabaseConfig(url=db_url)))
    try:
        _forget_web_sessions(runtime)
    finally:
        runtime.close()
    assert session_rows(sessions) == 0
    assert "web: 1 ended sessions" in caplog.text
