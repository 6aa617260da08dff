"""Pages take turns (web.turns) so the event loop keeps its share of the interpreter, and
`bob serve` shares the interpreter as app.interpreter says."""

from __future__ import annotations

import asyncio
import gc
import sys

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app.interpreter import SWITCH_INTERVAL_S, share_the_interpreter
from web.turns import TURNS, in_turn


async def test_no_more_pages_than_turns_at_once_and_slack_never_waits():
    busy = most = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.02)
        busy -= 1
        return web.Response(text="ok")

    application = web.Application(middlewares=[in_turn])
    application[TURNS] = asyncio.Semaphore(2)
    application.router.add_get("/mailbox", slow)
    application.router.add_get("/slack/events", slow)
    async with TestClient(TestServer(application)) as client:
        answers = await asyncio.gather(*(client.get("/mailbox") for _ in range(6)))
        assert [a.status for a in answers] == [200] * 6 and most == 2
        most = 0
        await asyncio.gather(*(client.get("/slack/events") for _ in range(6)))
        assert most == 6  # Slack's events are not held back by the pages' turns


def test_serving_freezes_the_imported_objects_and_shortens_the_switch_interval():
    before = sys.getswitchinterval()
    try:
        share_the_interpreter()
        assert gc.get_freeze_count() > 10_000
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S
    finally:
        gc.unfreeze()
        sys.setswitchinterval(before)
