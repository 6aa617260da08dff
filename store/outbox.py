"""The email outbox, a table the sender drains: queue an email in the caller's transaction,
exactly once per message key. Any part of bob may queue mail through it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from store.db import insert_ignoring_duplicates
from store.models import DigestKind, OutboxEmail, OutboxStatus, utcnow

# What a sent email's body becomes: once delivered, a link code, an export password or PII in
# it has done its job (migration 0007 cleared the emails sent before).
SENT_BODY = "(sent; the body is not kept)"


@dataclass(frozen=True)
class FailedEmail:
    """A failed email as an operator sees it: no address, no body (the reason has its
    addresses removed by the sender)."""

    id: int
    subject: str
    attempts: int
    reason: str


@dataclass(frozen=True)
class QueuedEmail:
    message_key: str
    to_address: str
    subject: str
    body_text: str
    body_html: str | None = None
    recipient_id: int | None = None
    list_unsubscribe: str | None = None  # digests only: how to stop them (RFC 2369 / 8058)
    # Not sent before this instant (a digest's delivery time); None: as soon as it is drained.
    not_before: datetime | None = None


def digest_message_key(kind: DigestKind, recipient_id: int, day: date) -> str:
    """The outbox key of a recipient's digest email of business date ``day``."""
    return f"{kind.value}:{recipient_id}:{day.isoformat()}"


def withdraw_digest_emails(session: Session, recipient_ids: Collection[int]) -> int:
    """Remove the recipients' digest emails still waiting in the outbox (held for their
    delivery time, or retrying): once they turn email digests off, none may leave. An email
    a sender has claimed already is past recalling. Returns how many were withdrawn."""
    if not recipient_ids:
        return 0
    digests = [OutboxEmail.message_key.like(f"{kind.value}:%") for kind in DigestKind]
    withdrawn = session.execute(
        delete(OutboxEmail).where(
            OutboxEmail.recipient_id.in_(recipient_ids),
            OutboxEmail.status == OutboxStatus.QUEUED,
            or_(*digests),
        )
    )
    return int(withdrawn.rowcount or 0)  # type: ignore[attr-defined]


def retime_held_digest_emails(
    session: Session,
    recipient_ids: Collection[int],
    at: datetime,
    until: Callable[[int, date], datetime | None],
) -> None:
    """Move the recipients' digest emails still held for a delivery time after ``at`` to
    ``until(recipient, business date)``, their delivery time now; None or a time already
    past sends them at once. One read and one executemany."""
    if not recipient_ids:
        return
    digests = [OutboxEmail.message_key.like(f"{kind.value}:%") for kind in DigestKind]
    held = session.execute(
        select(OutboxEmail.id, OutboxEmail.recipient_id, OutboxEmail.message_key).where(
            OutboxEmail.recipient_id.in_(recipient_ids),
            OutboxEmail.status == OutboxStatus.QUEUED,
            OutboxEmail.not_before > at,
            or_(*digests),
        )
    )
    moved = []
    for email_id, recipient_id, key in held:
        if recipient_id is None:  # not a digest's (the query asks for recipients): never here
            continue
        when = until(recipient_id, date.fromisoformat(key.rsplit(":", 1)[1]))
        later = when is not None and when > at
        moved.append(
            {"id": email_id, "next_attempt_at": when if later else at, "not_before": when if later else None}
        )
    if moved:
        session.execute(update(OutboxEmail), moved)


def message_id(message_key: str, from_address: str) -> str:
    """A Message-ID derived from the key, so a resend after a crash carries the same id and
    receiving servers can drop the copy."""
    domain = from_address.rpartition("@")[2] or "bob.localhost"
    local = "".join(ch if ch.isalnum() or ch in ".-_" else "." for ch in message_key)
    return f"<{local}@{domain}>"


def queue_emails(session: Session, emails: list[QueuedEmail], from_address: str) -> None:
    """Add ``emails`` to the outbox, each due at its ``not_before`` (or now); a key queued
    before is silently kept as it was."""
    if not emails:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "message_key": email.message_key,
            "message_id": message_id(email.message_key, from_address),
            "recipient_id": email.recipient_id,
            "to_address": email.to_address,
            "subject": email.subject,
            "body_text": email.body_text,
            "body_html": email.body_html,
            "list_unsubscribe": email.list_unsubscribe,
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": max(email.not_before or now, now),
            "not_before": email.not_before if email.not_before and email.not_before > now else None,
            "created_at": now,
        }
        for email in emails
    ]
    session.execute(insert_ignoring_duplicates(session, OutboxEmail).on_conflict_do_nothing(), rows)


def outbox_counts(session: Session) -> dict[str, int]:
    """How many emails are queued, sending, sent and failed.

    This and :func:`queue_age` read the table's columns, not the mapped class's: a select of
    mapped attributes first imports every model of the store and configures its mapper
    (about 80 ms), which `bob outbox status` would pay for two counts."""
    outbox = OutboxEmail.__table__
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in session.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)):
        counts[OutboxStatus(status).value] = count
    return counts


@dataclass(frozen=True)
class QueueAge:
    """How long the queue has waited: since when its oldest email has waited and when the
    next attempt is due (None when nothing is queued). A digest held for its recipient's
    delivery time waits from that time on, and not at all before it (``held`` counts those)."""

    oldest_queued_at: datetime | None
    next_attempt_at: datetime | None
    held: int = 0


def queue_age(session: Session, now: datetime | None = None) -> QueueAge:
    moment = now or utcnow()
    outbox = OutboxEmail.__table__
    held = outbox.c.not_before > moment
    waiting_since = func.coalesce(outbox.c.not_before, outbox.c.created_at)
    row = session.execute(
        select(
            func.min(case((held, None), else_=waiting_since)),
            func.min(outbox.c.next_attempt_at),
            func.count(case((held, 1))),
        ).where(outbox.c.status == OutboxStatus.QUEUED)
    ).one()
    return QueueAge(row[0], row[1], row[2])


def failed_emails(session: Session) -> list[FailedEmail]:
    """Every email that failed for good, oldest first."""
    rows = session.execute(
        select(OutboxEmail.id, OutboxEmail.subject, OutboxEmail.attempts, OutboxEmail.last_error)
        .where(OutboxEmail.status == OutboxStatus.FAILED)
        .order_by(OutboxEmail.id)
    )
    return [FailedEmail(row.id, row.subject, row.attempts, row.last_error or "") for row in rows]


def retry_failed(session: Session, now: datetime, ids: Sequence[int] = ()) -> int:
    """Queue failed emails again (those of ``ids``, or all) with a fresh count of attempts;
    return how many. Their last error stays until the next attempt replaces it."""
    retry = (
        update(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now)
        .returning(OutboxEmail.id)
        .execution_options(synchronize_session=False)
    )
    if ids:
        retry = retry.where(OutboxEmail.id.in_(ids))
    return len(session.execute(retry).all())
