"""The web mailbox's sign-in links and browser sessions: only a hash of each token is stored,
so a copy of the database signs nobody in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, utcnow


class SignInLink(Base):
    """A one-time sign-in link (emailed, or minted for a linked Slack user); single use."""

    __tablename__ = "web_signin_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Where the browser goes once signed in (a path on bob's site, e.g. one digest's page).
    next_path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A signed-in browser; deleting the row signs it out."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
