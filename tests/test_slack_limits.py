"""Slack's limits: a burst of DMs through 429s with Retry-After, pacing per method, a missing
scope named at start-up and on failure, and the Block Kit checker itself."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from app.config import ConfigError, load_config
from bot.app import start_bot
from bot.block_limits import limit_problems
from bot.dm_drain import SlackAppFault, drain_slack_dms
from store.models import OutboxStatus, utcnow
from tests.bot_people import SECRET, SLACK_IDS
from tests.fake_slack import SlackUser
from tests.slack_dm_helpers import assert_every_dm_posted_once, client_for, dm_rows, seed_dms

BURST = 2_000  # bench/slack_dm.py sends 10,000


async def test_a_burst_through_429s_delivers_every_dm_exactly_once(sessions, slack):
    seed_dms(sessions, BURST)
    slack.record_calls = False  # keep only what was posted: 2,000 messages
    slack.rate_limit("chat.postMessage", {300, 301, 302, 1200, 1201}, retry_after=1)
    client, config = client_for(slack, dm_connections=8, dm_batch_size=200)
    result = await drain_slack_dms(sessions, client, config)
    assert (result.sent, result.retried, result.failed) == (BURST, 0, 0)
    assert_every_dm_posted_once(sessions, slack)
    assert len(slack.rate_limited) >= 5
    first_429 = slack.rate_limited[0][1]
    # In-flight requests land at once; after them nothing comes until Retry-After has passed.
    early = [c for c in slack.posted if first_429 + 0.2 < c.at < first_429 + 0.95]
    assert early == []


async def test_a_429_after_the_last_retry_queues_the_dm_for_after_retry_after(sessions, slack):
    seed_dms(sessions, 1)
    slack.rate_limit("chat.postMessage", {1}, retry_after=7)
    client, config = client_for(slack, rate_limit_retries=0)
    result = await drain_slack_dms(sessions, client, config)
    assert (result.sent, result.retried) == (0, 1)
    [row] = dm_rows(sessions)
    assert row.status is OutboxStatus.QUEUED and row.last_error == "rate limited by Slack (429) after retries"
    assert timedelta(seconds=6) < row.next_attempt_at - utcnow() <= timedelta(seconds=7)


async def test_dms_are_paced_per_method(sessions, slack):
    seed_dms(sessions, 30)
    client, config = client_for(slack, pace_per_second={"chat.postMessage": 50.0}, dm_connections=8)
    started = time.monotonic()
    assert (await drain_slack_dms(sessions, client, config)).sent == 30
    elapsed = time.monotonic() - started
    assert elapsed >= 29 / 50 * 0.95
    times = sorted(call.at for call in slack.posted)
    # 8 requests in flight, yet any 10 in a row span 10 slots of 20 ms (less arrival jitter).
    spans = [times[n + 10] - times[n] for n in range(len(times) - 10)]
    assert min(spans) > 0.16


async def test_a_missing_scope_stops_the_drain_and_names_the_scope(sessions, slack):
    seed_dms(sessions, 5)
    slack.refuse_for_scope("chat.postMessage", "chat:write")
    client, config = client_for(slack)
    with pytest.raises(SlackAppFault, match="lacks the scope chat:write") as refused:
        await drain_slack_dms(sessions, client, config)
    assert "reinstall the app" in str(refused.value)
    # The requests already in flight come back refused; no worker starts another.
    assert len(slack.named("chat.postMessage")) == config.dm_connections < 5
    assert {(r.status, r.attempts, r.claims, r.claimed_by) for r in dm_rows(sessions)} == {
        (OutboxStatus.QUEUED, 0, 0, None)
    }


async def test_a_missing_scope_is_named_at_start_up(deps, slack, caplog):
    slack.scopes = ["commands", "chat:write", "files:write"]
    caplog.set_level(logging.ERROR, logger="bot.scopes")
    running = await start_bot(deps)
    await running.stop()
    errors = [r.getMessage() for r in caplog.records if r.name == "bot.scopes"]
    assert len(errors) == 2
    assert "lacks the scope im:write (needed for opening the DM an export is uploaded to)" in errors[0]
    assert "lacks the scope im:history" in errors[1]


async def test_every_web_api_call_waits_out_a_429(cast, slack):
    slack.rate_limit("views.publish", {1}, retry_after=1)
    started = time.monotonic()
    assert await cast.as_("ana").open_home() == 200
    published = await slack.wait_for(lambda: [c for c in slack.named("views.publish")][1:], timeout=10)
    assert len(published) == 1 and time.monotonic() - started >= 1.0
    assert len(slack.rate_limited) == 1


def test_pace_is_a_table_of_methods_and_rates(tmp_path):
    path = tmp_path / "bob.toml"
    path.write_text('[slack]\npace_per_second = { "chat.postMessage" = 5, "views.publish" = 2.5 }\n')
    assert load_config(path, env={}).slack.pace_per_second == {"chat.postMessage": 5.0, "views.publish": 2.5}
    path.write_text('[slack]\npace_per_second = { "chat.postMessage" = 0 }\n')
    with pytest.raises(
        ConfigError, match=r"slack.pace_per_second.chat.postMessage = 0 should be a number above 0"
    ):
        load_config(path, env={})
    path.write_text("[slack]\npace_per_second = 20\n")
    with pytest.raises(ConfigError, match="should be a table"):
        load_config(path, env={})


def test_the_checker_finds_what_slack_would_refuse():
    text = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert limit_problems([text]) == ["block 1: section text over 3000 characters"]
    assert limit_problems([{"type": "divider"}] * 51) == ["51 blocks, more than 50"]
    assert limit_problems([{"type": "divider"}] * 100, max_blocks=100) == []
    button = {
        "type": "button",
        "action_id": "a",
        "text": {"type": "plain_text", "text": "y" * 76},
        "value": "v",
    }
    assert limit_problems([{"type": "actions", "elements": [button, button]}]) == [
        "block 1: two buttons share an action_id",
        "block 1: button text over 75 characters",
        "block 1: button text over 75 characters",
    ]


async def test_a_listeners_own_calls_keep_the_configured_pace(cast, deps, slack):
    """Bolt hands each request a fresh client without bob's pacing; the listeners use bob's."""
    paced = replace(deps, slack=replace(deps.slack, pace_per_second={"views.open": 4.0}))
    running = await start_bot(paced)
    try:
        assert running.url is not None
        ana = SlackUser(running.url, slack, SECRET, user_id=SLACK_IDS["ana"])
        await asyncio.gather(*(ana.press_button("crw_case_close", "CRW-000101") for _ in range(3)))
        opened = await slack.wait_for(
            lambda: len(slack.named("views.open")) == 3 and slack.named("views.open")
        )
    finally:
        await running.stop()
    gaps = [later.at - earlier.at for earlier, later in zip(opened, opened[1:], strict=False)]
    assert min(gaps) >= 0.15, gaps  # 4 a second: a quarter of a second apart, less arrival jitter
