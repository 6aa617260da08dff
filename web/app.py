"""The web mailbox's routes and middlewares, mounted on the aiohttp application `bob serve`
runs (the same one, and the same port, as Slack's events)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from web import (
    crw_pages,
    exports_pages,
    help_pages,
    mailbox_pages,
    settings_pages,
    signin,
    static_files,
    unsubscribe_pages,
)
from web.auth import DEPS, MAX_FORM_BYTES, who_is_asking
from web.deps import WebDeps
from web.digest_cache import RENDERED_DIGESTS, RenderedDigests
from web.pages import error_pages
from web.security import security_headers
from web.turns import AT_ONCE, TURNS, in_turn


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/mailbox")


def mount_web(application: web.Application, deps: WebDeps) -> None:
    """Add the pages, their middlewares and the static stylesheet to ``application`` (before it
    starts). The middlewares run outermost first: headers, error pages, turns, who is asking."""
    application[DEPS] = deps
    application[RENDERED_DIGESTS] = RenderedDigests()
    application[TURNS] = asyncio.Semaphore(AT_ONCE)
    application.middlewares.extend([security_headers, error_pages, in_turn, who_is_asking])
    router = application.router
    router.add_get("/", home, name="home")
    signin.add_routes(router)
    mailbox_pages.add_routes(router)
    for pages in (exports_pages, crw_pages, help_pages, settings_pages, unsubscribe_pages):
        pages.add_routes(router)
    static_files.add_routes(application)


def web_application(deps: WebDeps) -> web.Application:
    """An application serving the web pages only (the tests', and a manager off Slack's)."""
    application = web.Application(client_max_size=MAX_FORM_BYTES)
    mount_web(application, deps)
    return application
