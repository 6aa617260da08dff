"""bob's client of Slack's Web API: every call paced per method and every 429 waited out.

Slack rate-limits per method (and per workspace), so a 429 on one ``chat.postMessage`` means
the next ones would get it too: its ``Retry-After`` holds the whole method, not only the one
request, and the request is retried by slack_sdk's own retry loop (at most
``slack.rate_limit_retries`` times). ``slack.pace_per_second`` spaces the calls of a method so
a burst of 10,000 DMs stays under Slack's limits instead of bouncing off them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.library_logs import slack_library_logger
from bot.settings import SlackConfig

# Slack always sends Retry-After with a 429; without one, wait this long.
DEFAULT_RETRY_AFTER = 1.0


class Pacer:
    """When each Web API method may be called next: at most ``rates[method]`` calls a second,
    and none while a 429's Retry-After holds the method."""

    def __init__(self, rates: Mapping[str, float], clock: Any = time.monotonic) -> None:
        self.rates = dict(rates)
        self.clock = clock
        self._next: dict[str, float] = {}
        self._held: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, method: str) -> None:
        """Wait for ``method``'s next free slot and take it."""
        lock = self._locks.setdefault(method, asyncio.Lock())
        async with lock:
            rate = self.rates.get(method)
            start = max(self.clock(), self._next.get(method, 0.0), self._held.get(method, 0.0))
            if rate:
                self._next[method] = start + 1.0 / rate
            delay = start - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)

    def hold(self, method: str, seconds: float) -> None:
        """Slack said 429: no call of ``method`` for ``seconds``."""
        self._held[method] = max(self._held.get(method, 0.0), self.clock() + seconds)


def method_of(url: str) -> str:
    """The Web API method a request went to (``.../api/chat.postMessage`` → its name)."""
    return url.split("?", 1)[0].rstrip("/").rpartition("/")[2]


def retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER


class RetryAfter(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 once its Retry-After has passed, holding its method for everyone meanwhile."""

    def __init__(self, pacer: Pacer, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a 429 without a response")
        state.next_attempt_requested = True
        method = method_of(request.url)
        self.pacer.hold(method, retry_after(response))
        await self.pacer.wait(method)
        state.increment_current_attempt()


class PacedWebClient(AsyncWebClient):
    """An AsyncWebClient whose every call waits for its method's pace first."""

    def __init__(self, pacer: Pacer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = pacer

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        await self.pacer.wait(api_method)
        return await super().api_call(api_method, **kwargs)


def web_client(settings: SlackConfig) -> PacedWebClient:
    """The client every part of bob uses to call Slack (listeners, exports, the DM drain)."""
    pacer = Pacer(settings.pace_per_second)
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(),
        RetryAfter(pacer, settings.rate_limit_retries),
    ]
    return PacedWebClient(
        pacer,
        token=settings.bot_token,
        base_url=settings.api_base_url or AsyncWebClient.BASE_URL,
        logger=slack_library_logger(),
        retry_handlers=handlers,
    )
