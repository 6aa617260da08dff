"""The alert part of digest pages, rendered once and kept: a 2,000-alert manager digest is
about 300 KB of HTML and 25-30 ms of CPU to read, regroup and render (1.3-1.7 ms kept, per
bench/web.py), and its content never changes once stored (only its read and archived marks
do, and they sit outside this part).

Kept in process memory only, as the page itself is, least recently used first out, bounded by
size. A key is a digest's id and the page's filters; the caller checks that the digest is the
reader's own BEFORE asking here, so a key never lets one reader see another's digest.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web
from markupsafe import Markup

MAX_BYTES = 32 * 1024 * 1024  # ~60 full 2,000-alert digests

# (message id, when it was stored, enroller filter, topic filter): the time as well, so a
# message id SQLite hands out again after a purge can never find another digest's part.
FragmentKey = tuple[int, str, str | None, str | None]


class RenderedDigests:
    """A bounded LRU of rendered fragments; concurrent misses for one key render it once."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._kept: OrderedDict[FragmentKey, tuple[Markup, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._rendering: dict[FragmentKey, asyncio.Future[Markup]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.bytes = 0

    def get(self, key: FragmentKey) -> Markup | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
            return found[0]

    @staticmethod
    def bytes_of(fragment: Markup) -> int:
        return sys.getsizeof(str(fragment))

    def put(self, key: FragmentKey, fragment: Markup) -> None:
        """Keep ``fragment``, dropping the least recently used ones over the bound; one larger
        than the whole bound is not kept at all."""
        size = self.bytes_of(fragment)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            self.bytes += size - (old[1] if old else 0)
            self._kept[key] = (fragment, size)
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._kept.popitem(last=False)
                self.bytes -= dropped

    async def fragment(self, key: FragmentKey, render: Callable[[], Awaitable[Markup]]) -> Markup:
        """The kept fragment for ``key``, or ``render()``'s, kept; readers asking for one key
        while it renders wait for that rendering instead of starting their own."""
        found = self.get(key)
        if found is not None:
            return found
        pending = self._rendering.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Markup] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        try:
            rendered = await render()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            del self._rendering[key]
        self.put(key, rendered)
        future.set_result(rendered)
        return rendered


RENDERED_DIGESTS = web.AppKey("rendered_digests", RenderedDigests)
