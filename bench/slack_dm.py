"""Benchmark: digest DMs in Slack. Two questions, each figure printed beside its target.

1. *Queueing during the run.* The same seeded book (N consumers, N/100 enrollers) is run twice
   per round, each time from a fresh copy of the seeded SQLite file and in its own process:
   once with nobody linked to Slack (email only) and once with every enroller linked (a DM
   queued beside every digest). Best of ``--rounds``. Target: the linked run ≤ 1.2× the other.
   On a busy machine the two runs differ by more than the queueing costs, so the linked run
   also times its ``queue_dms`` calls; the verdict is on that share (≤ 20 % of the rest).
2. *The drain.* ``--dms`` digest DMs are queued and drained by ``bot.dm_drain`` against the
   fake Slack Web API running in its own process, which answers a few calls with 429 and
   ``Retry-After: 1``; beside it, the floor: the same messages posted by a bare
   ``AsyncWebClient`` loop with as many requests in flight (nothing claimed or logged).
   Unpaced, it reports DMs/s and the time to the last DM; paced at 20 DMs/s (``--paced-dms``
   of them, to keep the run short) it reports the rate kept (target: within 5 % of 20/s,
   i.e. 10,000 DMs in ≈ 8.5 min). Every DM must reach Slack exactly once.

    .venv/bin/python bench/slack_dm.py                       # 100k consumers, 10,000 DMs
    .venv/bin/python bench/slack_dm.py --consumers 1000000 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy import select, text, update  # noqa: E402

from bench import daily_run  # noqa: E402
from bot.digest_blocks import digest_dm  # noqa: E402
from bot.dm_claims import claim_dms  # noqa: E402
from bot.dm_drain import drain_slack_dms, pooled  # noqa: E402
from bot.settings import SlackConfig  # noqa: E402
from bot.web_client import web_client  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import OutboxStatus, SlackDm, utcnow  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack_dm_helpers import seed_dms  # noqa: E402

DAY = date(2026, 9, 1)
TARGET_RUN_RATIO = 1.20
TARGET_PACE = 20.0
CONNECTIONS = 8
THROTTLED_CALLS = {2_000, 2_001, 6_000}  # answered 429 with Retry-After: 1


# 1. The run with and without DMs queued


def timed_run(url: str) -> dict[str, Any]:
    """The full run in this process, with the time spent queueing DMs counted on its own
    (``queue_dms`` wrapped): the share that queueing adds, free of run-to-run noise."""
    import mailer.daily_summary as daily

    spent = {"seconds": 0.0}
    real = daily.queue_dms

    def timed_queue(*args: Any) -> None:
        started = time.perf_counter()
        real(*args)
        spent["seconds"] += time.perf_counter() - started

    daily.queue_dms = timed_queue  # type: ignore[assignment]
    full = daily_run.phase_full(url, DAY)
    return {**full, "queue_s": spent["seconds"]}


def run_once(seeded: Path, folder: Path, linked: bool) -> dict[str, Any]:
    copy = folder / ("linked.db" if linked else "email-only.db")
    shutil.copy(seeded, copy)
    url = f"sqlite:///{copy}"
    if linked:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE enrollers SET slack_user_id = 'U' || id"))
        engine.dispose()
    done = subprocess.run(
        [sys.executable, __file__, "--timed-run", url], check=True, capture_output=True, text=True, cwd=ROOT
    )
    full = json.loads(done.stdout.strip().splitlines()[-1])
    engine = make_engine(url)
    with engine.connect() as conn:
        full["dms"] = conn.execute(text("SELECT count(*) FROM slack_dms")).scalar_one()
    engine.dispose()
    copy.unlink()
    return full


def measure_run(consumers: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bob-bench-slack-") as name:
        folder = Path(name)
        seeded = folder / "seeded.db"
        daily_run._child("seed", f"sqlite:///{seeded}", DAY, consumers)
        plain, linked = [], []
        for _ in range(rounds):
            plain.append(run_once(seeded, folder, linked=False))
            linked.append(run_once(seeded, folder, linked=True))
    best_plain = min(plain, key=lambda r: r["seconds"])
    best_linked = min(linked, key=lambda r: r["seconds"])
    return {
        "queue_s": best_linked["queue_s"],
        "plain_s": best_plain["seconds"],
        "linked_s": best_linked["seconds"],
        "digests": best_linked["digests"],
        "dms": best_linked["dms"],
        "plain_dms": best_plain["dms"],
        "ratio": best_linked["seconds"] / best_plain["seconds"],
    }


# 2. The drain against the fake Slack in its own process


def serve_fake() -> None:
    """Run the fake Slack until SIGTERM, then print what was posted (as JSON)."""

    async def main() -> None:
        fake = FakeSlack(record_calls=False)
        fake.rate_limit("chat.postMessage", THROTTLED_CALLS, retry_after=1)
        await fake.start()
        print(fake.api_url, flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        keys = [
            c.params["metadata"]["event_payload"]["delivery"] for c in fake.posted if c.params.get("metadata")
        ]
        print(json.dumps({"posted": len(fake.posted), "keys": len(set(keys)), "keyed": len(keys),
                          "rate_limited": len(fake.rate_limited)}), flush=True)  # fmt: skip
        await fake.stop()

    asyncio.run(main())


class FakeSlackProcess:
    def __enter__(self) -> FakeSlackProcess:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake"], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert self.process.stdout is not None
        self.api_url = self.process.stdout.readline().strip()
        return self

    def stats(self) -> dict[str, int]:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=60)
        return dict(json.loads(out.strip().splitlines()[-1]))

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def fresh_dms(folder: Path, count: int) -> Any:
    url = f"sqlite:///{folder / f'dms-{count}-{time.monotonic_ns()}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    seed_dms(sessions, count)
    return sessions


async def bob_drain(sessions: Any, api_url: str, pace: float | None) -> float:
    config = SlackConfig(
        bot_token="xoxb-bench",
        api_base_url=api_url,
        pace_per_second={"chat.postMessage": pace} if pace else {},
        dm_connections=CONNECTIONS,
        dm_batch_size=200,
    )
    started = time.perf_counter()
    result = await drain_slack_dms(sessions, web_client(config), config)
    seconds = time.perf_counter() - started
    with sessions() as session:
        statuses = set(session.scalars(select(SlackDm.status).distinct()))
    assert statuses == {OutboxStatus.SENT} and result.failed == 0, (statuses, result)
    return seconds


async def bare_drain(sessions: Any, api_url: str) -> float:
    """The floor: the same DMs' blocks posted by a bare client, nothing claimed or logged."""
    config = SlackConfig(dm_batch_size=1_000_000)
    messages = deque(claim_dms(sessions, "bare", utcnow(), config))
    client = AsyncWebClient(
        token="xoxb-bench",
        base_url=api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
    )

    async def work() -> None:
        while messages:
            dm = messages.popleft()
            assert dm.digest is not None
            reply = digest_dm(dm.digest)
            await client.chat_postMessage(channel=dm.slack_user_id, text=reply.text, blocks=reply.blocks)

    started = time.perf_counter()
    async with pooled(client):  # kept-alive connections, as bob's drain has
        await asyncio.gather(*(work() for _ in range(CONNECTIONS)))
    with sessions.begin() as session:  # queue them again for bob's turn
        session.execute(
            update(SlackDm).values(status=OutboxStatus.QUEUED, claimed_by=None, lease_until=None, claims=0)
        )
    return time.perf_counter() - started


def measure_drain(count: int, paced_count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bob-bench-dms-") as name:
        folder = Path(name)
        sessions = fresh_dms(folder, count)
        with FakeSlackProcess() as fake:
            bare_s = asyncio.run(bare_drain(sessions, fake.api_url))
            floor_stats = fake.stats()
        with FakeSlackProcess() as fake:
            bob_s = asyncio.run(bob_drain(sessions, fake.api_url, None))
            bob_stats = fake.stats()
        paced = fresh_dms(folder, paced_count)
        with FakeSlackProcess() as fake:
            paced_s = asyncio.run(bob_drain(paced, fake.api_url, TARGET_PACE))
            paced_stats = fake.stats()
    once = bob_stats["keyed"] == bob_stats["keys"] == count and paced_stats["keys"] == paced_count
    return {
        "dms": count,
        "bob_s": bob_s,
        "bob_per_s": count / bob_s,
        "bare_per_s": count / bare_s,
        "rate_limited": bob_stats["rate_limited"],
        "bare_rate_limited": floor_stats["rate_limited"],
        "exactly_once": once and paced_stats["keyed"] == paced_count,
        "paced_dms": paced_count,
        "paced_per_s": (paced_count - 1) / paced_s if paced_s else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dms", type=int, default=10_000)
    parser.add_argument("--paced-dms", type=int, default=400)
    parser.add_argument("--skip-run", action="store_true", help="only the drain")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--timed-run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timed_run:
        print(json.dumps(timed_run(args.timed_run)))
        return 0
    if args.serve_fake:
        serve_fake()
        return 0
    ok = True
    if not args.skip_run:
        run = measure_run(args.consumers, args.rounds)
        share = run["queue_s"] / (run["linked_s"] - run["queue_s"])
        ok = share <= TARGET_RUN_RATIO - 1 and run["plain_dms"] == 0 and run["dms"] > 0
        print(
            f"run, {args.consumers:,} consumers (SQLite, best of {args.rounds}): "
            f"email only {run['plain_s']:.2f} s, with {run['dms']:,} DMs queued {run['linked_s']:.2f} s "
            f"({run['digests']:,} digests) -> {run['ratio']:.2f}x between the two runs; queueing the DMs "
            f"itself took {run['queue_s'] * 1000:.0f} ms = {share:.1%} of the rest of the run "
            f"(target <= {TARGET_RUN_RATIO - 1:.0%}) {'PASS' if ok else 'MISS'}"
        )
    drain = measure_drain(args.dms, args.paced_dms)
    share = drain["bob_per_s"] / drain["bare_per_s"]
    print(
        f"drain, {drain['dms']:,} DMs unpaced, {CONNECTIONS} in flight: "
        f"bob {drain['bob_per_s']:,.0f} DMs/s, last DM after {drain['bob_s']:.1f} s "
        f"({drain['rate_limited']} answers were 429); floor (bare AsyncWebClient) "
        f"{drain['bare_per_s']:,.0f} DMs/s -> {share:.0%} of the floor; "
        f"every DM exactly once: {drain['exactly_once']}"
    )
    kept = abs(drain["paced_per_s"] - TARGET_PACE) <= 0.05 * TARGET_PACE
    print(
        f"drain paced at {TARGET_PACE:.0f}/s, {drain['paced_dms']:,} DMs: {drain['paced_per_s']:.2f} DMs/s "
        f"(target {TARGET_PACE:.0f} ± 5 %) {'PASS' if kept else 'MISS'}; 10,000 DMs at this rate: "
        f"{10_000 / drain['paced_per_s'] / 60:.1f} min (target ≈ 8.5)"
    )
    return 0 if ok and kept and drain["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
