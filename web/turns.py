"""Web pages take turns: at most twice as many are worked on at once as there are cores.

Each page does its database reads (and a digest's alert part, when not kept) in worker
threads, and every thread competes for the one interpreter lock with the event loop, which
answers Slack's acknowledgements. With
20 readers at once, every worker thread would share that lock and the loop would get a small
part of it; kept to a few, the readers wait in line on the loop (costing nothing) and Slack's
acks are not starved. Measured (bench/README.md): fewer turns, faster acks but slower pages;
one per core also left the CPU idle between a page's thread hops, so two per core.
Slack's events and the stylesheet do not take a turn.
"""

from __future__ import annotations

import asyncio
import os

from aiohttp import web
from aiohttp.typedefs import Handler

from web.auth import NOT_PAGES

AT_ONCE = 2 * max(1, os.cpu_count() or 1)
TURNS = web.AppKey("page_turns", asyncio.Semaphore)


@web.middleware
async def in_turn(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(NOT_PAGES):
        return await handler(request)
    async with request.app[TURNS]:
        return await handler(request)
