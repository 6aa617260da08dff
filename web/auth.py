"""Who is asking: the session cookie read once per request, the form secret, and the two
guards every handler uses (:func:`signed_in_or_redirect`, :func:`check_csrf`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from web.deps import WebDeps
from web.security import CSRF_FIELD, FORM_COOKIE, csrf_ok, csrf_token, new_form_secret
from web.sessions import SESSION_COOKIE, SignedIn, current_session

# Form posts are a few fields; a body larger than this is refused (413).
MAX_FORM_BYTES = 16 * 1024

T = TypeVar("T")

DEPS = web.AppKey("bob_web_deps", WebDeps)
SIGNED_IN: web.RequestKey[SignedIn | None] = web.RequestKey("bob_signed_in")
FORM_SEED = web.RequestKey("bob_form_seed", str)
# The session cookie of a request whose handler looks it up itself, together with the page's
# own read, in one worker thread (:func:`as_signed_in`).
SESSION_TO_LOOK_UP = web.RequestKey("bob_session_to_look_up", str)
# Pages that do so: the busiest ones (bench/web.py), where a second thread hop per request
# costs more than the session lookup itself.
JOINED_LOOKUPS = frozenset({"mailbox", "digest", "digest_text"})
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
    form cookie yet gets one with the response. For the pages in :data:`JOINED_LOOKUPS` the
    session is looked up by the handler (:func:`as_signed_in`) in the thread of its own read."""
    if request.path.startswith(NOT_PAGES):
        return await handler(request)  # Slack's requests and the stylesheet need no session
    deps = deps_of(request)
    token = _cookie(request, SESSION_COOKIE)
    form_secret = _cookie(request, FORM_COOKIE)
    request[FORM_SEED] = form_secret or new_form_secret()
    if token and request.match_info.route.name in JOINED_LOOKUPS:
        request[SIGNED_IN] = None  # until the handler has looked the session up
        request[SESSION_TO_LOOK_UP] = token
    else:
        _settle(request, await asyncio.to_thread(_load, deps, token) if token else None)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect or refusal carries the cookies too
        _cookies(exc, deps, request, token=token, fresh=form_secret is None)
        raise
    _cookies(response, deps, request, token=token, fresh=form_secret is None)
    return response


def _settle(request: web.Request, signed_in: SignedIn | None) -> None:
    """Who is asking is known: the form seed is their session's token once signed in."""
    request[SIGNED_IN] = signed_in
    if signed_in is not None:
        request[FORM_SEED] = signed_in.token


async def as_signed_in(request: web.Request, work: Callable[[SignedIn], T]) -> tuple[SignedIn, T]:
    """The signed-in enroller (anyone else is sent to sign in, as by
    :func:`signed_in_or_redirect`) and ``work(signed_in)``, a blocking read of the page's,
    run in one worker thread with the session lookup when the middleware left that here. An
    exception from ``work`` is raised once who is asking is settled, so its error page and
    cookies are those of the signed-in reader."""
    token = request.pop(SESSION_TO_LOOK_UP, None)
    if token is None:
        signed_in = signed_in_or_redirect(request)
        return signed_in, await asyncio.to_thread(work, signed_in)
    deps = deps_of(request)

    def both() -> tuple[SignedIn | None, T | None, Exception | None]:
        found = _load(deps, token)
        if found is None:
            return None, None, None
        try:
            return found, work(found), None
        except Exception as exc:  # raised on the loop, below, once settled
            return found, None, exc

    found, result, failure = await asyncio.to_thread(both)
    _settle(request, found)
    signed_in = signed_in_or_redirect(request)
    if failure is not None:
        raise failure
    return signed_in, result  # type: ignore[return-value]  # work returned it


def _cookies(
    response: web.StreamResponse, deps: WebDeps, request: web.Request, *, token: str | None, fresh: bool
) -> None:
    """Clear a session cookie that signs nobody in; give a new browser its form cookie. A
    session the handler never looked up (it refused the request first) is left alone."""
    stale = bool(token) and SESSION_TO_LOOK_UP not in request and request[SIGNED_IN] is None
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
