"""Claiming outbox rows and writing their outcomes: the drain's two SQL statements.

Claiming is one conditional UPDATE, so two bob processes (or two overlapping runs) never send
the same row: a row is claimed when it is queued and due, or when the process that claimed
it let its lease run out (it crashed). Outcomes are written only while the claim is still
ours.

The UPDATE that marks an email sent also drops its body: a sent email may hold a link code,
an export password or (with ``mail.include_pii_in_email``) PII, and once delivered the
outbox has no use for it (the secure mailbox keeps the digests). A failed email keeps its
body, so ``bob outbox retry`` can send it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mailer.settings import SmtpConfig
from mailer.smtp import OutgoingEmail
from store.models import OutboxEmail, OutboxStatus, UtcDateTime
from store.outbox import SENT_BODY

OUTBOX = cast(Table, OutboxEmail.__table__)


@dataclass(frozen=True)
class ClaimedEmail:
    id: int
    attempts: int
    lease_until: datetime
    email: OutgoingEmail


@dataclass(frozen=True)
class Outcome:
    row_id: int
    status: OutboxStatus
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


def _due(moment: datetime) -> Any:
    return or_(
        and_(OUTBOX.c.status == OutboxStatus.QUEUED, OUTBOX.c.next_attempt_at <= moment),
        and_(OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.lease_until < moment),
    )


def count_due(sessions: sessionmaker[Session], moment: datetime, limit: int) -> int:
    """How many emails are due, counting no further than ``limit``."""
    due_ids = select(OutboxEmail.id).where(_due(moment)).limit(limit).subquery()
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(due_ids)) or 0


def claim_batch(
    sessions: sessionmaker[Session], worker: str, moment: datetime, smtp: SmtpConfig
) -> list[ClaimedEmail]:
    """Mark up to ``batch_size`` due emails as ours, in one UPDATE, and return them."""
    with sessions.begin() as session:
        return _claim(session, worker, moment, smtp)


def log_outcomes(
    sessions: sessionmaker[Session], worker: str, outcomes: list[Outcome], unsent: Sequence[int] = ()
) -> None:
    """Write a batch's outcomes and give back the ``unsent`` emails in one transaction, each
    only while this worker still holds it."""
    if outcomes or unsent:
        with sessions.begin() as session:
            _record(session, worker, outcomes)
            _release(session, worker, unsent)


def _release(session: Session, worker: str, row_ids: Sequence[int]) -> None:
    """Queue the emails we claimed but did not try again as they were (same attempts, same
    due time), so none is left "sending" past its lease; one another worker holds now stays
    theirs."""
    if row_ids:
        session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(row_ids),
                OUTBOX.c.claimed_by == worker,
                OUTBOX.c.status == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.QUEUED, claimed_by=None, lease_until=None)
        )


def _claim(session: Session, worker: str, moment: datetime, smtp: SmtpConfig) -> list[ClaimedEmail]:
    """On PostgreSQL the candidate rows are locked with SKIP LOCKED, so concurrent claimers
    take different rows instead of waiting; SQLite runs one writer at a time, and the
    condition is checked again by the UPDATE itself."""
    lease_until = moment + timedelta(seconds=smtp.lease_seconds)
    candidates = (
        select(OUTBOX.c.id)
        .where(_due(moment))
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(smtp.batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # MATERIALIZED: run the LIMIT query once. Inlined as a subquery, PostgreSQL may rerun
    # it for every outer row (a nested-loop semi join) and claim far more than a batch.
    picked = candidates.cte("picked").prefix_with("MATERIALIZED")
    claim = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(select(picked.c.id)), _due(moment))
        .values(status=OutboxStatus.SENDING, claimed_by=worker, lease_until=lease_until)
        .returning(
            OUTBOX.c.id,
            OUTBOX.c.attempts,
            OUTBOX.c.message_id,
            OUTBOX.c.to_address,
            OUTBOX.c.subject,
            OUTBOX.c.body_text,
            OUTBOX.c.body_html,
            OUTBOX.c.list_unsubscribe,
        )
    )
    return _claimed(session.execute(claim).all(), lease_until)


def _claimed(rows: Sequence[Row[Any]], lease_until: datetime) -> list[ClaimedEmail]:
    """The claimed rows as emails to send, in id order."""
    return [
        ClaimedEmail(
            id=row.id,
            attempts=row.attempts,
            lease_until=lease_until,
            email=OutgoingEmail(
                message_id=row.message_id,
                to_address=row.to_address,
                subject=row.subject,
                body_text=row.body_text,
                body_html=row.body_html,
                list_unsubscribe=row.list_unsubscribe,
            ),
        )
        for row in sorted(rows, key=lambda row: row.id)
    ]


def _record(session: Session, worker: str, outcomes: list[Outcome]) -> None:
    """Sent emails by a statement of their own with three values a row, the rest by one that
    takes all. Nearly every outcome is "sent", and the general statement's values and CASEs,
    with the statement built anew for each write, cost a drain on SQLite about 12 µs an
    email, a quarter of its log (bench/outbox_drain.py)."""
    sent = [
        {"row_id": outcome.row_id, "worker": worker, "delivered_at": outcome.sent_at}
        for outcome in outcomes
        if outcome.status is OutboxStatus.SENT
    ]
    if sent:
        session.execute(_MARK_SENT, sent)
    others = [
        {
            "row_id": outcome.row_id,
            "worker": worker,
            "new_status": outcome.status,
            "retry_at": outcome.next_attempt_at,
            "error": outcome.last_error,
        }
        for outcome in outcomes
        if outcome.status is not OutboxStatus.SENT
    ]
    if others:
        session.execute(_MARK_TRIED, others)


# Built once: a statement's cache key costs as much to compute as writing a few rows.
_STILL_OURS = and_(
    OUTBOX.c.id == bindparam("row_id"),
    OUTBOX.c.claimed_by == bindparam("worker"),
    OUTBOX.c.status == OutboxStatus.SENDING,
)
# Sent: the body goes (see the module's docstring), the lease ends.
_MARK_SENT = (
    update(OUTBOX)
    .where(_STILL_OURS)
    .values(
        status=OutboxStatus.SENT,
        attempts=OUTBOX.c.attempts + 1,
        sent_at=bindparam("delivered_at", type_=UtcDateTime()),
        last_error=None,
        lease_until=None,
        body_text=SENT_BODY,
        body_html=None,
    )
)
# Queued again for later, or failed for good: the body stays, for the retry.
_MARK_TRIED = (
    update(OUTBOX)
    .where(_STILL_OURS)
    .values(
        status=bindparam("new_status", type_=OUTBOX.c.status.type),
        attempts=OUTBOX.c.attempts + 1,
        next_attempt_at=func.coalesce(bindparam("retry_at", type_=UtcDateTime()), OUTBOX.c.next_attempt_at),
        sent_at=None,
        last_error=bindparam("error"),
        lease_until=None,
    )
)
