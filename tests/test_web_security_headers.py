"""Every web response — page, redirect, refusal, error, stylesheet — carries the headers that
keep a page of consumer contact details out of caches, frames and referrers, and a CSP that
allows no script and no inline style."""

from __future__ import annotations

import re

from sqlalchemy import text

from store.db import transaction
from tests.web_fixtures import csrf_in
from web.security import SECURITY_HEADERS

ANA = "ana.agent@agency.test"


def assert_guarded(response, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (what, name)


async def test_every_kind_of_response_carries_the_security_headers(web_people, browser):
    digest = web_people.digests["ana:daily_summary"]
    anonymous = [
        ("GET", "/signin"),
        ("GET", "/"),
        ("GET", "/mailbox"),
        ("GET", f"/mailbox/{digest}"),
        ("GET", "/signin/link?token=bad"),
        ("GET", "/nowhere"),
        ("GET", "/static/bob.css"),
        ("POST", "/signin"),  # no CSRF token: 403
        ("PUT", "/mailbox"),  # 405
    ]
    for method, path in anonymous:
        response = await browser.client.request(method, path, allow_redirects=False)
        assert_guarded(response, f"{method} {path} -> {response.status}")
    await browser.sign_in(ANA)
    for path in ("/mailbox", f"/mailbox/{digest}", "/mailbox?from=junk", "/mailbox/2026-11-23/daily-summary"):
        assert_guarded(await browser.get(path), path)
    html = await browser.page(f"/mailbox/{digest}")
    posted = await browser.client.post(
        f"/mailbox/{digest}/mark", data={"csrf_token": csrf_in(html), "mark": "read"}, allow_redirects=False
    )
    assert_guarded(posted, "mark")


async def test_the_csp_forbids_scripts_and_inline_style_and_the_pages_need_neither(web_people, browser):
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    await browser.sign_in("max.manager@agency.test")
    digest = web_people.digests["max:manager_summary"]
    for path in ("/mailbox", f"/mailbox/{digest}", "/signin/link?token=" + "A" * 43, "/nowhere"):
        html = await (await browser.get(path)).text()
        assert "<script" not in html and "<style" not in html and not re.search(r"\sstyle=", html), path
        assert "on" + "click=" not in html
        assert '<link rel="stylesheet" href="/static/bob.css">' in html


async def test_the_stylesheet_is_shipped_and_served(browser):
    response = await browser.get("/static/bob.css")
    assert response.status == 200 and response.content_type == "text/css"
    assert "@media (max-width: 480px)" in await response.text()
    assert (await browser.get("/static/../web_fixtures.py")).status == 404
    icon = await browser.get("/static/favicon.svg")
    assert icon.status == 200 and icon.content_type == "image/svg+xml"
    assert (await icon.read()).startswith(b"<svg")
    assert (await browser.get("/static/nothing.css")).status == 404


async def test_an_unexpected_failure_is_a_plain_500_page_without_details(
    web_people, browser, sessions, caplog
):
    await browser.sign_in(ANA)
    with transaction(sessions) as s:  # the store breaks under the page
        s.execute(text("DROP TABLE mailbox_messages"))
    response = await browser.get("/mailbox")
    body = await response.text()
    assert response.status == 500
    assert_guarded(response, "500")
    assert "Something went wrong" in body
    assert "mailbox_messages" not in body and "Traceback" not in body and "SELECT" not in body
    assert "web page mailbox failed: OperationalError" in caplog.text or "ProgrammingError" in caplog.text
    assert "SELECT" not in caplog.text
