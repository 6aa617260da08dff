"""Drain the outbox: claim a batch, send it over pooled SMTP connections, then log each outcome.

The claim and the outcomes are one conditional UPDATE each (:mod:`mailer.outbox_claims`), so
two bob processes never send the same row. The next batch is claimed, and the outcomes are
written (:mod:`mailer.outcome_log`), while a batch is being sent: the connections used to
wait for both between batches, a third of the drain's time on PostgreSQL
(bench/outbox_drain.py). A row whose lease has run out is not sent,
because someone else may have it now; a failed one is retried with doubling delays. A fault of
the session (:class:`SessionFault`: the server or the settings turn every email away) stops
the drain: the emails not sent go back to the queue untouched, and the fault is raised once.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from mailer.outbox_claims import ClaimedEmail, Outcome, claim_batch, count_due
from mailer.outcome_log import OutcomeLog
from mailer.settings import SmtpConfig
from mailer.smtp import DeliveryError, SessionFault, SmtpChannel
from store.models import OutboxStatus, utcnow
from store.workers import worker_id

# However many attempts have failed, the next one is at most this far away.
MAX_RETRY_DELAY = timedelta(hours=1)
_ERROR_LENGTH = 500


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> DrainResult:
        """The counts of one batch's outcomes."""
        return cls(
            sent=sum(o.status is OutboxStatus.SENT for o in outcomes),
            retried=sum(o.status is OutboxStatus.QUEUED for o in outcomes),
            failed=sum(o.status is OutboxStatus.FAILED for o in outcomes),
        )

    def add(self, counts: DrainResult) -> None:
        self.sent += counts.sent
        self.retried += counts.retried
        self.failed += counts.failed

    def summary(self) -> str:
        return f"sent: {self.sent}  retried: {self.retried}  failed: {self.failed}"


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
    session raises :class:`SessionFault` before any row is claimed, and one that turns every
    email away mid-drain raises it after the unsent emails are queued again.
    """
    worker = worker or f"{worker_id()}:{secrets.token_hex(4)}"
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
            batch = await _send_and_log(sessions, channels, batch, smtp, now, worker, once, result)
    return result


async def _send_and_log(
    sessions: sessionmaker[Session],
    channels: list[SmtpChannel],
    batch: list[ClaimedEmail],
    smtp: SmtpConfig,
    now: Callable[[], datetime],
    worker: str,
    once: bool,
    result: DrainResult,
) -> list[ClaimedEmail]:
    """Send one batch while the next one is claimed and its outcomes are written, so the
    connections wait for neither; then write the last outcomes and give back, in the same
    transaction, the emails that will not be sent now. A session fault is raised once that
    is done."""
    log = OutcomeLog(sessions, worker)
    ahead = None if once else _claim_ahead(sessions, worker, now(), smtp)
    try:
        fault = await send_batch(channels, batch, smtp, now, log.add)
    except BaseException:
        # Even when stopped halfway, log what went out so it is never sent again; what is
        # claimed and not sent waits for its lease to run out, as after a crash.
        if ahead is not None:
            await asyncio.wait([ahead])
        await log.finish()
        raise
    following = await ahead if ahead is not None else []
    counts = DrainResult.of(log.outcomes)
    result.add(counts)
    # A whole batch to retry means the server is struggling: leave the rest for the next
    # drain instead of spending an attempt of every email on it.
    more = not (fault or (counts.retried and not counts.sent and not counts.failed))
    unsent = _unsent(batch, log.outcomes) + ([] if more else [claimed.id for claimed in following])
    await log.finish(unsent)
    if fault is not None:
        raise fault
    return following if more else []


def _claim_ahead(
    sessions: sessionmaker[Session], worker: str, moment: datetime, smtp: SmtpConfig
) -> asyncio.Future[list[ClaimedEmail]]:
    """The next batch, claimed in a thread while the connections send this one."""
    return asyncio.ensure_future(asyncio.to_thread(claim_batch, sessions, worker, moment, smtp))


def _unsent(batch: list[ClaimedEmail], outcomes: list[Outcome]) -> list[int]:
    """The emails of ``batch`` that were not tried (the drain stopped, or their lease ran out)."""
    tried = {outcome.row_id for outcome in outcomes}
    return [claimed.id for claimed in batch if claimed.id not in tried]


async def send_batch(
    channels: Sequence[SmtpChannel],
    batch: list[ClaimedEmail],
    smtp: SmtpConfig,
    now: Callable[[], datetime],
    record: Callable[[Outcome], None],
) -> SessionFault | None:
    """Send ``batch`` over all ``channels`` at once, handing each email's outcome to
    ``record`` as soon as it is known. After a fault of the session the channels finish the
    email in hand and take no more; the fault is returned."""
    pending = deque(batch)
    faults: list[SessionFault] = []

    async def work(channel: SmtpChannel) -> None:
        while pending and not faults:
            claimed = pending.popleft()
            if now() >= claimed.lease_until:
                continue  # our claim ran out: another process may be sending it now
            try:
                await channel.send(claimed.email)
            except SessionFault as exc:
                faults.append(exc)
            except DeliveryError as exc:
                record(failure_outcome(claimed, exc, smtp, now()))
            else:
                record(Outcome(claimed.id, OutboxStatus.SENT, sent_at=now()))

    async with asyncio.TaskGroup() as group:
        for channel in channels:
            group.create_task(work(channel))
    return faults[0] if faults else None


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
