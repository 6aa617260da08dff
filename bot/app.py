"""Build bob's Slack app and serve it: HTTP on the configured host/port, or Socket Mode when an
app token is configured."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import help_command, home
from bot.deps import BotDeps
from bot.registry import COMMAND_MODULES, ListenerModule
from bot.replay import ReplayGuard
from store.errors import BobError

EVENTS_PATH = "/slack/events"
LISTENER_MODULES: tuple[ListenerModule, ...] = (*COMMAND_MODULES, help_command, home)


def build_app(deps: BotDeps, client: AsyncWebClient | None = None) -> AsyncApp:
    settings = deps.slack
    if client is None:
        client = AsyncWebClient(
            token=settings.bot_token, base_url=settings.api_base_url or AsyncWebClient.BASE_URL
        )
    app = AsyncApp(client=client, signing_secret=settings.signing_secret, name="bob")
    app.middleware(ReplayGuard().middleware)
    for module in LISTENER_MODULES:
        module.register(app, deps)
    return app


def web_app(app: AsyncApp) -> web.Application:
    """An aiohttp application that hands Slack's requests at ``EVENTS_PATH`` to ``app``."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    application = web.Application()
    application.router.add_post(EVENTS_PATH, events)
    return application


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
    if not settings.bot_token or not settings.signing_secret:
        raise BobError(
            "the Slack bot needs BOB_SLACK_BOT_TOKEN and BOB_SLACK_SIGNING_SECRET in the "
            "environment (or *_FILE paths); find them under your Slack app's settings"
        )
    app = build_app(deps, client)
    if settings.app_token:
        handler = AsyncSocketModeHandler(app, settings.app_token)
        await handler.connect_async()
        return RunningBot(app, None, handler.close_async)
    runner = web.AppRunner(web_app(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    host, port = runner.addresses[0][:2]
    return RunningBot(app, f"http://{host}:{port}{EVENTS_PATH}", runner.cleanup)
