"""The purge: what `[retention]` says may go, removed set-based in keyset batches.

Each target is one table and one condition. A batch is one statement, ``DELETE … WHERE
condition AND id BETWEEN a AND a + n - 1``, in its own transaction, so locks stay short and a
purge killed half-way keeps what it did; the batches walk the ids from the first row due to
the last once, as primary-key range scans.

Nothing the duplicate guards need is touched: the run ledger and the alert ledger stay, sent
outbox rows stay (only a body that slipped through unscrubbed is scrubbed), and a purged
snapshot keeps its header row (agency, date, count), so taking that date again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, true, update
from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.models import (
    AuditEntry,
    ExportRecord,
    LinkCode,
    MailboxMessage,
    OutboxEmail,
    OutboxStatus,
    RateLimit,
    Snapshot,
    SnapshotRow,
)
from store.outbox import SENT_BODY
from store.retention_settings import RetentionConfig


@dataclass(frozen=True)
class PurgeTarget:
    """One table's rows that go (or, for sent email, whose body goes)."""

    table: str
    what: str
    key: Any
    condition: ColumnElement[bool]
    change: Callable[[ColumnElement[bool]], Any]


def _deleting(model: Any) -> Callable[[ColumnElement[bool]], Any]:
    return lambda chosen: delete(model).where(chosen)


def _scrubbing_sent_bodies(chosen: ColumnElement[bool]) -> Any:
    return update(OutboxEmail).where(chosen).values(body_text=SENT_BODY, body_html=None)


def old_snapshot_ids(kept: int) -> Any:
    """The ids of each agency's snapshots older than its ``kept`` newest (a window query)."""
    newest_first = (
        func.row_number()
        .over(partition_by=Snapshot.agency_id, order_by=Snapshot.business_date.desc())
        .label("place")
    )
    ranked = select(Snapshot.id, newest_first).subquery()
    return select(ranked.c.id).where(ranked.c.place > kept)


def purge_targets(settings: RetentionConfig, today: date, now: datetime) -> list[PurgeTarget]:
    """Every target in the order the purge runs them; ``today`` is the business date."""
    sign_in = now - timedelta(days=settings.sign_in_days)
    exports = now - timedelta(days=settings.export_history_days)
    unscrubbed = or_(OutboxEmail.body_text != SENT_BODY, OutboxEmail.body_html.is_not(None))
    return [
        PurgeTarget(
            "mailbox_messages",
            f"mailbox entries of business dates before {today - timedelta(days=settings.mailbox_days)}",
            MailboxMessage.id,
            MailboxMessage.business_date < today - timedelta(days=settings.mailbox_days),
            _deleting(MailboxMessage),
        ),
        PurgeTarget(
            "snapshot_rows",
            f"rows of snapshots older than each agency's newest {settings.snapshots_kept}",
            SnapshotRow.id,
            SnapshotRow.snapshot_id.in_(old_snapshot_ids(settings.snapshots_kept)),
            _deleting(SnapshotRow),
        ),
        PurgeTarget(
            "exports",
            f"export history requested before {exports:%Y-%m-%d} whose file is gone",
            ExportRecord.id,
            (ExportRecord.requested_at < exports)
            & or_(ExportRecord.deleted_at.is_not(None), ExportRecord.file_path.is_(None)),
            _deleting(ExportRecord),
        ),
        PurgeTarget(
            "link_codes",
            f"Slack link codes expired before {sign_in:%Y-%m-%d}",
            LinkCode.id,
            LinkCode.expires_at < sign_in,
            _deleting(LinkCode),
        ),
        PurgeTarget(
            "rate_limits",
            f"sign-in rate windows begun before {sign_in:%Y-%m-%d}",
            RateLimit.key,
            RateLimit.window_start < sign_in,
            _deleting(RateLimit),
        ),
        PurgeTarget(
            "audit_log",
            f"audit entries before {now - timedelta(days=settings.audit_days):%Y-%m-%d}",
            AuditEntry.id,
            AuditEntry.at < now - timedelta(days=settings.audit_days),
            _deleting(AuditEntry),
        ),
        PurgeTarget(
            "outbox",
            "bodies of sent emails not yet scrubbed (the rows stay: they stop a second send)",
            OutboxEmail.id,
            (OutboxEmail.status == OutboxStatus.SENT) & unscrubbed,
            _scrubbing_sent_bodies,
        ),
    ]


def count_due(sessions: sessionmaker[Session], targets: list[PurgeTarget]) -> dict[str, int]:
    """How many rows each target would remove now (`bob purge --dry-run`)."""
    with sessions() as session:
        return {
            target.table: int(session.scalar(select(func.count()).where(target.condition)) or 0)
            for target in targets
        }


def purge(sessions: sessionmaker[Session], targets: list[PurgeTarget], batch_size: int) -> dict[str, int]:
    """Remove what each target names, batch by batch; returns how many rows each removed."""
    return {
        target.table: (
            _by_key_range(sessions, target, batch_size)
            if target.key.type.python_type is int
            else _by_next_keys(sessions, target, batch_size)
        )
        for target in targets
    }


def _by_key_range(sessions: sessionmaker[Session], target: PurgeTarget, size: int) -> int:
    """Walk the ids between the first and last row due, ``size`` ids per batch: each batch is
    a primary-key range scan. (``ORDER BY id LIMIT n`` over the due rows made PostgreSQL and
    SQLite sort every remaining due row for each batch: 3.8x a bare DELETE at 1M rows.)"""
    with sessions() as session:
        first, last = session.execute(
            select(func.min(target.key), func.max(target.key)).where(target.condition)
        ).one()
    removed = 0
    for start in range(first, last + 1, size) if first is not None else ():
        in_range = target.key.between(start, start + size - 1)
        with transaction(sessions) as session:
            done = session.execute(
                target.change(target.condition & in_range).execution_options(synchronize_session=False)
            )
        removed += int(done.rowcount)  # type: ignore[attr-defined]
    return removed


def _by_next_keys(sessions: sessionmaker[Session], target: PurgeTarget, size: int) -> int:
    """For a key that is not a number (rate limits): the next ``size`` due keys per batch."""
    removed, last = 0, None
    while True:
        after = target.key > last if last is not None else true()
        chosen = select(target.key).where(target.condition, after).order_by(target.key).limit(size)
        with transaction(sessions) as session:
            keys = session.scalars(
                target.change(target.key.in_(chosen))
                .returning(target.key)
                .execution_options(synchronize_session=False)
            ).all()
        removed += len(keys)
        if len(keys) < size:
            return removed
        last = max(keys)
