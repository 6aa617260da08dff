"""A digest's plain-text copy on a page of its own (``/mailbox/<id>/text``), linked from the
digest page instead of inlined in it: the same sign-in, the same 404 for another person's
digest, and each opening audited as a read of the digest."""

from __future__ import annotations

from urllib.parse import unquote

from sqlalchemy import select

from store.models import MailboxMessage
from tests.web_fixtures import audit_log

MAX, OMAR = "max.manager@agency.test", "omar.owner@agency.test"


def body_text(sessions, message_id: int) -> str:
    with sessions() as s:
        return s.scalar(select(MailboxMessage.body_text).where(MailboxMessage.id == message_id))


async def test_the_digest_page_links_to_its_plain_text_which_holds_the_whole_digest(
    web_people, browser, sessions
):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    html = await browser.page(f"/mailbox/{digest}")
    assert f'<a href="/mailbox/{digest}/text">' in html
    assert "<details>" not in html and "<pre" not in html  # the text is no longer inlined
    text = await browser.page(f"/mailbox/{digest}/text")
    assert "<h1>Daily Manager Summary - 11/23/2026 <span" in text
    assert "CASE-ANA-1" in text and "CASE-LEE-2" in text
    for line in body_text(sessions, digest).splitlines()[:5]:
        assert line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    assert f'<a href="/mailbox/{digest}">Back to the digest</a>' in text
    assert "<script" not in text and "style=" not in text


async def test_the_plain_text_is_audited_as_a_read_of_the_digest(web_people, browser, sessions):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    await browser.page(f"/mailbox/{digest}/text")
    entries = audit_log(sessions, "mailbox.read")
    assert [(e.actor_id, e.target, e.outcome, e.detail) for e in entries] == [
        (web_people.ids["max"], f"message:{digest}", "ok", {"channel": "web"})
    ]


async def test_the_plain_text_needs_sign_in_and_headers_keep_it_out_of_caches(web_people, browser, sessions):
    digest = web_people.digests["max:manager_summary"]
    response = await browser.get(f"/mailbox/{digest}/text")
    assert response.status == 303
    assert unquote(response.headers["Location"]) == f"/signin?next=/mailbox/{digest}/text"
    assert audit_log(sessions, "mailbox.read") == []
    await browser.sign_in(MAX)
    signed_in = await browser.get(f"/mailbox/{digest}/text")
    assert signed_in.status == 200
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "script-src 'none'" in signed_in.headers["Content-Security-Policy"]


async def test_another_persons_plain_text_is_not_found_and_the_refusal_audited(web_people, browser, sessions):
    maxs = web_people.digests["max:manager_summary"]
    await browser.sign_in(OMAR)
    response = await browser.get(f"/mailbox/{maxs}/text")
    text = await response.text()
    assert response.status == 404
    assert "CASE-ANA" not in text and "Alicia" not in text and "There is nothing here" in text
    assert "Signed in as Omar" in text  # the error page is still the signed-in reader's
    assert [(e.actor_id, e.target, e.outcome, e.detail) for e in audit_log(sessions, "mailbox.read")] == [
        (web_people.ids["omar"], f"message:{maxs}", "refused", {"reason": "not_found", "channel": "web"})
    ]
    for path in ("/mailbox/0/text", "/mailbox/99999999999999999999/text"):
        assert (await browser.get(path)).status == 404, path


async def test_an_idle_session_reads_no_digest_page_and_its_cookie_is_cleared(
    web_people, browser, sessions, later
):
    """The busiest pages look the session up with their own read: an ended session still
    reads nothing, is not audited as a read, and its stale cookie is cleared."""
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    later(minutes=31)  # past the 30-minute idle timeout
    for path in (f"/mailbox/{digest}/text", f"/mailbox/{digest}", "/mailbox"):
        response = await browser.get(path)
        assert response.status == 303 and response.headers["Location"].startswith("/signin"), path
    assert browser.cookie("bob_session") is None
    assert audit_log(sessions, "mailbox.read") == [] and audit_log(sessions, "mailbox.list") == []


async def test_a_bad_filter_is_refused_after_sign_in_and_keeps_the_session(web_people, browser, sessions):
    digest = web_people.digests["max:manager_summary"]
    response = await browser.get(f"/mailbox/{digest}?topic=nope")
    assert response.status == 303  # not signed in: to sign in first, as before any input is read
    await browser.sign_in(MAX)
    token = browser.cookie("bob_session")
    for path in (f"/mailbox/{digest}?topic=nope", "/mailbox?from=13/45/2026"):
        response = await browser.get(path)
        text = await response.text()
        assert response.status == 400, path
        assert "Signed in as Max Manager" in text and "Traceback" not in text
    assert browser.cookie("bob_session") == token
    assert audit_log(sessions, "mailbox.read") == []  # a refused page is no read of the digest
    assert "Signed in as Max Manager" in await browser.page("/mailbox")
