"""Who uses bob: agencies, their enrollers with a role, and the codes that link a Slack user."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum, since_created, utcnow
from store.zones import DEFAULT_TIME_ZONE


class Role(enum.StrEnum):
    AGENT_L1 = "agent_l1"
    AGENT_L2 = "agent_l2"
    AGENCY_MANAGER = "agency_manager"
    ADMIN_L1 = "admin_l1"
    ADMIN_L2 = "admin_l2"
    PRIMARY_CONTACT = "primary_contact"
    SUPPORT_STAFF = "support_staff"


def display_name(first: str, last: str, license_number: str) -> str:
    """How an enroller is named to others: ``Ana Agent (License 0A12345)``."""
    return f"{first} {last} (License {license_number})"


MAX_DUE_SOON_DAYS = 120  # the most days before a due date an agency may list in due_soon_days


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    prevent_downline_exports: Mapped[bool] = mapped_column(Boolean, default=False)
    mask_exports_by_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # bob's own Daily Summary topics (follow-up deadlines, delegations at risk; see
    # rules/topics.py): an agency may turn them off; the eight CalHEERS topics always run.
    bob_topics: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Days before a follow-up's due date that "Follow-up due soon" alerts, e.g. "30,15,5,1";
    # None: bob's default (rules.topics.DUE_SOON_DAYS).
    due_soon_days: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Enroller(Base):
    __tablename__ = "enrollers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    license_number: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When ``active`` took its value (effective time): kept as history by store.history.
    active_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=since_created)

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.license_number)


class LinkCode(Base):
    """A one-time code that links a Slack user to an enroller; only its hash is stored."""

    __tablename__ = "link_codes"
    __table_args__ = (Index("ix_link_codes_slack_user", "slack_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
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
