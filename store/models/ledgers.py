"""The two ledgers that make work exactly-once: alerts that fired, and scheduled job runs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, utcnow
from store.models.partial_index import partial_index


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Alert(Base):
    """The alert ledger: one row per (topic, recipient, event, period) that fired.

    The unique key is the frequency policy's memory: inserting a row that exists already
    is a no-op, so a business date can be evaluated any number of times.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("topic", "recipient_id", "event_key", "period_key"),
        Index("ix_alerts_business_date_recipient", "business_date", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    # No foreign keys: the ledger is written only by INSERT … SELECT from the enrollers and
    # consumers it names, which bob never deletes, and PostgreSQL's per-row key checks cost as
    # much as the insert itself (150k alerts at 1M consumers).
    recipient_id: Mapped[int] = mapped_column(Integer)
    consumer_id: Mapped[int] = mapped_column(Integer)
    event_key: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(16))
    business_date: Mapped[date] = mapped_column(Date)


class JobRun(Base):
    """The run ledger: one row per (job, run key, agency), claimed by INSERT before the work
    starts.

    ``agency_id`` is set for work done agency by agency (each agency's Daily Summary of a
    business date, run on the agency's own clock); it is null for work done once for the
    whole deployment (the purge, `bob serve`'s first start) and for the Daily Summaries run
    before 0015, when one run covered every agency. The partial unique index keeps those
    agency-less rows unique per (job, run key), which the constraint alone would not (null
    never equals null).
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "run_key", "agency_id"),
        partial_index(
            "uq_job_runs_job_run_key_whole", "job", "run_key", where="agency_id IS NULL", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    run_key: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("agencies.id"))
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"))
    claimed_by: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(500))
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
