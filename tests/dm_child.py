"""Drain the digest DMs in a child process against a fake Slack: the process the two-process
and SIGKILL tests run (and kill)."""

from __future__ import annotations

import asyncio
import sys

from bot.dm_drain import drain_slack_dms
from bot.settings import SlackConfig
from bot.web_client import web_client
from store.db import make_engine, session_factory


async def main(url: str, api_url: str, batch: int) -> None:
    config = SlackConfig(
        bot_token="xoxb-test",
        api_base_url=api_url,
        pace_per_second={},
        dm_batch_size=batch,
        dm_connections=2,
        dm_lease_seconds=5,
        dm_backoff_seconds=0.0,
    )
    result = await drain_slack_dms(session_factory(make_engine(url)), web_client(config), config)
    print(result.sent)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
