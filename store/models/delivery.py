"""Where a digest goes: the recipient's secure mailbox, and the outbox of emails to send."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, utcnow


class DigestKind(enum.StrEnum):
    DAILY_SUMMARY = "daily_summary"
    MANAGER_SUMMARY = "manager_summary"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MailboxMessage(Base):
    """A digest in the recipient's secure mailbox; may hold PII, so it never leaves by email."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "business_date"),
        # the web mailbox lists a person's digests newest business date first, 25 a page
        Index("ix_mailbox_messages_recipient_date", "recipient_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"), index=True)
    kind: Mapped[DigestKind] = mapped_column(_enum(DigestKind, "digest_kind"))
    business_date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(200))
    alert_count: Mapped[int] = mapped_column(Integer)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The digest's alerts as data (case number, topic, enroller, contact); NULL before 0005.
    alerts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when the recipient archives the digest (the web mailbox hides it from the inbox).
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxEmail(Base):
    """An email waiting to be sent; ``message_key`` makes queuing it twice impossible."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("enrollers.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # A digest's List-Unsubscribe value (RFC 2369: "<https://...>, <mailto:...>"), sent as is
    # with List-Unsubscribe-Post when it holds an http(s) link (RFC 8058); None for other mail.
    list_unsubscribe: Mapped[str | None] = mapped_column(String(600))
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A digest held for its recipient's delivery time is not sent before this (and has not
    # waited until then); NULL: due when queued.
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
