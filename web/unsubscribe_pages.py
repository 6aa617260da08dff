"""The one-click unsubscribe page, ``/unsubscribe/<token>``, linked from every digest email's
List-Unsubscribe header (RFC 2369, RFC 8058).

GET only shows a button: link scanners and previews open every link, so opening one must not
unsubscribe. POST unsubscribes. It is the one form bob takes without a CSRF token: mail
clients post ``List-Unsubscribe=One-Click`` with no cookie, and the token in the address
already proves the request came from the recipient's email. It answers 200 with a page,
never a redirect (RFC 8058, 3.2).
"""

from __future__ import annotations

import asyncio
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from rules.unsubscribe import ONE_CLICK, UNSUBSCRIBE_PATH
from web.auth import MAX_FORM_BYTES, SIGNED_IN, deps_of
from web.pages import page
from web.signin import client_address
from web.unsubscribe import Outcome, check_link, unsubscribe

MAX_TOKEN_CHARS = 100
MAX_FIELDS = 10  # a one-click post has one
SETTINGS_PATH = "/settings"
TITLES = {
    Outcome.VALID: "Stop the Daily Summary emails?",
    Outcome.UNSUBSCRIBED: "You are unsubscribed",
    Outcome.ALREADY_OFF: "You are unsubscribed",
    Outcome.UNKNOWN: "Not an unsubscribe link",
    Outcome.RATE_LIMITED: "Too many requests",
}
STATUS = {Outcome.UNKNOWN: 404, Outcome.RATE_LIMITED: 429}


def _token(request: web.Request) -> str:
    """The token from the address, bounded (the HMAC check rejects every other wrong one)."""
    return request.match_info["token"][:MAX_TOKEN_CHARS]


async def _answer(request: web.Request, outcome: Outcome) -> web.Response:
    settings_link = SETTINGS_PATH if request[SIGNED_IN] else "/signin?" + urlencode({"next": SETTINGS_PATH})
    return await page(
        request,
        "unsubscribe.html",
        status=STATUS.get(outcome, 200),
        title=TITLES[outcome],
        outcome=outcome.value,
        action=request.path,
        settings_link=settings_link,
    )


async def confirm_unsubscribe(request: web.Request) -> web.Response:
    outcome = await asyncio.to_thread(check_link, deps_of(request), _token(request), client_address(request))
    return await _answer(request, outcome)


async def one_click_body(request: web.Request) -> bool:
    """Whether the body says ``List-Unsubscribe=One-Click``, form-encoded as most mail clients
    send it or as multipart/form-data as RFC 8058's own example does. Read here, from the
    bounded bytes: this post carries no CSRF token, so it does not go through ``posted_form``,
    and aiohttp cannot parse a multipart body once its bytes have been read."""
    body = await request.read()
    if len(body) > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM_BYTES, len(body))
    try:
        if request.content_type == "multipart/form-data":
            fields = _multipart_fields(request.headers.get("Content-Type", ""), body)
        else:
            fields = dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=MAX_FIELDS))
    except ValueError:  # more fields than a one-click post has
        return False
    field, value = ONE_CLICK.split("=")
    return fields.get(field) == value


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    """A multipart/form-data body's text fields, by name (the standard library's MIME parser
    reads it, given the request's Content-Type as the message's header)."""
    head = f"Content-Type: {content_type[:200]}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return {}
    fields = {}
    for part in list(message.iter_parts())[:MAX_FIELDS]:  # type: ignore[attr-defined]
        name, payload = part.get_param("name", header="content-disposition"), part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload.decode("utf-8", "replace").strip()
    return fields


async def one_click_unsubscribe(request: web.Request) -> web.Response:
    if not await one_click_body(request):
        raise web.HTTPBadRequest(
            reason="Not a one-click unsubscribe",
            text="This address takes the one-click unsubscribe of bob's emails; open the link "
            "from your email and choose the button.",
        )
    outcome = await asyncio.to_thread(unsubscribe, deps_of(request), _token(request), client_address(request))
    return await _answer(request, outcome)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(UNSUBSCRIBE_PATH + "/{token}", confirm_unsubscribe, name="confirm_unsubscribe")
    router.add_post(UNSUBSCRIBE_PATH + "/{token}", one_click_unsubscribe, name="one_click_unsubscribe")
