"""SQLAlchemy 2 models of the consumer store.

Stored times are aware UTC (:class:`UtcDateTime`); business dates are plain ``date`` values
already resolved in the agency's time zone. Money is kept in whole cents so SQLite and
PostgreSQL agree to the cent. Enumerations are stored as short strings with CHECK
constraints, so a bad value is refused by the database itself.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.zones import DEFAULT_TIME_ZONE

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every backend; naive datetimes are refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(32, *(len(str(m.value)) for m in cls)),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    AGENT_L1 = "agent_l1"
    AGENT_L2 = "agent_l2"
    AGENCY_MANAGER = "agency_manager"
    ADMIN_L1 = "admin_l1"
    ADMIN_L2 = "admin_l2"
    PRIMARY_CONTACT = "primary_contact"
    SUPPORT_STAFF = "support_staff"


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


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DigestKind(enum.StrEnum):
    DAILY_SUMMARY = "daily_summary"
    MANAGER_SUMMARY = "manager_summary"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    prevent_downline_exports: Mapped[bool] = mapped_column(Boolean, default=False)
    mask_exports_by_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Enroller(Base):
    __tablename__ = "enrollers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    license_number: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name} (License {self.license_number})"


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
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    enroller_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    status: Mapped[DelegationStatus] = mapped_column(_enum(DelegationStatus, "delegation_status"))
    delegated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (Index("ix_enrollments_status", "status", "coverage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
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
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Consent(Base):
    """Consent for verification of income and other data, good through ``valid_thru``."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    valid_thru: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Notice(Base):
    """A notice generated on the case, such as a Notice of Determination (NOD)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notice_kind"))
    notice_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class ConsumerFlag(Base):
    """An open condition (action requested, update pending, Medicare aged out) until resolved."""

    __tablename__ = "consumer_flags"
    __table_args__ = (Index("ix_consumer_flags_kind_open", "kind", "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind, "flag_kind"))
    detail: Mapped[str | None] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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
    recipient_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"))
    event_key: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(16))
    business_date: Mapped[date] = mapped_column(Date)


class MailboxMessage(Base):
    """A digest in the recipient's secure mailbox; may hold PII, so it never leaves by email."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (UniqueConstraint("recipient_id", "kind", "business_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"), index=True)
    kind: Mapped[DigestKind] = mapped_column(_enum(DigestKind, "digest_kind"))
    business_date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(200))
    alert_count: Mapped[int] = mapped_column(Integer)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxEmail(Base):
    """An email waiting to be sent; ``message_key`` makes queuing it twice impossible."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("enrollers.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JobRun(Base):
    """The run ledger: one row per (job, run key), claimed by INSERT before the work starts."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "run_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    run_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"))
    claimed_by: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(500))
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditEntry(Base):
    """Who did what, when: exports, transfers, links and refusals. Never PII."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("enrollers.id"))
    actor_slack_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


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
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    requested_via: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    scope: Mapped[ExportScope] = mapped_column(_enum(ExportScope, "export_scope"))
    subject_enroller_id: Mapped[int | None] = mapped_column(ForeignKey("enrollers.id"))
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
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    business_date: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer, default=0)


class SnapshotRow(Base):
    """One consumer case as it stood in a snapshot: the workbook's column values as JSON."""

    __tablename__ = "snapshot_rows"
    __table_args__ = (Index("ix_snapshot_rows_snapshot_enroller", "snapshot_id", "enroller_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    enroller_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"))
    case_number: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class LinkCode(Base):
    """A one-time code that links a Slack user to an enroller; only its hash is stored."""

    __tablename__ = "link_codes"
    __table_args__ = (Index("ix_link_codes_slack_user", "slack_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enroller_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class RateLimit(Base):
    """How often one key (a Slack user, a hashed license number or email asked for) was used
    in its current window; claimed with one conditional upsert (``store.rate_limits``)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    used: Mapped[int] = mapped_column(Integer)


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
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(80))
    status: Mapped[CrwStatus] = mapped_column(_enum(CrwStatus, "crw_status"))
    assigned_enroller_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_reason: Mapped[str | None] = mapped_column(String(80))
    resolution_steps: Mapped[str | None] = mapped_column(Text)


class CrwNote(Base):
    """An interaction documented on a CRW case (who, when, what)."""

    __tablename__ = "crw_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crw_case_id: Mapped[int] = mapped_column(ForeignKey("crw_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class HelpCategory(enum.StrEnum):
    CONSUMER_CASE = "Consumer Case/Application Issue"
    PROFILE = "Agency/Entity or Enroller Profile Issue"
    CONTRACTS = "Agent Contracts or Certification Services"
    SERVICE_CENTER = "Agent/CEC Service Center"


class HelpStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    PENDING_INFORMATION = "pending_information"
    RESOLVED = "resolved"
    CLOSED = "closed"


class HelpRequest(Base):
    """A help request an enroller filed with the exchange, routed to a team by category."""

    __tablename__ = "help_requests"
    __table_args__ = (Index("ix_help_requests_enroller_status", "enroller_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    enroller_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
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
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("enrollers.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[HelpStatus] = mapped_column(_enum(HelpStatus, "help_status"))
    note: Mapped[str | None] = mapped_column(Text)
