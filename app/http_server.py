"""`bob serve`'s one HTTP port: Slack's events (when the bot runs over HTTP) and the web
mailbox's pages, in one aiohttp application. The web pages are served whether or not Slack
is configured, so a manager who is not on Slack still reads their digests in a browser."""

from __future__ import annotations

import errno
import logging
import socket
from contextlib import AsyncExitStack

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from app.runtime import Runtime
from bot.app import EVENTS_PATH, add_slack_events, build_app, require_slack_secrets
from bot.deps import BotDeps
from bot.metrics import time_web_requests
from bot.scopes import check_scopes
from bot.verification import MAX_BODY_BYTES
from store.errors import BobError
from web.app import mount_web
from web.deps import WebDeps

log = logging.getLogger(__name__)


def bot_deps(runtime: Runtime, web_base_url: str = "") -> BotDeps:
    """The bot's config sections as they are, plus the sender address, the agency zone and
    where the web mailbox is reached (for its "Open in browser" buttons)."""
    config = runtime.config
    return BotDeps(
        runtime.sessions,
        config.slack,
        config.exports,
        from_address=config.smtp.from_address,
        time_zone=config.schedule.time_zone,
        web_base_url=web_base_url,
    )


def web_deps(runtime: Runtime, listen_url: str) -> WebDeps:
    config = runtime.config
    return WebDeps(
        runtime.sessions,
        config.web,
        from_address=config.smtp.from_address,
        listen_url=listen_url,
    )


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the application is built so a port of 0 is known.
    A port another process holds is one line for the operator, not a traceback."""
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        why = "is in use, perhaps by another bob serve" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise BobError(
            f"{host}:{port} {why}: bob cannot listen there for Slack and the web pages; "
            "stop the other process or set slack.port"
        ) from None


async def start_http(runtime: Runtime, stack: AsyncExitStack, *, with_bot: bool) -> str:
    """Serve the web pages, and the Slack bot when ``with_bot``, until ``stack`` closes;
    returns the web mailbox's address."""
    slack = runtime.config.slack
    sock = _listen(slack.host, slack.port)
    host, port = sock.getsockname()[:2]
    deps = web_deps(runtime, f"http://{host}:{port}")
    application = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[time_web_requests])
    if with_bot:  # buttons only to an address people can reach, never to a loopback fallback
        await _add_bot(runtime, stack, application, runtime.config.web.base_url)
    mount_web(application, deps)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.SockSite(runner, sock).start()
    if with_bot and not slack.app_token:
        log.info("Slack bot listening at http://%s:%d%s", host, port, EVENTS_PATH)
    log.info("web mailbox at %s/mailbox (listening on %s:%d)", deps.base_url, host, port)
    return f"{deps.base_url}/mailbox"


async def _add_bot(
    runtime: Runtime, stack: AsyncExitStack, application: web.Application, base_url: str
) -> None:
    """Slack's events on ``application``, or a Socket Mode connection when an app token is set."""
    slack = runtime.config.slack
    require_slack_secrets(slack)
    bolt = build_app(bot_deps(runtime, base_url))
    await check_scopes(bolt.client)
    if slack.app_token:
        handler = AsyncSocketModeHandler(bolt, slack.app_token)
        await handler.connect_async()
        stack.push_async_callback(handler.close_async)
        log.info("Slack bot connected in Socket Mode")
    else:
        add_slack_events(application, bolt, slack.signing_secret)
