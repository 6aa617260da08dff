"""The queue of digest DMs, a table the bot drains: queued in the caller's transaction (the
Daily Summary's, beside the mailbox entry and the email), exactly once per digest."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store.db import insert_ignoring_duplicates
from store.models import DigestKind, OutboxStatus, SlackDm, utcnow


@dataclass(frozen=True)
class QueuedDm:
    recipient_id: int
    kind: DigestKind
    business_date: date
    slack_user_id: str
    quiet_topics: tuple[str, ...] = ()  # the recipient's quiet topics, left out of the DM
    not_before: datetime | None = None  # their delivery time; None: as soon as it is drained


def queue_dms(session: Session, dms: Sequence[QueuedDm]) -> None:
    """Add ``dms`` to the queue, each due at its ``not_before`` (or now); a digest queued
    before is kept as it was."""
    if not dms:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "recipient_id": dm.recipient_id,
            "kind": dm.kind,
            "business_date": dm.business_date,
            "slack_user_id": dm.slack_user_id,
            "quiet_topics": sorted(dm.quiet_topics) or None,
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "claims": 0,
            "next_attempt_at": max(dm.not_before or now, now),
            "created_at": now,
        }
        for dm in dms
    ]
    session.execute(insert_ignoring_duplicates(session, SlackDm).on_conflict_do_nothing(), rows)


def withdraw_digest_dms(session: Session, recipient_ids: Collection[int]) -> int:
    """Remove the recipients' digest DMs still waiting (held for their delivery time, or
    retrying): once they turn Slack digests off, none may be posted. A DM the bot has claimed
    already is past recalling. Returns how many were withdrawn."""
    if not recipient_ids:
        return 0
    withdrawn = session.execute(
        delete(SlackDm).where(SlackDm.recipient_id.in_(recipient_ids), SlackDm.status == OutboxStatus.QUEUED)
    )
    return int(withdrawn.rowcount or 0)  # type: ignore[attr-defined]


def retime_held_digest_dms(
    session: Session,
    recipient_ids: Collection[int],
    at: datetime,
    until: Callable[[int, date], datetime | None],
) -> None:
    """Move the recipients' digest DMs still held for a delivery time after ``at`` (never
    tried yet: a retry's wait is not a delivery time) to ``until(recipient, business date)``;
    None or a time already past posts them at once."""
    if not recipient_ids:
        return
    held = session.execute(
        select(SlackDm.id, SlackDm.recipient_id, SlackDm.business_date).where(
            SlackDm.recipient_id.in_(recipient_ids),
            SlackDm.status == OutboxStatus.QUEUED,
            SlackDm.claims == 0,
            SlackDm.next_attempt_at > at,
        )
    )
    moved = []
    for dm_id, recipient_id, day in held:
        when = until(recipient_id, day)
        moved.append({"id": dm_id, "next_attempt_at": when if when is not None and when > at else at})
    if moved:
        session.execute(update(SlackDm), moved)


def dm_counts(session: Session) -> dict[str, int]:
    """How many DMs are queued, sending, sent and failed."""
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in session.execute(select(SlackDm.status, func.count()).group_by(SlackDm.status)):
        counts[OutboxStatus(status).value] = count
    return counts
