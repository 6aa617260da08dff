"""Book of Business export history and the weekly snapshots an export can be built from."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, utcnow


class ExportStatus(enum.StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ExportScope(enum.StrEnum):
    AGENT = "agent"
    AGENCY = "agency"


class ExportRecord(Base):
    """Export history: one row per requested Book of Business workbook (no PII)."""

    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_requested_by", "requested_by_id", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    requested_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    requested_via: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"))
    scope: Mapped[ExportScope] = mapped_column(_enum(ExportScope, "export_scope"))
    subject_enroller_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("enrollers.id"))
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    from_snapshot: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ExportStatus] = mapped_column(_enum(ExportStatus, "export_status"))
    row_count: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Snapshot(Base):
    """The agency's book frozen at the weekly refresh (Friday 21:00 local)."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("agency_id", "business_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"))
    business_date: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer, default=0)


class SnapshotRow(Base):
    """One consumer case as it stood in a snapshot: the workbook's column values as JSON."""

    __tablename__ = "snapshot_rows"
    __table_args__ = (Index("ix_snapshot_rows_snapshot_enroller", "snapshot_id", "enroller_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(Integer, ForeignKey("snapshots.id", ondelete="CASCADE"))
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"))
    case_number: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
