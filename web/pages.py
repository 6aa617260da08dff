"""Rendering the web pages from ``templates/web/`` (Jinja2, autoescaped), and the error pages
every refusal and mistake becomes: a clear page with its 4xx status, never a traceback."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from aiohttp.typedefs import Handler
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rules.templating import TEMPLATES
from store.zones import DEFAULT_TIME_ZONE
from web.auth import FORM_SEED, NOT_PAGES, SIGNED_IN, form_token
from web.security import CSRF_FIELD

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with bob: no stat() of each file on every page
    )
    env.filters["us_date"] = lambda d: d.strftime("%m/%d/%Y")
    return env


def local_time(moment: datetime, time_zone: str) -> str:
    """A stored UTC time as people read it: US date and 12-hour time in the agency's zone (an
    unknown zone name falls back to the configured one's default, Los Angeles)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIME_ZONE)
    return moment.astimezone(zone).strftime("%m/%d/%Y %I:%M %p %Z")


async def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """Render ``web/<template>`` with who is signed in and this browser's CSRF token, on the
    event loop: every page is bounded (25 digests, a capped case list) and takes 0.05-0.4 ms
    of CPU, less than handing it to a worker thread and back under load (bench/web.py). The
    one large part, a digest's alerts, is rendered in a thread and kept (web.digest_cache)."""
    html = (
        environment()
        .get_template(f"web/{template}")
        .render(
            signed_in=request.get(SIGNED_IN),
            csrf_field=CSRF_FIELD,
            csrf_token=form_token(request) if FORM_SEED in request else "",
            **context,
        )
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


async def _error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return await page(request, "error.html", status=status, title=title, message=message)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refusal (4xx) becomes a page that says what to do; anything unexpected is logged by
    its type only (the request may hold PII) and answered with a plain 500 page."""
    if request.path.startswith(NOT_PAGES):
        return await handler(request)  # Slack's answers stay as its handler wrote them
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else _plain(exc.status)
        return await _error_page(request, exc.status, exc.reason, message)
    except Exception as exc:  # the last line of defence: no traceback reaches the browser
        log.error("web page %s failed: %s", request.match_info.route.name or "?", type(exc).__name__)
        return await _error_page(
            request, 500, "Something went wrong", "bob could not show this page; try again."
        )


def _plain(status: int) -> str:
    return {
        404: "There is nothing here. Check the address, or go to your mailbox.",
        405: "That address does not take this kind of request.",
        413: "That request is too large.",
    }.get(status, "bob could not take this request.")
