"""How the Daily Summary reaches each person, and each agency's defaults and clock.

The secure mailbox always receives every digest; these rows govern only the email and the
Slack DM. A setting a person has not chosen follows their agency's default, and an agency
with no row follows bob's (everything on, delivered at the agency's run time).
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, utcnow


class AgencySchedule(Base):
    """An agency's own clock: when its daily job runs (local ``daily_summary_at`` in
    ``agencies.time_zone``), the window its people may pick a delivery time from, and the
    defaults a new enroller starts with. ``None`` means bob's configured default."""

    __tablename__ = "agency_schedules"

    agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"), primary_key=True)
    daily_summary_at: Mapped[time | None] = mapped_column(Time)
    earliest_delivery: Mapped[time | None] = mapped_column(Time)
    latest_delivery: Mapped[time | None] = mapped_column(Time)
    default_email_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    default_slack_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    default_email_no_alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    default_slack_no_alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    default_deliver_at: Mapped[time | None] = mapped_column(Time)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class DeliveryPreference(Base):
    """One enroller's choices, each ``None`` until they make it (it then follows the agency's
    default; see :mod:`rules.preferences`). ``deliver_at`` is a local time in the agency's
    zone that delays their email and DM (never the mailbox entry)."""

    __tablename__ = "delivery_preferences"

    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), primary_key=True)
    email_digest: Mapped[bool | None] = mapped_column(Boolean)
    slack_digest: Mapped[bool | None] = mapped_column(Boolean)
    email_no_alerts: Mapped[bool | None] = mapped_column(Boolean)
    slack_no_alerts: Mapped[bool | None] = mapped_column(Boolean)
    deliver_at: Mapped[time | None] = mapped_column(Time)
    # When the person (or someone for them) last chose; NULL while only imports set the row,
    # which an import may then change again (it never overwrites a person's own choice).
    chosen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class QuietTopic(Base):
    """A non-contract topic (one of bob's own) this enroller chose not to be emailed or
    messaged about. The eight CalHEERS topics can never be quieted."""

    __tablename__ = "quiet_topics"

    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
