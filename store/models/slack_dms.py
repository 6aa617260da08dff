"""A digest's Slack direct message, queued beside its email: claimed, sent and logged like one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, utcnow
from store.models.delivery import DigestKind, OutboxStatus


class SlackDm(Base):
    """One digest to DM to its recipient's linked Slack user. It holds no PII: the message is
    built from the mailbox entry of the same (recipient, kind, date) when it is sent.

    ``claims`` counts claims and ``attempts`` logged outcomes: a claim that finds
    ``claims > attempts`` takes over from a process that died after claiming, which may have
    posted the message before it could log it.
    """

    __tablename__ = "slack_dms"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "business_date"),
        Index("ix_slack_dms_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    kind: Mapped[DigestKind] = mapped_column(_enum(DigestKind, "digest_kind"))
    business_date: Mapped[date] = mapped_column(Date)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    # The topics this DM leaves out: the recipient's quiet topics when it was queued (NULL: none).
    quiet_topics: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "slack_dm_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
