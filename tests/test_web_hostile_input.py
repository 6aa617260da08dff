"""Hostile requests to every web route end in a 4xx page (or a redirect), never a 500 or a
traceback: odd bodies, content types, cookies, paths and query strings."""

from __future__ import annotations

import pytest

from tests.web_fixtures import csrf_in

ANA = "ana.agent@agency.test"
BODIES = [
    ("application/x-www-form-urlencoded", b"%%%=%%%&&&=="),
    ("application/x-www-form-urlencoded", b"csrf_token=\xff\xfe&who=\x00"),
    ("multipart/form-data; boundary=nope", b"--other\r\nnot a part\r\n"),
    ("multipart/form-data", b"no boundary at all"),
    ("application/json", b'{"who": "ana"}'),
    ("text/plain", b"who=ana"),
    ("application/x-www-form-urlencoded", b"who=" + b"a" * 200_000),
]


@pytest.mark.parametrize(
    "path",
    ["/signin", "/signin/link", "/signout", "/mailbox/1/mark", "/settings", "/unsubscribe/" + "A" * 43],
)
async def test_odd_form_bodies_are_refused_plainly(web_people, browser, path):
    await browser.sign_in(ANA)
    for content_type, body in BODIES:
        response = await browser.client.post(
            path, data=body, headers={"Content-Type": content_type}, allow_redirects=False
        )
        text = await response.text()
        assert 300 <= response.status < 500, (path, content_type, response.status)
        assert "Traceback" not in text


async def test_odd_cookies_and_queries_are_harmless(web_people, browser):
    digest = web_people.digests["ana:daily_summary"]
    for cookie in ("", "x" * 3000, "\u00e9\u00e9", "a;b", "../../etc"):
        response = await browser.get("/mailbox", cookies={"bob_session": cookie, "bob_form": cookie})
        assert response.status == 303
    await browser.sign_in(ANA)
    for query in ("from=%00", "topic=%ff", "page=%20", "from=2026-11-01&from=2026-11-02", "to=\u0661\u0662"):
        response = await browser.get(f"/mailbox?{query}")
        assert response.status in (200, 400), query
    for path in (
        f"/mailbox/{digest}?enroller=%00",
        f"/mailbox/{digest}?topic=%ff",
        "/mailbox/%ff",
        "/mailbox/1e9",
    ):
        response = await browser.get(path)
        assert response.status in (400, 404), path


async def test_a_sign_in_field_with_control_characters_gets_the_usual_reply(web_people, browser, sessions):
    html = await browser.page("/signin")
    response = await browser.client.post(
        "/signin",
        data={"csrf_token": csrf_in(html), "who": "ana\x00.agent@agency.test"},
        allow_redirects=False,
    )
    assert response.status == 200 and "If that email address" in await response.text()


@pytest.mark.parametrize("token", ["é", "\u00b2", "x" * 5000])
async def test_a_csrf_token_of_any_text_is_refused_not_an_error(browser, token):
    response = await browser.client.post("/signin", data={"csrf_token": token, "who": "x"})
    assert response.status == 403


@pytest.mark.parametrize("path", ["/mailbox?page=%C2%B2", "/mailbox/" + "9" * 5000, "/mailbox/%C2%B2"])
async def test_numbers_int_cannot_read_are_a_clear_answer(web_people, browser, path):
    await browser.sign_in("ana.agent@agency.test")
    response = await browser.get(path)
    assert response.status in (400, 404), path


async def test_a_form_larger_than_bobs_is_refused_on_the_port_slack_shares(sessions, web_clock, web_config):
    """bob serve's one port takes Slack's large payloads; a web form is still held to its own
    small limit (413), whatever the application's."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.verification import MAX_BODY_BYTES
    from web.app import mount_web
    from web.auth import MAX_FORM_BYTES
    from web.deps import WebDeps

    application = web.Application(client_max_size=MAX_BODY_BYTES)
    mount_web(application, WebDeps(sessions, web_config, from_address="bob@agency.test", clock=web_clock))
    client = TestClient(TestServer(application, host="127.0.0.1"))
    await client.start_server()
    try:
        big = {"csrf_token": "x", "who": "y" * (MAX_FORM_BYTES + 1)}
        assert (await client.post("/signin", data=big)).status == 413
        small = {"csrf_token": "x", "who": "y"}
        assert (await client.post("/signin", data=small)).status == 403  # read, then refused for CSRF
    finally:
        await client.close()
