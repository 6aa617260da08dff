"""The ``[slack]`` settings, owned by the bot and read into it by app.config.

Each key's default, and a number's allowed range, lives here and nowhere else; the tokens
come from the environment and never appear in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlackConfig:
    host: str = "127.0.0.1"
    port: int = field(default=3000, metadata={"min": 0, "max": 65535})  # 0: any free port
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_base_url: str = ""
