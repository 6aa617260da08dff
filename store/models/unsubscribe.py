"""The random key behind each person's one-click unsubscribe link (``rules.unsubscribe``).

The key is random, so the link says nothing about whom it belongs to; on its own it is not
a link (the link adds an HMAC of it under a secret from the environment). Deleting the row
retires every link bob has emailed that person; the next digest gets a new one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, utcnow


class UnsubscribeKey(Base):
    __tablename__ = "unsubscribe_keys"

    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(22), unique=True)  # 16 random bytes, base64url
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
