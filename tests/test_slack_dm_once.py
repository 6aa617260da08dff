"""Each digest DM reaches Slack exactly once: after a process dies between posting and
logging (it is found in the DM's history, not posted again), after a SIGKILL mid-batch, and
with two processes draining at once."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from pathlib import Path

from bot.dm_claims import claim_dms
from bot.dm_drain import deliver, drain_slack_dms
from store.models import OutboxStatus, utcnow
from tests.slack_dm_helpers import assert_every_dm_posted_once, client_for, dm_rows, posted_keys, seed_dms

ROOT = Path(__file__).resolve().parents[1]


async def child(db_url: str, api_url: str, batch: int = 10) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.dm_child",
        db_url,
        api_url,
        str(batch),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, (out + err).decode()


async def test_a_dm_posted_by_a_process_that_died_before_logging_is_not_posted_again(sessions, slack):
    seed_dms(sessions, 6)
    client, config = client_for(slack, dm_lease_seconds=60)
    claimed = claim_dms(sessions, "dead-host:1:abcd", utcnow(), config)
    for dm in claimed[:4]:  # the dead process posted four, then died before logging any
        await deliver(client, dm, config, utcnow)
    assert sum(posted_keys(slack).values()) == 4
    later = utcnow() + timedelta(seconds=61)
    result = await drain_slack_dms(sessions, client, config, now=lambda: later)
    assert result.sent == 6
    assert_every_dm_posted_once(sessions, slack)
    assert len(slack.named("conversations.history")) == 6  # each taken-over DM was looked for


async def test_a_live_claim_is_not_taken_over(sessions, slack):
    seed_dms(sessions, 3)
    client, config = client_for(slack, dm_lease_seconds=60)
    claim_dms(sessions, "other-host:1:abcd", utcnow(), config)
    assert (await drain_slack_dms(sessions, client, config)).sent == 0
    assert slack.posted == []


async def test_a_drain_sigkilled_mid_batch_resumes_and_posts_each_dm_once(db_url, sessions, slack):
    seed_dms(sessions, 60)
    slack.latency = 0.02  # slow enough to be caught with a batch half posted
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.dm_child", db_url, slack.api_url, "20",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await slack.wait_for(lambda: len(slack.posted) >= 25, timeout=60)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    posted_before = sum(posted_keys(slack).values())
    assert 25 <= posted_before < 60
    rows = dm_rows(sessions)
    assert any(row.status is OutboxStatus.SENDING for row in rows)  # the dead process's claim
    assert any(row.status is OutboxStatus.SENT for row in rows)  # its first batch was logged
    slack.latency = 0.0
    client, config = client_for(slack, dm_lease_seconds=5)
    later = utcnow() + timedelta(seconds=6)
    await drain_slack_dms(sessions, client, config, now=lambda: later)
    assert_every_dm_posted_once(sessions, slack)


async def test_two_processes_draining_at_once_post_each_dm_once(db_url, sessions, slack):
    seed_dms(sessions, 120)
    slack.latency = 0.002
    results = await asyncio.gather(
        child(db_url, slack.api_url, batch=5), child(db_url, slack.api_url, batch=5)
    )
    assert [code for code, _ in results] == [0, 0], results
    sent = [int(output.split()[-1]) for _, output in results]
    assert sum(sent) == 120 and all(sent), sent  # both took part
    assert_every_dm_posted_once(sessions, slack)
