"""Help requests enrollers file with the exchange, and their status updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.help_request_terms import HelpCategory, HelpStatus
from store.models.base import Base, UtcDateTime, _enum, utcnow


class HelpRequest(Base):
    """A help request an enroller filed with the exchange, routed to a team by category."""

    __tablename__ = "help_requests"
    __table_args__ = (Index("ix_help_requests_enroller_status", "enroller_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"), index=True)
    category: Mapped[HelpCategory] = mapped_column(_enum(HelpCategory, "help_category"))
    topic: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[HelpStatus] = mapped_column(_enum(HelpStatus, "help_status"))
    routed_team: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HelpRequestUpdate(Base):
    """A status change on a help request, with the note support staff left."""

    __tablename__ = "help_request_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    help_request_id: Mapped[int] = mapped_column(Integer, ForeignKey("help_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[HelpStatus] = mapped_column(_enum(HelpStatus, "help_status"))
    note: Mapped[str | None] = mapped_column(Text)
