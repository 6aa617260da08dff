"""Who is asking: the session cookie read once per request, the form secret, and the two
guards every handler uses (:func:`signed_in_or_redirect`, :func:`check_csrf`)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from web.deps import WebDeps
from web.security import CSRF_FIELD, FORM_COOKIE, csrf_ok, csrf_token, new_form_secret
from web.sessions import SESSION_COOKIE, SignedIn, current_session

# Form posts are a few fields; a body larger than this is refused (413).
MAX_FORM_BYTES = 16 * 1024

DEPS = web.AppKey("bob_web_deps", WebDeps)
SIGNED_IN: web.RequestKey[SignedIn | None] = web.RequestKey("bob_signed_in")
FORM_SEED = web.RequestKey("bob_form_seed", str)
MAX_COOKIE_CHARS = 100
# Paths that are not pages (Slack's events, the stylesheet): no session is read for them.
NOT_PAGES = ("/slack/", "/static/")


def deps_of(request: web.Request) -> WebDeps:
    return request.config_dict[DEPS]


def _cookie(request: web.Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value and len(value) <= MAX_COOKIE_CHARS else None


def _load(deps: WebDeps, token: str) -> SignedIn | None:
    with deps.sessions() as session, session.begin():
        return current_session(session, token, deps.clock(), deps.web)


@web.middleware
async def who_is_asking(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set ``request[SIGNED_IN]`` (or None) and ``request[FORM_SEED]``; a browser with no
    form cookie yet gets one with the response."""
    if request.path.startswith(NOT_PAGES):
        return await handler(request)  # Slack's requests and the stylesheet need no session
    deps = deps_of(request)
    token = _cookie(request, SESSION_COOKIE)
    signed_in = await asyncio.to_thread(_load, deps, token) if token else None
    request[SIGNED_IN] = signed_in
    form_secret = _cookie(request, FORM_COOKIE)
    fresh = form_secret is None
    request[FORM_SEED] = signed_in.token if signed_in else (form_secret or new_form_secret())
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect or refusal carries the cookies too
        _cookies(exc, deps, request, stale=bool(token and signed_in is None), fresh=fresh)
        raise
    _cookies(response, deps, request, stale=bool(token and signed_in is None), fresh=fresh)
    return response


def _cookies(
    response: web.StreamResponse, deps: WebDeps, request: web.Request, *, stale: bool, fresh: bool
) -> None:
    """Clear a session cookie that signs nobody in; give a new browser its form cookie."""
    if stale and SESSION_COOKIE not in response.cookies:  # never undo a sign-in just made
        response.del_cookie(SESSION_COOKIE, path="/")
    if fresh and request[SIGNED_IN] is None:
        set_cookie(response, deps, FORM_COOKIE, request[FORM_SEED])


def set_cookie(response: web.StreamResponse, deps: WebDeps, name: str, value: str) -> None:
    """HttpOnly, SameSite=Lax, and Secure whenever bob is reached over https."""
    response.set_cookie(name, value, path="/", httponly=True, samesite="Lax", secure=deps.secure_cookies)


def signed_in_or_redirect(request: web.Request) -> SignedIn:
    """The signed-in enroller; anyone else is sent to sign in and brought back afterwards."""
    signed_in = request[SIGNED_IN]
    if signed_in is None:
        back = request.path_qs if request.method == "GET" else "/mailbox"  # a form post is not replayed
        raise web.HTTPSeeOther("/signin?" + urlencode({"next": back}))
    return signed_in


def form_token(request: web.Request) -> str:
    """The CSRF token this request's pages put in their forms."""
    return csrf_token(request[FORM_SEED])


async def posted_form(request: web.Request) -> Mapping[str, object]:
    """The posted form once it carries this browser's CSRF token; a body that is not a
    readable form (bad encoding, a broken multipart) is a 400, not a failure, and one larger
    than a form of bob's is a 413 (the port's own limit is Slack's, much larger)."""
    if len(await request.read()) > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM_BYTES, request.content_length or 0)
    try:
        form = await request.post()
    except (ValueError, UnicodeDecodeError, AssertionError):
        raise web.HTTPBadRequest(
            reason="Bad request", text="bob could not read that form; reload the page."
        ) from None
    check_csrf(request, form)
    return form


def check_csrf(request: web.Request, form: Mapping[str, object]) -> None:
    """Refuse a form post that does not carry this browser's CSRF token (403)."""
    if not csrf_ok(request[FORM_SEED], form.get(CSRF_FIELD)):
        raise web.HTTPForbidden(
            reason="Form expired", text="This form has expired. Go back, reload the page and try again."
        )
