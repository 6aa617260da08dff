"""Operator incidents: one open row per topic while something is wrong (mail not going out,
a Daily Summary late), closed when it clears. The partial unique index is what makes
"one alert per incident" hold with several `bob serve` processes: only one INSERT wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, utcnow
from store.models.partial_index import partial_index


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        partial_index("ux_incidents_open_topic", "topic", unique=True, where="cleared_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # What was found, in bob's words (a date, a count, an SMTP reply without addresses); no PII.
    detail: Mapped[str] = mapped_column(String(300))
