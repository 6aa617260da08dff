"""Slack acknowledgement latency while an agency export runs in the same bob process.

Seeds one agency of N consumers (``bob seed``'s generator) into a fresh SQLite file, starts
bob's bot (``bot.app.start_bot``, the code `bob serve` runs) against the local fake Slack of
the tests, has the agency manager type ``/bob export agency``, and while that workbook is built
and encrypted sends rounds of 20 concurrent, correctly signed ``/bob help`` commands. Latency
is from sending a request to its HTTP answer (the ack Slack waits for, at most 3 s). An idle
round before the export gives the baseline.

The load generator shares the bot's event loop, as a worst case: its own work counts in the
figures. Target: p99 ≤ 300 ms during the export.

    .venv/bin/python bench/slack_ack.py                  # 100k-row agency export
    .venv/bin/python bench/slack_ack.py --rows 20000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, update  # noqa: E402

from bot.app import start_bot  # noqa: E402
from bot.deps import BotDeps  # noqa: E402
from bot.settings import SlackConfig  # noqa: E402
from exports.settings import ExportsConfig  # noqa: E402
from exports.worker import start_fork_server  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Enroller, Role  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402
from tests.fake_slack import FakeSlack, SlackUser  # noqa: E402

SECRET = "bench-signing-secret"
MANAGER = "U0BENCHMGR"
CONCURRENT = 20
TARGET_P99_MS = 300.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def one_round(user: SlackUser) -> list[float]:
    """``CONCURRENT`` signed ``/bob help`` commands at once; each one's latency in ms."""

    async def timed() -> float:
        started = time.perf_counter()
        status, reply = await user.command("help")
        assert status == 200 and reply, (status, reply)
        return (time.perf_counter() - started) * 1000

    return list(await asyncio.gather(*(timed() for _ in range(CONCURRENT))))


def _link_manager(sessions: Any) -> None:
    with sessions.begin() as session:
        session.execute(
            update(Enroller)
            .where(
                Enroller.id
                == select(Enroller.id)
                .where(Enroller.role == Role.AGENCY_MANAGER)
                .order_by(Enroller.id)
                .limit(1)
                .scalar_subquery()
            )
            .values(slack_user_id=MANAGER)
        )


@asynccontextmanager
async def manager_at_bot(url: str, folder: str) -> AsyncIterator[tuple[SlackUser, FakeSlack]]:
    """bob's bot serving the seeded agency against the fake Slack, warmed up, and its manager."""
    sessions = session_factory(make_engine(url))
    _link_manager(sessions)
    slack = FakeSlack()
    await slack.start()
    config = SlackConfig(bot_token="xoxb-bench", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    deps = BotDeps(sessions, config, ExportsConfig(directory=folder), from_address="bob@agency.example.com")
    bot = await start_bot(deps)
    await asyncio.to_thread(start_fork_server)  # as `bob serve` does once listening
    try:
        assert bot.url is not None
        user = SlackUser(bot.url, slack, SECRET, user_id=MANAGER)
        await one_round(user)  # warm up: imports, templates, connection pool
        yield user, slack
    finally:
        await bot.stop()
        await slack.stop()


async def measure_async(url: str, folder: str) -> dict[str, Any]:
    async with manager_at_bot(url, folder) as (user, slack):
        idle = await one_round(user)
        started = time.perf_counter()
        status, reply = await user.command("export agency")
        assert status == 200 and "Preparing" in reply, reply
        busy: list[float] = []
        while not slack.named("files.completeUploadExternal"):
            busy += await one_round(user)
            await asyncio.sleep(0.1)
        export_s = time.perf_counter() - started
    return {
        "idle_p50": statistics.median(idle),
        "idle_p99": percentile(idle, 0.99),
        "p50": statistics.median(busy),
        "p99": percentile(busy, 0.99),
        "max": max(busy),
        "samples": len(busy),
        "export_s": export_s,
        "passed": percentile(busy, 0.99) <= TARGET_P99_MS,
    }


async def export_once_async(url: str, folder: str) -> dict[str, Any]:
    """One `/bob export agency` on an otherwise idle bot: seconds from the signed command to the
    ack, and to the password message (sent only after the file is in the user's DM)."""
    async with manager_at_bot(url, folder) as (user, slack):
        started = time.perf_counter()
        status, reply = await user.command("export agency")
        ack_s = time.perf_counter() - started
        assert status == 200 and "Preparing" in reply, reply
        await slack.wait_for(
            lambda: slack.named("files.completeUploadExternal") and slack.named("response_url"), timeout=60
        )
        done_s = time.perf_counter() - started
    return {"ack_s": ack_s, "end_to_end_s": done_s}


def _seeded(rows: int, folder: str) -> str:
    url = f"sqlite:///{folder}/bob.db"
    engine = make_engine(url)
    upgrade(engine)
    seed_book(
        engine, SeedPlan(agencies=1, consumers=rows, seed=2026, as_of=datetime(2026, 11, 20, 18, tzinfo=UTC))
    )
    engine.dispose()
    return url


def measure(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bob-bench-slack-") as folder:
        result = asyncio.run(measure_async(_seeded(rows, folder), f"{folder}/exports"))
    return {"rows": rows, **result}


def export_once(rows: int) -> dict[str, Any]:
    """End-to-end time of one `/bob export agency` of ``rows`` consumers through the fake Slack."""
    with tempfile.TemporaryDirectory(prefix="bob-bench-slack-") as folder:
        result = asyncio.run(export_once_async(_seeded(rows, folder), f"{folder}/exports"))
    return {"rows": rows, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="consumers in the agency")
    args = parser.parse_args()
    r = measure(args.rows)
    print(
        f"{'rows':>8} {'idle p50':>8} {'idle p99':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'samples':>7} {'export s':>8}"
    )
    print(
        f"{r['rows']:>8,} {r['idle_p50']:>8.0f} {r['idle_p99']:>8.0f} {r['p50']:>7.0f} "
        f"{r['p99']:>7.0f} {r['max']:>7.0f} {r['samples']:>7} {r['export_s']:>8.1f}  "
        f"{'PASS' if r['passed'] else 'MISS'} (target p99 <= 300 ms)"
    )


if __name__ == "__main__":
    main()
