"""The mailbox pages: the list of digests, one digest, a digest email's link, and the read
and archive marks (form posts with the CSRF token). Another person's digest is a 404."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from rules.digest_text import follow_ups
from rules.mailbox import digest_content, digest_id_on, mailbox_page, mark, view_digest, view_digest_text
from rules.topics import TOPICS
from rules.web_links import DIGEST_SLUGS
from store.mailbox import NotFound
from store.mailbox_folders import DigestPage, MailboxQuery
from store.models import DigestKind
from web.auth import as_signed_in, deps_of, posted_form, signed_in_or_redirect
from web.deps import WebDeps
from web.digest_cache import RENDERED_DIGESTS, FragmentKey
from web.digest_view import digest_view
from web.forms import digest_filters, mailbox_query, parse_date, parse_id
from web.pages import environment, local_time, page
from web.sessions import SignedIn

T = TypeVar("T")

MARKS = {
    "read": {"read": True},
    "unread": {"read": False},
    "archive": {"archived": True},
    "restore": {"archived": False},
}


async def mailbox(request: web.Request) -> web.Response:
    deps = deps_of(request)

    def listed(signed_in: SignedIn) -> tuple[MailboxQuery, DigestPage]:
        query = mailbox_query(request.query)  # after the sign-in check, as every page's input
        return query, mailbox_page(deps.sessions, signed_in.enroller_id, query, deps.clock())

    _, (query, found) = await as_signed_in(request, listed)
    filters = {k: v for k, v in request.query.items() if k in ("from", "to", "topic", "folder") and v}
    return await page(
        request,
        "mailbox.html",
        found=found,
        query=query,
        topics=TOPICS,
        page_link=lambda n: "/mailbox?" + urlencode({**filters, "page": n}),
    )


def _opened(request: web.Request, view: Callable[..., T]) -> Callable[[SignedIn], T]:
    """Open the digest the path names with ``view`` (audited there), as the signed-in reader;
    another person's is a 404."""
    deps = deps_of(request)

    def opened(signed_in: SignedIn) -> T:
        message_id = parse_id(request.match_info["id"])
        try:
            return view(deps.sessions, signed_in.enroller_id, message_id, deps.clock())
        except NotFound:
            raise web.HTTPNotFound() from None

    return opened


async def digest(request: web.Request) -> web.Response:
    """One digest: whose it is is checked (and the opening audited) on every request, before
    its kept alert part is looked for."""
    opened = _opened(request, view_digest)
    signed_in, ((enroller, topic), heading) = await as_signed_in(
        # the filters are checked first: a refused page is no read of the digest
        request,
        lambda signed_in: (digest_filters(request.query), opened(signed_in)),
    )
    deps = deps_of(request)
    key: FragmentKey = (heading.id, heading.created_at.isoformat(), enroller, topic)
    render = lambda: asyncio.to_thread(alerts_part, deps, signed_in.enroller_id, key)  # noqa: E731
    return await page(
        request,
        "digest.html",
        document=heading,
        alerts_part=await request.app[RENDERED_DIGESTS].fragment(key, render),
        created=local_time(heading.created_at, signed_in.time_zone),
    )


async def digest_text(request: web.Request) -> web.Response:
    """One digest as plain text, on a page of its own so the digest page stays small; opening
    it is a read of the digest, audited as such."""
    signed_in, document = await as_signed_in(request, _opened(request, view_digest_text))
    return await page(
        request,
        "digest_text.html",
        document=document,
        created=local_time(document.created_at, signed_in.time_zone),
    )


def alerts_part(deps: WebDeps, reader_id: int, key: FragmentKey) -> Markup:
    """The digest's alert part (counts, filters, contents, sections, follow-ups, text) as
    HTML: the same for everyone who may read it, at any time, so it is rendered once and
    kept. The follow-ups are read from the digest's text, the one place the mailbox keeps them."""
    message_id, _, enroller, topic = key
    try:
        document = digest_content(deps.sessions, reader_id, message_id, deps.clock())
    except NotFound:  # it was there a moment ago: mailbox messages are not deleted
        raise web.HTTPNotFound() from None
    view = digest_view(document.alerts, enroller, topic) if document.alerts is not None else None
    html = (
        environment()
        .get_template("web/_digest_alerts.html")
        .render(
            document=document,
            manager=document.kind == DigestKind.MANAGER_SUMMARY.value,
            view=view,
            follow_ups=follow_ups(document.body_text),
            enroller=enroller,
            topic=topic,
        )
    )
    return Markup(html)


async def digest_of_email(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    day = parse_date(request.match_info["day"], "business")
    kind = DIGEST_SLUGS.get(request.match_info["kind"])
    if day is None or kind is None:
        raise web.HTTPNotFound()
    deps = deps_of(request)
    try:
        found = await asyncio.to_thread(
            digest_id_on, deps.sessions, signed_in.enroller_id, day, kind, deps.clock()
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther(f"/mailbox/{found}")


async def mark_digest(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    message_id = parse_id(request.match_info["id"])
    form = await posted_form(request)
    change = MARKS.get(str(form.get("mark", "")))
    if change is None:
        raise web.HTTPBadRequest(reason="Bad request", text="Choose read, unread, archive or restore.")
    deps = deps_of(request)
    try:
        await asyncio.to_thread(
            lambda: mark(deps.sessions, signed_in.enroller_id, message_id, deps.clock(), **change)
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther("/mailbox" if "archived" in change else f"/mailbox/{message_id}")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/mailbox", mailbox, name="mailbox")
    router.add_get(r"/mailbox/{id:\d+}", digest, name="digest")
    router.add_get(r"/mailbox/{id:\d+}/text", digest_text, name="digest_text")
    router.add_get(r"/mailbox/{day:[0-9-]{10}}/{kind}", digest_of_email, name="digest_of_email")
    router.add_post(r"/mailbox/{id:\d+}/mark", mark_digest, name="mark_digest")
