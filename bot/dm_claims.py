"""Claiming queued digest DMs and writing their outcomes: the DM drain's SQL, the pattern of
``mailer.outbox_claims``.

A claim is one conditional UPDATE (due and queued, or claimed by a process whose lease ran
out), so two bob processes never post the same DM; outcomes are written only while the claim
is still ours. Each claim adds one to ``claims`` and each outcome one to ``attempts``, so a
claim that finds more claims than outcomes before it knows it took over from a process that
died after claiming, and checks the DM for the message before posting it again.

A DM shows its mailbox digest without the topics the recipient quieted when it was queued
(the mailbox keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import SlackConfig
from store.mailbox import MailboxDocument
from store.models import Enroller, MailboxMessage, OutboxStatus, SlackDm, UtcDateTime

DMS = cast(Table, SlackDm.__table__)


@dataclass(frozen=True)
class ClaimedDm:
    id: int
    key: str  # kind:recipient:date, what the posted message's metadata carries (no PII)
    slack_user_id: str
    attempts: int
    taken_over: bool
    lease_until: datetime
    still_linked: bool  # the enroller is active and still linked to this Slack user
    digest: MailboxDocument | None


@dataclass(frozen=True)
class DmOutcome:
    row_id: int
    status: OutboxStatus
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None


def _due(moment: datetime) -> Any:
    return or_(
        and_(DMS.c.status == OutboxStatus.QUEUED, DMS.c.next_attempt_at <= moment),
        and_(DMS.c.status == OutboxStatus.SENDING, DMS.c.lease_until < moment),
    )


def claim_dms(
    sessions: sessionmaker[Session], worker: str, moment: datetime, slack: SlackConfig
) -> list[ClaimedDm]:
    with sessions.begin() as session:
        return _claim(session, worker, moment, slack)


def log_and_claim(
    sessions: sessionmaker[Session],
    worker: str,
    outcomes: list[DmOutcome],
    unsent: list[int],
    now: Callable[[], datetime],
    slack: SlackConfig,
    claim: bool,
) -> list[ClaimedDm]:
    """Write a batch's outcomes, give back the ``unsent`` DMs and (if ``claim``) claim the
    next batch, in one transaction."""
    with sessions.begin() as session:
        _record(session, worker, outcomes)
        _release(session, worker, unsent)
        return _claim(session, worker, now(), slack) if claim else []


def _claim(session: Session, worker: str, moment: datetime, slack: SlackConfig) -> list[ClaimedDm]:
    lease_until = moment + timedelta(seconds=slack.dm_lease_seconds)
    candidates = (
        select(DMS.c.id)
        .where(_due(moment))
        .order_by(DMS.c.next_attempt_at, DMS.c.id)
        .limit(slack.dm_batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    picked = candidates.cte("picked").prefix_with("MATERIALIZED")
    claimed = session.execute(
        update(DMS)
        .where(DMS.c.id.in_(select(picked.c.id)), _due(moment))
        .values(
            status=OutboxStatus.SENDING, claimed_by=worker, lease_until=lease_until, claims=DMS.c.claims + 1
        )
        .returning(DMS.c.id, DMS.c.attempts, DMS.c.claims)
    ).all()
    counts = {row.id: (row.attempts, row.claims) for row in claimed}
    return _with_digests(session, counts, lease_until)


def _with_digests(
    session: Session, counts: dict[int, tuple[int, int]], lease_until: datetime
) -> list[ClaimedDm]:
    """The claimed DMs with the mailbox digest each one shows, in id order."""
    if not counts:
        return []
    rows = session.execute(
        select(
            SlackDm.id,
            SlackDm.recipient_id,
            SlackDm.kind,
            SlackDm.business_date,
            SlackDm.slack_user_id,
            (Enroller.slack_user_id == SlackDm.slack_user_id) & Enroller.active,
            SlackDm.quiet_topics,
            MailboxMessage.id.label("message_id"),
            MailboxMessage.subject,
            MailboxMessage.alert_count,
            MailboxMessage.created_at,
            MailboxMessage.read_at,
            MailboxMessage.body_text,
            MailboxMessage.alerts,
        )
        .join(Enroller, Enroller.id == SlackDm.recipient_id)
        .outerjoin(
            MailboxMessage,
            and_(
                MailboxMessage.recipient_id == SlackDm.recipient_id,
                MailboxMessage.kind == SlackDm.kind,
                MailboxMessage.business_date == SlackDm.business_date,
            ),
        )
        .where(SlackDm.id.in_(counts))
        .order_by(SlackDm.id)
    ).all()
    return [_claimed(row, counts[row.id], lease_until) for row in rows]


def _claimed(row: Any, counts: tuple[int, int], lease_until: datetime) -> ClaimedDm:
    attempts, claims = counts
    kind = str(row.kind)
    digest = None
    if row.message_id is not None:
        alerts, alert_count = _leaving_out(row.alerts, row.alert_count, row.quiet_topics)
        digest = MailboxDocument(
            row.message_id,
            kind,
            row.business_date,
            row.subject,
            alert_count,
            row.created_at,
            row.read_at,
            row.body_text,
            "",
            alerts,
        )
    return ClaimedDm(
        id=row.id,
        key=f"{kind}:{row.recipient_id}:{row.business_date.isoformat()}",
        slack_user_id=row.slack_user_id,
        attempts=attempts,
        taken_over=claims > attempts + 1,
        lease_until=lease_until,
        still_linked=bool(row[5]),
        digest=digest,
    )


def _leaving_out(
    alerts: list[dict[str, Any]] | None, alert_count: int, quiet: list[str] | None
) -> tuple[list[dict[str, Any]] | None, int]:
    """The digest's alerts and their count without those on the ``quiet`` topics."""
    if not quiet or alerts is None:
        return alerts, alert_count
    kept = [alert for alert in alerts if alert.get("topic") not in quiet]
    return kept, alert_count - (len(alerts) - len(kept))


def _release(session: Session, worker: str, row_ids: list[int]) -> None:
    """Queue the DMs we claimed but did not try as they were (that claim did not count)."""
    if row_ids:
        session.execute(
            update(DMS)
            .where(DMS.c.id.in_(row_ids), DMS.c.claimed_by == worker, DMS.c.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.QUEUED, claimed_by=None, lease_until=None, claims=DMS.c.claims - 1)
        )


def record_outcomes(sessions: sessionmaker[Session], worker: str, outcomes: list[DmOutcome]) -> None:
    if outcomes:
        with sessions.begin() as session:
            _record(session, worker, outcomes)


def _record(session: Session, worker: str, outcomes: list[DmOutcome]) -> None:
    if not outcomes:
        return
    record = (
        update(DMS)
        .where(
            DMS.c.id == bindparam("row_id"), DMS.c.claimed_by == worker, DMS.c.status == OutboxStatus.SENDING
        )
        .values(
            status=bindparam("new_status", type_=DMS.c.status.type),
            attempts=DMS.c.attempts + 1,
            next_attempt_at=func.coalesce(bindparam("retry_at", type_=UtcDateTime()), DMS.c.next_attempt_at),
            sent_at=bindparam("delivered_at", type_=UtcDateTime()),
            last_error=bindparam("error"),
            lease_until=None,
            channel_id=func.coalesce(bindparam("channel"), DMS.c.channel_id),
            message_ts=bindparam("ts"),
        )
    )
    session.execute(
        record,
        [
            {
                "row_id": o.row_id,
                "new_status": o.status,
                "retry_at": o.next_attempt_at,
                "delivered_at": o.sent_at,
                "error": o.last_error,
                "channel": o.channel_id,
                "ts": o.message_ts,
            }
            for o in outcomes
        ],
    )
