"""The bot's Prometheus metrics: how long Slack commands and web requests take.

A command is labelled by its sub-command word only when it is one of bob's (``export``,
``mailbox``…), else ``other``; a web request by its route, else ``other``. What a user typed
after the word never becomes a label: labels would then hold names and case numbers, and
grow without bound.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import Histogram

COMMAND_SECONDS = Histogram(
    "bob_slack_command_seconds",
    "How long bob took to answer a Slack request (slash command, button, form), by kind",
    ["command"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
)
WEB_SECONDS = Histogram(
    "bob_web_request_seconds",
    "How long bob's web server took to answer a request, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
COMMAND_WORDS = frozenset(
    {"export", "exports", "mailbox", "crw", "transfer", "help-request", "link", "help", ""}
)


def command_label(body: dict[str, Any]) -> str:
    """``/bob export …`` -> ``export``; a button or form -> its payload type; else ``other``."""
    if "command" in body:
        words = str(body.get("text", "")).split(maxsplit=1)
        word = words[0].lower() if words else ""
        return (word or "help") if word in COMMAND_WORDS else "other"
    kind = str(body.get("type", ""))
    return kind if kind in {"block_actions", "view_submission", "view_closed", "event_callback"} else "other"


async def time_slack_requests(body: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
    """Bolt middleware: time everything bob does for one request."""
    started = time.monotonic()
    try:
        return await next()
    finally:
        COMMAND_SECONDS.labels(command_label(body)).observe(time.monotonic() - started)


@web.middleware
async def time_web_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    started = time.monotonic()
    try:
        return await handler(request)
    finally:
        route = request.match_info.route.resource
        WEB_SECONDS.labels(route.canonical if route is not None else "other").observe(
            time.monotonic() - started
        )
