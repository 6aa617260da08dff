"""Drain the digest DMs in a child process against a fake Slack, optionally dying (os._exit,
what SIGKILL looks like to the database and to Slack) right after the N-th DM is posted."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from bot.dm_drain import drain_slack_dms
from bot.settings import SlackConfig
from bot.web_client import web_client
from store.db import make_engine, session_factory


async def main(url: str, api_url: str, die_after: int, batch: int) -> None:
    config = SlackConfig(
        bot_token="xoxb-test",
        api_base_url=api_url,
        pace_per_second={},
        dm_batch_size=batch,
        dm_connections=2,
        dm_lease_seconds=5,
        dm_backoff_seconds=0.0,
    )
    client = web_client(config)
    if die_after:
        posted = {"n": 0}
        real = client.chat_postMessage

        async def post_then_maybe_die(**kwargs: Any) -> Any:
            answer = await real(**kwargs)
            posted["n"] += 1
            if posted["n"] >= die_after:
                os._exit(17)  # posted, not logged
            return answer

        client.chat_postMessage = post_then_maybe_die  # type: ignore[method-assign]
    result = await drain_slack_dms(session_factory(make_engine(url)), client, config)
    print(result.sent)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
