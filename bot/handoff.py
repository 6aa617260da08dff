"""Hand the ack path's result to the lazy listener of the same slash command.

Bolt starts a command's lazy listeners at the same moment as its ack function (each gets its own
copy of the request), so the lazy part cannot read what the ack part decided. The ack part
``give``s its result under the command's ``trigger_id``; the lazy part ``take``s it, waiting
at most ``timeout`` seconds (None when the ack part never got that far).
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    def __init__(self, timeout: float = 10.0):
        self._timeout = timeout
        self._waiting: dict[str, asyncio.Future[T | None]] = {}

    def _future(self, key: str) -> asyncio.Future[T | None]:
        if key not in self._waiting:
            self._waiting[key] = asyncio.get_running_loop().create_future()
        return self._waiting[key]

    def give(self, key: str, value: T | None) -> None:
        future = self._future(key)
        if not future.done():
            future.set_result(value)

    async def take(self, key: str) -> T | None:
        try:
            return await asyncio.wait_for(asyncio.shield(self._future(key)), self._timeout)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(key, None)
