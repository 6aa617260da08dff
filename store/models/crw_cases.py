"""Consumer Retention Workspace cases and the notes documented on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, utcnow


class CrwStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class CrwCase(Base):
    """A Consumer Retention Workspace case: a consumer to renew, ranked by risk 1-5."""

    __tablename__ = "crw_cases"
    __table_args__ = (
        Index("ix_crw_cases_assignee_status", "assigned_enroller_id", "status"),
        CheckConstraint("risk BETWEEN 1 AND 5", name="risk_1_to_5"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(80))
    status: Mapped[CrwStatus] = mapped_column(_enum(CrwStatus, "crw_status"))
    assigned_enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_reason: Mapped[str | None] = mapped_column(String(80))
    resolution_steps: Mapped[str | None] = mapped_column(Text)


class CrwNote(Base):
    """An interaction documented on a CRW case (who, when, what)."""

    __tablename__ = "crw_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crw_case_id: Mapped[int] = mapped_column(Integer, ForeignKey("crw_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
