"""What the bot's listeners need, built once by the composition root (`bob serve`).

The config sections arrive as they are (``[slack]`` as :class:`SlackConfig`, ``[exports]``
as ``ExportsConfig``); only the two values the bot borrows from other sections, the sender
address of its emails and the agency time zone, are passed on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.identity import link_pepper
from bot.settings import SlackConfig
from exports.settings import ExportsConfig
from store.models import utcnow
from store.zones import DEFAULT_TIME_ZONE


@dataclass(frozen=True)
class BotDeps:
    sessions: sessionmaker[Session]
    slack: SlackConfig
    exports_config: ExportsConfig
    from_address: str
    time_zone: str = DEFAULT_TIME_ZONE
    clock: Callable[[], datetime] = utcnow
    # Where the web mailbox is reached; empty: no "Open in browser" buttons.
    web_base_url: str = ""

    @property
    def pepper(self) -> bytes:
        return link_pepper(self.slack.signing_secret)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
