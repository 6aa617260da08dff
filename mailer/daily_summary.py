"""The Daily Summary run for one business date: rules → alert ledger → mailbox + outbox.

The run is claimed in the run ledger first, so only one process works on a date. It has
two phases, each safe to repeat after a crash:

1. *alerts*: every topic is evaluated and recorded in the alert ledger in one transaction;
   the run ledger then notes the phase as done, so a resumed run never re-evaluates (and a
   fact that turned true after the crash waits for tomorrow instead of slipping into only
   some of today's digests).
2. *digests*: for each recipient, the full digest goes to the secure mailbox and its email
   to the outbox in the same transaction, in batches; recipients whose digest exists are
   skipped, so every digest is written exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailer.digests import Digest, digests_for
from mailer.run_ledger import claim, finish, save_progress
from mailer.run_result import JOB, RunResult
from mailer.settings import DeliverySettings
from rules.ledger import record_alerts
from rules.templating import Rendered, render
from rules.web_links import digest_url
from store.db import insert_ignoring_duplicates
from store.history import ANALYZE_AFTER, record_history, refresh_statistics
from store.models import MailboxMessage, utcnow
from store.outbox import QueuedEmail, queue_emails
from store.slack_dms import QueuedDm, queue_dms

log = logging.getLogger(__name__)

BATCH = 500


def _delivered(session: Session, day: date) -> set[tuple[int, str]]:
    return {
        (recipient_id, str(kind))
        for recipient_id, kind in session.execute(
            select(MailboxMessage.recipient_id, MailboxMessage.kind).where(
                MailboxMessage.business_date == day
            )
        )
    }


@dataclass
class _SharedText:
    """The last mailbox text rendered from a shared context, with its alerts as data: digests
    come agency by agency, so one entry is enough to render each distinct text once."""

    key: tuple[str, str, int] | None = None
    rendered: Rendered | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _DigestWriter:
    """Renders and writes batches of digests for one run, rendering a text shared by several
    recipients (an agency's Daily Manager Summary) once."""

    settings: DeliverySettings
    day: date
    last: _SharedText = field(default_factory=_SharedText)

    def _mailbox(self, digest: Digest) -> tuple[Rendered, list[dict[str, Any]]]:
        if digest.shared is not None and self.last.key == digest.text_key and self.last.rendered:
            return self.last.rendered, self.last.alerts
        context = {**digest.mailbox_context, **self._links(digest)}
        rendered, alerts = render(f"mailbox/{digest.kind.value}", context), digest.alerts()
        if digest.shared is not None:
            self.last = _SharedText(digest.text_key, rendered, alerts)
        return rendered, alerts

    def _links(self, digest: Digest) -> dict[str, str]:
        """Where the recipient reads the digest: the same for every recipient of a text."""
        return {
            "mailbox_hint": self.settings.mailbox_hint,
            "digest_url": digest_url(self.settings.web_base_url, self.day, digest.kind),
        }

    def store(self, session: Session, batch: list[Digest]) -> tuple[int, int]:
        """Write each digest to its mailbox and queue its email, and its Slack DM when the
        recipient linked Slack, in the caller's transaction; returns the numbers of emails and
        DMs queued."""
        mailbox_rows: list[dict[str, Any]] = []
        emails: list[QueuedEmail] = []
        now, day = utcnow(), self.day
        for digest in batch:
            full, alerts = self._mailbox(digest)
            mailbox_rows.append(
                {
                    "recipient_id": digest.recipient.id,
                    "kind": digest.kind,
                    "business_date": day,
                    "subject": full.subject,
                    "alert_count": digest.total,
                    "body_text": full.text,
                    "body_html": full.html,
                    "alerts": alerts,
                    "created_at": now,
                }
            )
            emails.append(self._email(digest, full))
        session.execute(
            insert_ignoring_duplicates(session, MailboxMessage).on_conflict_do_nothing(), mailbox_rows
        )
        queue_emails(session, emails, self.settings.from_address)
        dms = [
            QueuedDm(digest.recipient.id, digest.kind, day, digest.recipient.slack_user_id)
            for digest in batch
            if digest.recipient.slack_user_id
        ]
        queue_dms(session, dms)
        return len(emails), len(dms)

    def _email(self, digest: Digest, full: Rendered) -> QueuedEmail:
        if self.settings.include_pii_in_email:
            email = full
        else:
            context = {**digest.context, **self._links(digest)}
            email = render(f"email/{digest.kind.value}", context)
        return QueuedEmail(
            message_key=f"{digest.kind.value}:{digest.recipient.id}:{self.day.isoformat()}",
            to_address=digest.recipient.email,
            subject=email.subject,
            body_text=email.text,
            body_html=email.html,
            recipient_id=digest.recipient.id,
        )


def run_daily_summary(
    factory: sessionmaker[Session],
    day: date,
    settings: DeliverySettings,
    *,
    after_batch: Callable[[int], None] | None = None,
) -> RunResult:
    """Run the Daily Summary for ``day`` once; a repeated or concurrent call does nothing.

    ``after_batch`` is called with the number of digests written so far after each committed
    batch (progress reporting, and the crash tests' hook).
    """
    run = claim(factory, JOB, day.isoformat(), settings.lease)
    result = RunResult(day, ran=run is not None)
    if run is None:
        return result
    stats: dict[str, Any] = dict(run.stats or {})
    try:
        result.alerts = _alerts_once(factory, day, run, stats, settings)
        writer = _DigestWriter(settings, day)
        with factory() as reader:
            done = _delivered(reader, day)
            batch: list[Digest] = []
            for digest in digests_for(reader, day):
                if (digest.recipient.id, digest.kind.value) in done:
                    result.skipped += 1
                    continue
                batch.append(digest)
                if len(batch) >= BATCH:
                    result.digests += _commit(factory, batch, writer, run, stats, after_batch, result)
                    batch = []
            if batch:
                result.digests += _commit(factory, batch, writer, run, stats, after_batch, result)
        stats.update(digests=result.digests + result.skipped)
        finish(factory, run, stats)
    except Exception as exc:
        finish(factory, run, stats, error=f"{type(exc).__name__}")
        raise
    log.info("daily summary %s", result.summary())
    return result


def _alerts_once(
    factory: sessionmaker[Session], day: date, run: Any, stats: dict[str, Any], settings: DeliverySettings
) -> dict[str, int]:
    """Record the day's alerts (a count per topic), unless an interrupted earlier run of the
    day already did."""
    if "alerts" not in stats:
        with factory() as session, session.begin():
            if record_history(session) >= ANALYZE_AFTER:  # what changed since, read as history
                refresh_statistics(session)
            stats["alerts"] = record_alerts(session, day)
            save_progress(session, run, stats, settings.lease)
    return stats["alerts"]


def _commit(
    factory: sessionmaker[Session],
    batch: list[Digest],
    writer: _DigestWriter,
    run: Any,
    stats: dict[str, Any],
    after_batch: Callable[[int], None] | None,
    result: RunResult,
) -> int:
    with factory() as session, session.begin():
        emails, dms = writer.store(session, batch)
        result.emails += emails
        result.slack_dms += dms
        save_progress(session, run, stats, writer.settings.lease)
    for digest in batch:
        result.by_kind[digest.kind.value] = result.by_kind.get(digest.kind.value, 0) + 1
    if after_batch:
        after_batch(result.digests + len(batch))
    return len(batch)
