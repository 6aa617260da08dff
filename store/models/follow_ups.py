"""Follow-ups with deadlines on a consumer's case: DMI, SVI and other documents.

A Data Matching Issue (DMI) or SEP Verification Issue (SVI) left past its due date costs the
consumer their subsidy or coverage, so each follow-up carries its due date and the times it
was raised and resolved, whichever source (CalHEERS, HealthSherpa, bob's own file) told us.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, since_created, utcnow


class FollowUpKind(enum.StrEnum):
    DMI = "dmi"  # Data Matching Issue: the application's data did not match a trusted source
    SVI = "svi"  # SEP Verification Issue: proof of a special enrollment period is due
    DOCUMENT = "document"  # any other document the exchange or carrier asked for


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # documents sent, awaiting review
    CLEARED = "cleared"  # verified: nothing more to do
    EXPIRED = "expired"  # the due date passed without clearing; the exchange has acted


class FollowUpSource(enum.StrEnum):
    CALHEERS = "calheers"
    HEALTHSHERPA = "healthsherpa"
    BOB_FILE = "bob_file"


#: Statuses in which a follow-up still needs someone to act before its due date.
OUTSTANDING = (FollowUpStatus.OPEN, FollowUpStatus.SUBMITTED)


class FollowUp(Base):
    """One thing a consumer must prove by a date. ``external_ref`` is the source's own id (or
    one derived from the case, kind and need), so importing the same file twice updates, never
    duplicates."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("source", "external_ref"),
        Index("ix_follow_ups_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    kind: Mapped[FollowUpKind] = mapped_column(_enum(FollowUpKind, "follow_up_kind"))
    needed: Mapped[str] = mapped_column(String(120))  # e.g. "Proof of income"; no PII
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[FollowUpStatus] = mapped_column(_enum(FollowUpStatus, "follow_up_status"))
    source: Mapped[FollowUpSource] = mapped_column(_enum(FollowUpSource, "follow_up_source"))
    external_ref: Mapped[str] = mapped_column(String(64))
    # When the follow-up was raised (effective time, from the file where it says so).
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When ``status`` took its value (effective time) and, once cleared or expired, when.
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=since_created)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
