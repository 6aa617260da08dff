"""Build bob's Slack app and serve it: HTTP on the configured host/port, or Socket Mode when an
app token is configured."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import crw_actions, digest_actions, help_command, home, home_actions, web_button
from bot.deps import BotDeps
from bot.library_logs import slack_library_logger
from bot.metrics import time_slack_requests, time_web_requests
from bot.registry import COMMAND_MODULES, ListenerModule
from bot.scopes import check_scopes
from bot.settings import SlackConfig
from bot.verification import MAX_BODY_BYTES, SignedRequests, bolt_request, require_a_slack_user
from bot.web_client import web_client
from store.errors import BobError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
LISTENER_MODULES: tuple[ListenerModule, ...] = (
    *COMMAND_MODULES,
    help_command,
    home,
    home_actions,
    digest_actions,
    crw_actions,
    web_button,
)


def build_app(deps: BotDeps, client: AsyncWebClient | None = None) -> AsyncApp:
    """The Bolt app with bob's listeners. Over HTTP it takes only what ``web_app`` verified
    (Bolt's own check, which logs refused bodies, is off)."""
    settings = deps.slack
    if client is None:
        client = web_client(settings)
    app = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        name="bob",
        logger=slack_library_logger(),
        request_verification_enabled=False,
    )
    app.middleware(time_slack_requests)
    app.middleware(require_a_slack_user)
    app.middleware(paced_client(client))
    for module in LISTENER_MODULES:
        module.register(app, deps)
    return app


def paced_client(client: AsyncWebClient) -> Callable[..., Awaitable[None]]:
    """A middleware giving every listener bob's own client: Bolt hands each request a fresh
    client that keeps the retry handlers but not the pacing, so a listener's calls (views.open,
    chat.postMessage) would bypass ``slack.pace_per_second``."""

    async def use_paced_client(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["client"] = client
        await next()

    return use_paced_client


def add_slack_events(application: web.Application, app: AsyncApp, signing_secret: str) -> None:
    """Hand Slack's requests at ``EVENTS_PATH`` of ``application`` to ``app`` once they are
    verified (see ``bot.verification``); reading stops at ``MAX_BODY_BYTES`` (413)."""
    signed = SignedRequests(signing_secret)

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        refusal = signed.refusal(request.headers, body)
        if refusal is not None:
            log.info("refused a request at %s: %s", EVENTS_PATH, refusal)
            answer = "this request was already received" if refusal == "replayed" else "invalid request"
            return web.Response(status=401, text=answer)
        bolt = bolt_request(body, request.query_string, request.headers)
        if bolt is None:
            log.info("refused a request at %s: malformed payload", EVENTS_PATH)
            return web.Response(status=400, text="malformed payload")
        response = await app.async_dispatch(bolt)
        if response.status == 404:  # Bolt's answer when no listener takes the request
            return web.Response(status=400, text="bob does not handle this request")
        return await to_aiohttp_response(response)

    application.router.add_post(EVENTS_PATH, events)


def web_app(app: AsyncApp, signing_secret: str) -> web.Application:
    """An aiohttp application serving Slack's requests only."""
    application = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[time_web_requests])
    add_slack_events(application, app, signing_secret)
    return application


def require_slack_secrets(settings: SlackConfig) -> None:
    if not settings.bot_token or not settings.signing_secret:
        raise BobError(
            "the Slack bot needs BOB_SLACK_BOT_TOKEN and BOB_SLACK_SIGNING_SECRET in the "
            "environment (or *_FILE paths); find them under your Slack app's settings"
        )


@dataclass(frozen=True)
class RunningBot:
    """A started bot: ``url`` receives Slack's requests (None in Socket Mode)."""

    app: AsyncApp
    url: str | None
    stop: Callable[[], Awaitable[None]]


async def start_bot(deps: BotDeps, client: AsyncWebClient | None = None) -> RunningBot:
    """Start serving; call ``stop()`` on shutdown. Binds only the configured host (127.0.0.1
    by default), never every interface."""
    settings = deps.slack
    require_slack_secrets(settings)
    app = build_app(deps, client)
    await check_scopes(app.client)
    if settings.app_token:
        handler = AsyncSocketModeHandler(app, settings.app_token)
        await handler.connect_async()
        return RunningBot(app, None, handler.close_async)
    runner = web.AppRunner(web_app(app, settings.signing_secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    host, port = runner.addresses[0][:2]
    return RunningBot(app, f"http://{host}:{port}{EVENTS_PATH}", runner.cleanup)
