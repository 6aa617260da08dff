"""Every page beyond the mailbox (exports, CRW, help requests) needs sign-in, brings the reader
back after it, carries the security headers, and answers a hostile address with a plain 404 or
400 page, never a 500."""

from __future__ import annotations

from urllib.parse import quote

from tests.test_web_security_headers import assert_guarded

ANA = "ana.agent@agency.test"
PAGES = ("/exports", "/crw", "/crw/agency", "/crw/cases/CRW-1", "/help-requests", "/help-requests/HR-1")


async def test_each_page_needs_sign_in_and_brings_the_reader_back(web_people, browser):
    for path in PAGES:
        response = await browser.get(path)
        assert response.status == 303, path
        assert response.headers["Location"] == f"/signin?next={path}"
        assert_guarded(response, path)


async def test_hostile_addresses_are_a_plain_404_with_the_headers(web_people, browser):
    await browser.sign_in(ANA)
    hostile = [
        "/crw/cases/" + "9" * 500,
        "/crw/cases/" + quote("<script>alert(1)</script>"),
        "/crw/cases/" + quote("CRW\x00-1"),
        "/help-requests/" + quote("HR' OR 1=1 --"),
        "/help-requests/" + "H" * 41,
        "/exports/" + quote("../../etc/passwd") + "/download",
        "/exports/" + "a" * 200 + "/download",
    ]
    for path in hostile:
        response = await browser.get(path)
        assert response.status == 404, (path, response.status)
        assert_guarded(response, path)
        assert "<script>alert" not in await response.text()


async def test_the_pages_refuse_other_methods(web_people, browser):
    await browser.sign_in(ANA)
    for path in ("/exports", "/crw", "/help-requests"):
        response = await browser.client.post(path, data={}, allow_redirects=False)
        assert response.status == 405, path
        assert_guarded(response, path)
