"""Replay protection: a signed request is accepted once.

Bolt verifies the signature and refuses timestamps older than five minutes, but within those
five minutes a captured request would verify again. This guard remembers every signature it
has accepted for that window and answers a repeat with 401. The memory is per process: several
bob processes behind one load balancer each keep their own (a replay must then hit the same one).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

WINDOW_SECONDS = 5 * 60


class ReplayGuard:
    def __init__(self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._window = window
        self._clock = clock
        self._seen: dict[str, float] = {}

    def first_time(self, signature: str) -> bool:
        """True the first time ``signature`` is seen within the window."""
        now = self._clock()
        # Signatures are kept in the order they came, so the expired ones are at the front:
        # forgetting them costs nothing per request, however busy the window was.
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self._window:
                break
            del self._seen[oldest]
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True

    async def middleware(
        self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        """Bolt middleware; runs after Bolt's own signature check, so only valid ones are kept."""
        if req.mode == "http":
            signature = req.headers.get("x-slack-signature", [""])[0]
            if not self.first_time(signature):
                return BoltResponse(status=401, body="this request was already received")
        return await next()
