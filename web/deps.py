"""What the web pages need, built once by the composition root (`bob serve`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from store.models import utcnow
from web.settings import WebConfig


@dataclass(frozen=True)
class WebDeps:
    sessions: sessionmaker[Session]
    web: WebConfig
    from_address: str
    # bob's own listening address, e.g. "http://127.0.0.1:3000": links point there when
    # ``web.base_url`` is empty.
    listen_url: str = "http://127.0.0.1:3000"
    clock: Callable[[], datetime] = utcnow

    @property
    def base_url(self) -> str:
        return (self.web.base_url or self.listen_url).rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")
