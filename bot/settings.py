"""The ``[slack]`` settings, owned by the bot and read into it by app.config.

Each key's default, and a number's allowed range, lives here and nowhere else; the tokens
come from the environment and never appear in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _default_pace() -> dict[str, float]:
    # Slack allows chat.postMessage about one message a second per channel and a few hundred
    # a minute per workspace; 20 DMs a second delivers 10,000 digests in about 8.5 minutes.
    return {"chat.postMessage": 20.0}


@dataclass(frozen=True)
class SlackConfig:
    host: str = "127.0.0.1"
    port: int = field(default=3000, metadata={"min": 0, "max": 65535})  # 0: any free port
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_base_url: str = ""
    # Calls per second per Web API method ("chat.postMessage" = 20); a method not listed is
    # not paced. Every method waits out a 429's Retry-After, whatever its pace.
    pace_per_second: dict[str, float] = field(default_factory=_default_pace)
    # How often one call is retried after a 429 before the DM is queued again for later.
    rate_limit_retries: int = field(default=5, metadata={"min": 0, "max": 100})
    # The digest DM drain: how often it runs, DMs claimed per batch, requests in flight, how
    # long a claim lasts, and the retries of a DM that failed for a reason that may pass.
    dm_drain_seconds: int = field(default=15, metadata={"min": 1})
    dm_batch_size: int = field(default=100, metadata={"min": 1})
    dm_connections: int = field(default=4, metadata={"min": 1, "max": 100})
    dm_lease_seconds: int = field(default=300, metadata={"min": 1})
    dm_max_attempts: int = field(default=8, metadata={"min": 1})
    dm_backoff_seconds: float = field(default=30.0, metadata={"min": 0})
