"""What the bot's listeners need, built once by the composition root (`bob serve`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.identity import link_pepper
from exports.settings import ExportsConfig
from store.models import utcnow


@dataclass(frozen=True)
class BotSettings:
    """The Slack side of the config; tokens never appear in a repr."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str = field(default="", repr=False)
    api_base_url: str = ""
    host: str = "127.0.0.1"
    port: int = 3000
    password_delivery: str = "ephemeral"
    from_address: str = "bob@localhost"
    time_zone: str = "America/Los_Angeles"


@dataclass(frozen=True)
class BotDeps:
    sessions: sessionmaker[Session]
    settings: BotSettings
    exports_config: ExportsConfig
    clock: Callable[[], datetime] = utcnow

    @property
    def pepper(self) -> bytes:
        return link_pepper(self.settings.signing_secret)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.time_zone)
