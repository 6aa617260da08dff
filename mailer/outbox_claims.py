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

from sqlalchemy import Boolean, Row, Table, and_, bindparam, case, func, or_, select, update
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
    if not outcomes:
        return
    record = (
        update(OUTBOX)
        .where(
            OUTBOX.c.id == bindparam("row_id"),
            OUTBOX.c.claimed_by == worker,
            OUTBOX.c.status == OutboxStatus.SENDING,
        )
        .values(
            status=bindparam("new_status", type_=OUTBOX.c.status.type),
            attempts=OUTBOX.c.attempts + 1,
            next_attempt_at=func.coalesce(
                bindparam("retry_at", type_=UtcDateTime()), OUTBOX.c.next_attempt_at
            ),
            sent_at=bindparam("delivered_at", type_=UtcDateTime()),
            last_error=bindparam("error"),
            lease_until=None,
            body_text=case((bindparam("sent", type_=Boolean()), SENT_BODY), else_=OUTBOX.c.body_text),
            body_html=case((bindparam("sent", type_=Boolean()), None), else_=OUTBOX.c.body_html),
        )
    )
    session.execute(
        record,
        [
            {
                "row_id": outcome.row_id,
                "new_status": outcome.status,
                "retry_at": outcome.next_attempt_at,
                "delivered_at": outcome.sent_at,
                "error": outcome.last_error,
                "sent": outcome.status is OutboxStatus.SENT,
            }
            for outcome in outcomes
        ],
    )
