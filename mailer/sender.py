"""Drain the outbox: claim a batch, send it over pooled SMTP connections, then log each outcome.

Claiming is one conditional UPDATE, so two bob processes (or two overlapping runs) never send
the same row: a row is claimed when it is queued and due, or when the process that claimed
it let its lease run out (it crashed). Outcomes are written only while the claim is still
ours, and a row whose lease has run out is not sent, because someone else may have it now.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import ssl
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mailer.settings import SmtpConfig
from mailer.smtp import DeliveryError, OutgoingEmail, SmtpChannel
from store.models import OutboxEmail, OutboxStatus, UtcDateTime, utcnow

OUTBOX = cast(Table, OutboxEmail.__table__)
# However many attempts have failed, the next one is at most this far away.
MAX_RETRY_DELAY = timedelta(hours=1)
_ERROR_LENGTH = 500


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def summary(self) -> str:
        return f"sent: {self.sent}  retried: {self.retried}  failed: {self.failed}"


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


def worker_name() -> str:
    """Who holds a claim: host, process and a random tag (two runs in one process differ)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(4)}"


async def drain_outbox(
    sessions: sessionmaker[Session],
    smtp: SmtpConfig,
    *,
    once: bool = False,
    now: Callable[[], datetime] = utcnow,
    worker: str | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> DrainResult:
    """Send every email that is due (or one batch with ``once``) and return the counts.

    Connects only when something is due; a server that cannot be reached or refuses the
    login raises :class:`DeliveryError` before any row is claimed.
    """
    worker = worker or worker_name()
    result = DrainResult()
    due = await asyncio.to_thread(count_due, sessions, now(), smtp.batch_size)
    if not due:
        return result
    async with AsyncExitStack() as stack:
        channels = [
            await stack.enter_async_context(SmtpChannel(smtp, tls_context=tls_context, now=now))
            for _ in range(max(1, min(smtp.connections, due)))
        ]
        batch = await asyncio.to_thread(claim_batch, sessions, worker, now(), smtp)
        while batch:
            outcomes: list[Outcome] = []
            try:
                await send_batch(channels, batch, smtp, now, outcomes)
            except BaseException:
                # Even when stopped halfway, log what went out so it is never sent again.
                await asyncio.to_thread(record_outcomes, sessions, worker, outcomes)
                raise
            counts = DrainResult(
                sent=sum(o.status is OutboxStatus.SENT for o in outcomes),
                retried=sum(o.status is OutboxStatus.QUEUED for o in outcomes),
                failed=sum(o.status is OutboxStatus.FAILED for o in outcomes),
            )
            result.sent += counts.sent
            result.retried += counts.retried
            result.failed += counts.failed
            # A whole batch to retry means the server is struggling: leave the rest for the
            # next drain instead of spending an attempt of every email on it.
            more = not once and not (counts.retried and not counts.sent and not counts.failed)
            batch = await asyncio.to_thread(log_and_claim, sessions, worker, outcomes, now, smtp, more)
    return result


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


def log_and_claim(
    sessions: sessionmaker[Session],
    worker: str,
    outcomes: list[Outcome],
    now: Callable[[], datetime],
    smtp: SmtpConfig,
    claim: bool,
) -> list[ClaimedEmail]:
    """Write a batch's outcomes and (if ``claim``) claim the next batch, in one transaction:
    between two batches the connections wait for this, so it is kept to one round."""
    with sessions.begin() as session:
        _record(session, worker, outcomes)
        return _claim(session, worker, now(), smtp) if claim else []


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
        )
    )
    rows = session.execute(claim).all()
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
            ),
        )
        for row in sorted(rows, key=lambda row: row.id)
    ]


async def send_batch(
    channels: Sequence[SmtpChannel],
    batch: list[ClaimedEmail],
    smtp: SmtpConfig,
    now: Callable[[], datetime],
    outcomes: list[Outcome],
) -> None:
    """Send ``batch`` over all ``channels`` at once, adding each email's outcome to
    ``outcomes`` as soon as it is known."""
    pending = deque(batch)

    async def work(channel: SmtpChannel) -> None:
        while pending:
            claimed = pending.popleft()
            if now() >= claimed.lease_until:
                continue  # our claim ran out: another process may be sending it now
            try:
                await channel.send(claimed.email)
            except DeliveryError as exc:
                outcomes.append(failure_outcome(claimed, exc, smtp, now()))
            else:
                outcomes.append(Outcome(claimed.id, OutboxStatus.SENT, sent_at=now()))

    async with asyncio.TaskGroup() as group:
        for channel in channels:
            group.create_task(work(channel))


def failure_outcome(
    claimed: ClaimedEmail, error: DeliveryError, smtp: SmtpConfig, moment: datetime
) -> Outcome:
    """Retry with doubling delays (backoff, 2x, 4x … capped) until attempts run out."""
    attempts = claimed.attempts + 1
    reason = str(error)
    if error.permanent:
        return Outcome(claimed.id, OutboxStatus.FAILED, last_error=reason[:_ERROR_LENGTH])
    if attempts >= smtp.max_attempts:
        gave_up = f"gave up after {attempts} attempts; last: {reason}"
        return Outcome(claimed.id, OutboxStatus.FAILED, last_error=gave_up[:_ERROR_LENGTH])
    delay = min(timedelta(seconds=smtp.backoff_seconds * 2 ** (attempts - 1)), MAX_RETRY_DELAY)
    return Outcome(
        claimed.id,
        OutboxStatus.QUEUED,
        next_attempt_at=moment + delay,
        last_error=reason[:_ERROR_LENGTH],
    )


def record_outcomes(sessions: sessionmaker[Session], worker: str, outcomes: list[Outcome]) -> None:
    """Write each outcome in one transaction, only for rows this worker still holds."""
    if outcomes:
        with sessions.begin() as session:
            _record(session, worker, outcomes)


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
            }
            for outcome in outcomes
        ],
    )
