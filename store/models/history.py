"""State history: what an enrollment, a delegation and an enroller were, and since when.

Each row is one period of one entity's state, ``[valid_from, valid_to)`` in effective time
(``valid_to`` NULL: still so). The Daily Summary reads the period in effect at its cutoff, so
a past date replays as the book stood then, whenever the run happens. Rows are derived by
:mod:`store.history` from the current tables' state and their ``*_changed_at`` columns;
nothing else writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime, _enum
from store.models.cases import DelegationStatus, EnrollmentStatus
from store.models.partial_index import partial_index


def _one_open_period(table: str, key: str) -> Index:
    """At most one open period per entity, enforced by the database: two writers racing to
    open one fail instead of splitting the history. Also the index every sync looks up."""
    return partial_index(f"uq_{table}_open", key, unique=True, where="valid_to IS NULL")


class EnrollmentPeriod(Base):
    """An enrollment's status and binder payment over one period; ``status_since`` is when
    that status began (a binder payment starts a new period, not a new status)."""

    __tablename__ = "enrollment_history"
    __table_args__ = (
        _one_open_period("enrollment_history", "enrollment_id"),
        # Binder Payment Pending: the few open pending periods not paid, out of a million.
        Index("ix_enrollment_history_status", "status", "binder_paid", "valid_to"),
        # The one-time topics' window: statuses that began within the lookback (led by the
        # time, so the pending-binder topic keeps the index above).
        Index("ix_enrollment_history_status_since", "status_since", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollments.id"))
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"))
    status: Mapped[EnrollmentStatus] = mapped_column(_enum(EnrollmentStatus, "enrollment_status"))
    binder_paid: Mapped[bool] = mapped_column(Boolean)
    status_since: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DelegationPeriod(Base):
    """A delegation's status over one period (pending, active, removed)."""

    __tablename__ = "delegation_history"
    __table_args__ = (
        _one_open_period("delegation_history", "delegation_id"),
        Index("ix_delegation_history_enroller", "enroller_id", "status"),
        Index("ix_delegation_history_consumer", "consumer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(Integer, ForeignKey("delegations.id"))
    consumer_id: Mapped[int] = mapped_column(Integer, ForeignKey("consumers.id"))
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    status: Mapped[DelegationStatus] = mapped_column(_enum(DelegationStatus, "delegation_status"))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrollerPeriod(Base):
    """Whether an enroller was active over one period."""

    __tablename__ = "enroller_history"
    __table_args__ = (
        _one_open_period("enroller_history", "enroller_id"),
        Index("ix_enroller_history_enroller", "enroller_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enroller_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrollers.id"))
    active: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HistoryChange(Base):
    """An entity whose tracked state was written and may be out of step with its history.

    Filled by database triggers (migration 0020) on every insert and on every update that
    changes a tracked state, whoever the writer: bob's importers sync what they change
    themselves, and this queue lets the Daily Summary's sync look at the few entities
    written since instead of comparing the whole book with its history (at 1M consumers,
    two full passes of 1.2M enrollments and 1M delegations on every run).
    """

    __tablename__ = "history_changes"
    __table_args__ = (Index("ix_history_changes_kind", "kind", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # the current table's name
    entity_id: Mapped[int] = mapped_column(Integer)
