"""The sign-in pages: ask for a link by email, open it, sign out. No passwords.

Opening an emailed link (a GET) only shows a "Sign in" button; the sign-in itself is a form
post, so GET never changes anything and a mail scanner that follows links cannot spend them.
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from rules.access import audit
from rules.web_signin import SIGNIN_LINK_PATH, safe_next
from store.db import transaction
from web.auth import SIGNED_IN, deps_of, posted_form, set_cookie, signed_in_or_redirect
from web.pages import page
from web.sessions import SESSION_COOKIE, end_every_session, end_session
from web.signin_requests import request_signin_link, sign_in_with_link

MAX_ASKED_CHARS = 254
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
REFUSALS = {
    "used": "This sign-in link was used already; each link works once.",
    "expired": "This sign-in link has expired; links work for 15 minutes.",
    "unknown": "This sign-in link is not one bob sent, or it was copied incompletely.",
    "inactive": "Your enroller record is no longer active; ask your agency manager.",
}


async def signin_form(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next"))
    if request[SIGNED_IN] is not None:
        raise web.HTTPSeeOther(next_path)
    return await page(request, "signin.html", next_path=next_path, signed_out="signed_out" in request.query)


async def ask_for_link(request: web.Request) -> web.Response:
    form = await posted_form(request)
    asked, next_path = form.get("who"), safe_next(_text(form.get("next")))
    if not isinstance(asked, str) or not asked.strip() or len(asked) > MAX_ASKED_CHARS:
        return await page(
            request,
            "signin.html",
            status=400,
            next_path=next_path,
            signed_out=False,
            problem="Type the email address or license number bob has on file for you.",
        )
    client = client_address(request)
    within = await asyncio.to_thread(request_signin_link, deps_of(request), asked.strip(), client, next_path)
    if not within:
        return await page(request, "signin_sent.html", status=429, rate_limited=True)
    return await page(request, "signin_sent.html", rate_limited=False)


async def confirm_link(request: web.Request) -> web.Response:
    token = _token(request.query.get("token"))
    return await page(request, "signin_link.html", token=token)


async def use_link(request: web.Request) -> web.Response:
    form = await posted_form(request)
    token = _token(_text(form.get("token")))
    current = request[SIGNED_IN]
    replacing = current.session_id if current is not None else None
    result = await asyncio.to_thread(sign_in_with_link, deps_of(request), token, replacing)
    if result.session_token is None:
        why = REFUSALS.get(result.refusal or "unknown", REFUSALS["unknown"])
        return await page(
            request, "signin.html", status=400, next_path="/mailbox", signed_out=False, problem=why
        )
    response = web.HTTPSeeOther(result.next_path)
    set_cookie(response, deps_of(request), SESSION_COOKIE, result.session_token)
    raise response


async def sign_out(request: web.Request) -> web.Response:
    signed_in = signed_in_or_redirect(request)
    form = await posted_form(request)
    everywhere = form.get("everywhere") == "yes"

    def end() -> None:
        deps = deps_of(request)
        with transaction(deps.sessions) as session:
            if everywhere:
                end_every_session(session, signed_in.enroller_id)
            else:
                end_session(session, signed_in.session_id)
            outcome = "signed_out_all" if everywhere else "signed_out"
            audit(session, signed_in.enroller_id, "web.signout", None, outcome, deps.clock())

    await asyncio.to_thread(end)
    response = web.HTTPSeeOther("/signin?signed_out=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


def client_address(request: web.Request) -> str:
    """Who is asking, for the per-client limit: the last address the configured proxy header
    lists (the one the proxy itself added), else the connection's address."""
    header = deps_of(request).web.client_address_header
    forwarded = request.headers.get(header, "") if header else ""
    last = forwarded.split(",")[-1].strip()
    return last[:64] if last else (request.remote or "unknown")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _token(value: str | None) -> str:
    """A token as bob mints it (URL-safe, bounded); anything else is refused before the store."""
    if not value or not TOKEN_SHAPE.fullmatch(value):
        raise web.HTTPBadRequest(
            reason="Not a sign-in link",
            text="This is not a whole bob sign-in link. Open the newest link from bob's email, "
            "or ask for a new one.",
        )
    return value


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/signin", signin_form, name="signin")
    router.add_post("/signin", ask_for_link, name="ask_for_link")
    router.add_get(SIGNIN_LINK_PATH, confirm_link, name="confirm_link")
    router.add_post(SIGNIN_LINK_PATH, use_link, name="use_link")
    router.add_post("/signout", sign_out, name="sign_out")
