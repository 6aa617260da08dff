"""A consumer's case and what hangs on it: delegations, enrollments, consents, notices, flags.

Money is kept in whole cents so SQLite and PostgreSQL agree to the cent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, since_created, utcnow


class DelegationStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REMOVED = "removed"


class Program(enum.StrEnum):
    COVERED_CALIFORNIA = "Covered California"
    MEDI_CAL = "Medi-Cal"
    MIXED_HOUSEHOLD = "Mixed Household"


class Coverage(enum.StrEnum):
    HEALTH = "health"
    DENTAL = "dental"


class EnrollmentStatus(enum.StrEnum):
    PENDING = "pending"
    EFFECTUATED = "effectuated"
    CANCELED = "canceled"
    TERMINATED = "terminated"


class FlagKind(enum.StrEnum):
    """Open conditions on a consumer's case that stay until someone resolves them."""

    ACTION_REQUESTED = "action_requested"
    ENROLLMENT_UPDATE_PENDING = "enrollment_update_pending"
    MEDICARE_AGED_OUT = "medicare_aged_out"


class NoticeKind(enum.StrEnum):
    NOD = "NOD"


class Consumer(Base):
    """A consumer case; names, SSN, date of birth, income, phone, email and address are PII."""

    __tablename__ = "consumers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    ssn: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(254))
    primary_phone: Mapped[str | None] = mapped_column(String(32))
    secondary_phone: Mapped[str | None] = mapped_column(String(32))
    written_language: Mapped[str | None] = mapped_column(String(40))
    spoken_language: Mapped[str | None] = mapped_column(String(40))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    zip_code: Mapped[str | None] = mapped_column(String(10))
    county: Mapped[str | None] = mapped_column(String(60))
    mailing_address: Mapped[str | None] = mapped_column(String(300))
    household_size: Mapped[int | None] = mapped_column(Integer)
    annual_income_cents: Mapped[int | None] = mapped_column(BigInteger)
    fpl_percent: Mapped[int | None] = mapped_column(Integer)
    application_status: Mapped[str | None] = mapped_column(String(40))
    eligibility_status: Mapped[str | None] = mapped_column(String(40))
    medi_cal_status: Mapped[str | None] = mapped_column(String(40))
    medi_cal_renewal_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Delegation(Base):
    __tablename__ = "delegations"
    __table_args__ = (
        UniqueConstraint("consumer_id", "enroller_id"),
        Index("ix_delegations_enroller_status", "enroller_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    status: Mapped[DelegationStatus] = mapped_column(_enum(DelegationStatus, "delegation_status"))
    delegated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When ``status`` took its value (effective time): kept as history by store.history.
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=since_created)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (Index("ix_enrollments_status", "status", "coverage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    program: Mapped[Program] = mapped_column(_enum(Program, "program"))
    coverage: Mapped[Coverage] = mapped_column(_enum(Coverage, "coverage"))
    carrier: Mapped[str | None] = mapped_column(String(100))
    plan_name: Mapped[str | None] = mapped_column(String(200))
    metal_tier: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[EnrollmentStatus] = mapped_column(_enum(EnrollmentStatus, "enrollment_status"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    gross_premium_cents: Mapped[int | None] = mapped_column(Integer)
    aptc_cents: Mapped[int | None] = mapped_column(Integer)
    net_premium_cents: Mapped[int | None] = mapped_column(Integer)
    csr_level: Mapped[str | None] = mapped_column(String(40))
    binder_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the status and the binder payment took their values, and when the enrollment was
    # submitted: effective times, kept as history by store.history.
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=since_created)
    binder_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=since_created)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Consent(Base):
    """Consent for verification of income and other data, good through ``valid_thru``."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    valid_thru: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # when received


class Notice(Base):
    """A notice generated on the case, such as a Notice of Determination (NOD)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notice_kind"))
    notice_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class ConsumerFlag(Base):
    """An open condition (action requested, update pending, Medicare aged out) until resolved."""

    __tablename__ = "consumer_flags"
    __table_args__ = (Index("ix_consumer_flags_kind_open", "kind", "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"), index=True)
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind, "flag_kind"))
    detail: Mapped[str | None] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
