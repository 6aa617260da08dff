"""The digest pages' kept alert part (web.digest_cache): the kept page is the page rendered
afresh, whose digest it is is checked before the kept part is looked at, the marks around it
stay live, and what is kept stays within its bound."""

from __future__ import annotations

import asyncio

from markupsafe import Markup

from store.models import MailboxMessage
from tests.web_fixtures import audit_log, csrf_in
from web.auth import DEPS
from web.digest_cache import RENDERED_DIGESTS, RenderedDigests
from web.mailbox_pages import alerts_part

MAX, OMAR = "max.manager@agency.test", "omar.owner@agency.test"


async def test_the_kept_page_is_the_page_rendered_afresh(web_people, browser, sessions):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    kept = browser.client.app[RENDERED_DIGESTS]
    first = await browser.page(f"/mailbox/{digest}?enroller=0A22222")
    assert len(kept) == 1
    again = await browser.page(f"/mailbox/{digest}?enroller=0A22222")
    assert again == first
    with sessions() as s:
        stored = s.get_one(MailboxMessage, digest).created_at.isoformat()
    key = (digest, stored, "0A22222", None)
    fresh = alerts_part(browser.client.app[DEPS], web_people.ids["max"], key)
    assert kept.get(key) == fresh  # byte for byte
    assert str(fresh) in again and "CASE-LEE-1" in fresh and "CASE-ANA" not in fresh
    everyone = await browser.page(f"/mailbox/{digest}")
    assert len(kept) == 2 and "CASE-ANA-1" in everyone  # another filter is another part


async def test_the_page_is_built_around_the_kept_part(web_people, browser, sessions):
    digest = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    kept = browser.client.app[RENDERED_DIGESTS]
    with sessions() as s:
        stored = s.get_one(MailboxMessage, digest).created_at.isoformat()
    kept.put((digest, stored, None, None), Markup("<p>the kept part</p>"))
    html = await browser.page(f"/mailbox/{digest}")
    assert "<p>the kept part</p>" in html and "CASE-ANA" not in html  # served from what is kept
    assert "Mark as read" in html
    mark = {"csrf_token": csrf_in(html), "mark": "read"}
    await browser.client.post(f"/mailbox/{digest}/mark", data=mark, allow_redirects=False)
    html = await browser.page(f"/mailbox/{digest}")
    assert "Mark as unread" in html and "Unread</strong>" not in html  # the marks stay live


async def test_another_persons_kept_digest_is_still_not_found(web_people, browser, sessions):
    maxs = web_people.digests["max:manager_summary"]
    await browser.sign_in(MAX)
    assert "CASE-ANA-1" in await browser.page(f"/mailbox/{maxs}")
    with sessions() as s:
        stored = s.get_one(MailboxMessage, maxs).created_at.isoformat()
    assert browser.client.app[RENDERED_DIGESTS].get((maxs, stored, None, None)) is not None
    browser.forget()
    await browser.sign_in(OMAR)
    for path in (f"/mailbox/{maxs}", f"/mailbox/{maxs}?enroller=0A22222"):
        response = await browser.get(path)
        text = await response.text()
        assert response.status == 404, path
        assert "CASE-ANA" not in text and "CASE-LEE" not in text and "There is nothing here" in text
    refusals = [
        (e.actor_id, e.outcome) for e in audit_log(sessions, "mailbox.read") if e.target == f"message:{maxs}"
    ]
    assert refusals.count((web_people.ids["omar"], "refused")) == 2


def test_what_is_kept_stays_within_its_bound_least_recently_used_out():
    part = Markup("x" * 1000)
    size = RenderedDigests().bytes_of(part)
    kept = RenderedDigests(max_bytes=3 * size)
    for n in range(3):
        kept.put((n, None, None), part)
    assert kept.get((0, None, None)) == part  # 0 is now the most recently used
    kept.put((3, None, None), part)
    assert kept.bytes <= kept.max_bytes and len(kept) == 3
    assert kept.get((1, None, None)) is None  # the least recently used went
    assert kept.get((0, None, None)) == part and kept.get((3, None, None)) == part
    kept.put((4, None, None), Markup("y" * 10_000))  # larger than the whole bound: not kept
    assert kept.get((4, None, None)) is None and len(kept) == 3 and kept.bytes == 3 * size


async def test_readers_asking_at_once_render_one_digest_once():
    kept = RenderedDigests()
    renders = 0

    async def render() -> Markup:
        nonlocal renders
        renders += 1
        await asyncio.sleep(0.01)
        return Markup("<p>part</p>")

    parts = await asyncio.gather(*(kept.fragment((7, None, None), render) for _ in range(5)))
    assert parts == [Markup("<p>part</p>")] * 5 and renders == 1

    async def broken() -> Markup:
        raise ValueError("no")

    results = await asyncio.gather(
        *(kept.fragment((8, None, None), broken) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ValueError) for r in results) and kept.get((8, None, None)) is None
