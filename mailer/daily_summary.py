"""The Daily Summary run for one business date: rules → alert ledger → mailbox + outbox.

Each agency's run of the date is claimed in the run ledger first, so only one process works
on an (agency, date); the agencies one call won are worked together. It has two phases,
each safe to repeat after a crash:

1. *alerts*: every topic is evaluated for the won agencies and recorded in the alert ledger
   in one transaction; each agency's run row then notes the phase as done (with its alerts
   per topic), so a resumed run never re-evaluates that agency (and a
   fact that turned true after the crash waits for tomorrow instead of slipping into only
   some of today's digests).
2. *digests*: for each recipient, the full digest goes to the secure mailbox and its email
   and Slack DM to their queues in the same transaction, in batches; recipients whose digest
   exists are skipped, so every digest is written exactly once.

The mailbox always receives every digest. The email and the DM follow the recipient's
delivery preferences (:mod:`rules.preferences`), read for every recipient of the run in one
query: a channel turned off, or a No Alerts digest where they take none, is not queued; their
quiet topics are left out; and both wait in their queues until the recipient's delivery time.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from mailer.alert_listings import AlertListings, alerts_json
from mailer.digests import Digest, digests_for
from mailer.follow_up_listing import follow_up_lines, follow_up_table
from mailer.run_ledger import claim_agencies, extend_leases, finish, save_progress
from mailer.run_result import JOB, RunResult
from mailer.settings import DeliverySettings
from rules.ledger import alerts_by_agency, record_alerts
from rules.preferences import Channel, Preferences
from rules.templating import Rendered, render
from rules.unsubscribe import list_unsubscribe, unsubscribe_keys, unsubscribe_token
from rules.web_links import digest_url
from store.db import SerializedJSON, insert_ignoring_duplicates
from store.history import ANALYZE_AFTER, record_history, refresh_statistics
from store.models import Agency, DigestKind, Enroller, JobRun, MailboxMessage, utcnow
from store.outbox import QueuedEmail, digest_message_key, queue_emails
from store.preferences import effective_preferences, preferences_for
from store.slack_dms import QueuedDm, queue_dms

log = logging.getLogger(__name__)

BATCH = 500
# A batch also ends at this many alerts: a Daily Manager Summary's mailbox row keeps its whole
# agency's alerts as data, so an agency of thousands of enrollers writes its managers' rows a
# few at a time, not 500 copies of its alerts at once.
BATCH_ALERTS = 50_000


def _delivered(session: Session, day: date, agency_ids: list[int]) -> set[tuple[int, str]]:
    """The digests of ``day`` already in the mailboxes of ``agency_ids``' people."""
    query = (
        select(MailboxMessage.recipient_id, MailboxMessage.kind)
        .join(Enroller, Enroller.id == MailboxMessage.recipient_id)
        .where(MailboxMessage.business_date == day, Enroller.agency_id.in_(agency_ids))
    )
    return {(recipient_id, str(kind)) for recipient_id, kind in session.execute(query)}


@dataclass(frozen=True)
class _MailboxText:
    """A digest's mailbox text, its alerts as data (JSON) and their topics. The last one
    rendered from a shared context is kept: digests come agency by agency, so one is enough
    to render and serialize each distinct text once."""

    key: tuple[str, str, int]
    rendered: Rendered
    alerts: str
    topics: list[str]


def mailbox_context(digest: Digest, listings: AlertListings, links: dict[str, str]) -> dict[str, Any]:
    """What the mailbox templates render for ``digest`` (with ``links``, where to read it):
    each enroller's alerts made once for every digest that shows them (``listings``; a
    manager summary's enrollers need their ``id``) and a summary's follow-ups written out."""
    agency_id, context = digest.recipient.agency_id, digest.mailbox_context
    if digest.kind is DigestKind.MANAGER_SUMMARY:
        enrollers = []
        for enroller in context["enrollers"]:
            listing = listings.of(agency_id, enroller["id"], enroller["topics"])
            enrollers.append({**enroller, "alert_lines": listing.text, "alert_table": listing.html})
        return {**context, "enrollers": enrollers, **links}
    listing = listings.of(agency_id, digest.recipient.id, context["topics"])
    shown = {**context, "alert_lines": listing.text, "alert_table": listing.html, **links}
    if context.get("follow_ups"):
        shown["follow_up_lines"] = follow_up_lines(context["follow_ups"])
        shown["follow_up_table"] = follow_up_table(context["follow_ups"])
    return shown


@dataclass
class _DigestWriter:
    """Renders and writes batches of digests for one run, rendering a text shared by several
    recipients (an agency's Daily Manager Summary) once. ``preferences`` holds every
    recipient's delivery preferences, read once for the run."""

    settings: DeliverySettings
    day: date
    preferences: dict[int, Preferences] = field(default_factory=dict)
    last: _MailboxText | None = None
    listings: AlertListings = field(default_factory=AlertListings)

    def _mailbox(self, digest: Digest) -> _MailboxText:
        shared = digest.shared is not None
        if shared:
            if self.last and self.last.key == digest.text_key:
                return self.last
            self.last = None  # the previous agency's text can go before this one is made
        rendered = render(f"mailbox/{digest.kind.value}", self._mailbox_context(digest))
        if shared:  # the agency's last text: its enrollers' listings are done
            self.listings.forget()
        mailbox = _MailboxText(digest.text_key, rendered, alerts_json(digest.alerts()), digest.topics())
        if shared:
            self.last = mailbox
        return mailbox

    def _mailbox_context(self, digest: Digest) -> dict[str, Any]:
        return mailbox_context(digest, self.listings, self._links(digest))

    def _links(self, digest: Digest) -> dict[str, str]:
        """Where the recipient reads the digest: the same for every recipient of a text."""
        return {
            "mailbox_hint": self.settings.mailbox_hint,
            "digest_url": digest_url(self.settings.web_base_url, self.day, digest.kind),
        }

    def store(self, session: Session, batch: list[Digest]) -> tuple[int, int]:
        """Write each digest to its mailbox, and queue its email and (when the recipient linked
        Slack) its DM as their preferences say, in the caller's transaction; returns the
        numbers of emails and DMs queued."""
        mailbox_rows: list[dict[str, Any]] = []
        emails: list[QueuedEmail] = []
        dms: list[QueuedDm] = []
        now, day = utcnow(), self.day
        unsubscribe = self._unsubscribe_links(session, batch)
        for digest in batch:
            mailbox = self._mailbox(digest)
            full, topics = mailbox.rendered, mailbox.topics
            prefs = self._preferences(session, digest.recipient.id)
            not_before = prefs.not_before(day)
            if prefs.delivers(Channel.EMAIL, topics):
                emails.append(
                    self._email(digest, full, prefs, not_before, unsubscribe.get(digest.recipient.id))
                )
            if digest.recipient.slack_user_id and prefs.delivers(Channel.SLACK, topics):
                dms.append(
                    QueuedDm(
                        digest.recipient.id,
                        digest.kind,
                        day,
                        digest.recipient.slack_user_id,
                        tuple(sorted(prefs.quiet_topics)),
                        not_before,
                    )
                )
            mailbox_rows.append(
                {
                    "recipient_id": digest.recipient.id,
                    "kind": digest.kind,
                    "business_date": day,
                    "subject": full.subject,
                    "alert_count": digest.total,
                    "body_text": full.text,
                    "body_html": full.html,
                    "alerts_json": mailbox.alerts,
                    "created_at": now,
                }
            )
        insert = insert_ignoring_duplicates(session, MailboxMessage).values(
            alerts=bindparam("alerts_json", type_=SerializedJSON())
        )
        session.execute(insert.on_conflict_do_nothing(), mailbox_rows)
        queue_emails(session, emails, self.settings.from_address)
        queue_dms(session, dms)
        return len(emails), len(dms)

    def _unsubscribe_links(self, session: Session, batch: list[Digest]) -> dict[int, str]:
        """Each recipient's List-Unsubscribe value: their one-click link when bob has a web
        address (and the secret that signs it), and the configured mailto."""
        settings = self.settings
        keys: dict[int, str] = {}
        if settings.web_base_url and settings.unsubscribe_secret:
            keys = unsubscribe_keys(session, {digest.recipient.id for digest in batch})
        links: dict[int, str] = {}
        for digest in batch:
            key = keys.get(digest.recipient.id)
            token = unsubscribe_token(settings.unsubscribe_secret, key) if key else None
            value = list_unsubscribe(settings.web_base_url, token, settings.unsubscribe_address)
            if value:
                links[digest.recipient.id] = value
        return links

    def _preferences(self, session: Session, recipient_id: int) -> Preferences:
        """The recipient's preferences as read for the run (someone added since is read now)."""
        if recipient_id not in self.preferences:
            self.preferences[recipient_id] = effective_preferences(session, recipient_id)
        return self.preferences[recipient_id]

    def _email(
        self,
        digest: Digest,
        full: Rendered,
        prefs: Preferences,
        not_before: datetime | None,
        unsubscribe: str | None,
    ) -> QueuedEmail:
        shown = digest.leaving_out(prefs.quiet_topics)
        if self.settings.include_pii_in_email:
            email = (
                full
                if shown is digest
                else render(f"mailbox/{digest.kind.value}", self._mailbox_context(shown))
            )
        else:
            email = render(f"email/{digest.kind.value}", self._context(shown))
        return QueuedEmail(
            message_key=digest_message_key(digest.kind, digest.recipient.id, self.day),
            to_address=digest.recipient.email,
            subject=email.subject,
            body_text=email.text,
            body_html=email.html,
            recipient_id=digest.recipient.id,
            list_unsubscribe=unsubscribe,
            not_before=not_before,
        )

    def _context(self, digest: Digest) -> dict[str, Any]:
        return {**digest.context, **self._links(digest)}


def run_daily_summary(
    factory: sessionmaker[Session],
    day: date,
    settings: DeliverySettings,
    *,
    agency_ids: Collection[int] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> RunResult:
    """Run the Daily Summary of ``day`` once for each of ``agency_ids`` (default: every
    agency); an agency whose run is done or held elsewhere is left out, and a call that wins
    no agency does nothing.

    Each (agency, date) is claimed on its own, so agencies on different clocks run apart;
    the agencies won together are worked as one set (one statement per topic and zone, not
    per agency). ``after_batch`` is called with the number of digests written so far after
    each committed batch (progress reporting, and the crash tests' hook).
    """
    if agency_ids is None:
        with factory() as session:
            agency_ids = list(session.scalars(select(Agency.id)))
    runs = {
        run.agency_id: run
        for run in claim_agencies(factory, JOB, day.isoformat(), agency_ids, settings.lease)
        if run.agency_id is not None
    }
    result = RunResult(day, ran=bool(runs))
    if not runs:
        return result
    claimed = list(runs)
    written: Counter[int] = Counter()
    try:
        alerts = _alerts_once(factory, day, runs, settings)
        for counts in alerts.values():
            for topic, n in counts.items():
                result.alerts[topic] = result.alerts.get(topic, 0) + n
        with factory() as reader:
            writer = _DigestWriter(settings, day, preferences_for(reader, agency_ids=claimed))
            done = _delivered(reader, day, claimed)
            batch: list[Digest] = []
            alerts_in_batch = 0
            for digest in digests_for(reader, day, claimed):
                if (digest.recipient.id, digest.kind.value) in done:
                    result.skipped += 1
                    written[digest.recipient.agency_id] += 1
                    continue
                if batch and alerts_in_batch + digest.total > BATCH_ALERTS:
                    result.digests += _commit(
                        factory, batch, writer, runs.values(), after_batch, result, written
                    )
                    batch, alerts_in_batch = [], 0
                batch.append(digest)
                alerts_in_batch += digest.total
                if len(batch) >= BATCH or alerts_in_batch >= BATCH_ALERTS:
                    result.digests += _commit(
                        factory, batch, writer, runs.values(), after_batch, result, written
                    )
                    batch, alerts_in_batch = [], 0
            if batch:
                result.digests += _commit(factory, batch, writer, runs.values(), after_batch, result, written)
        for agency_id, run in runs.items():
            finish(factory, run, {"alerts": alerts[agency_id], "digests": written[agency_id]})
    except Exception as exc:
        for run in runs.values():
            finish(factory, run, dict(run.stats or {}), error=f"{type(exc).__name__}")
        raise
    log.info("daily summary %s", result.summary())
    return result


def _alerts_once(
    factory: sessionmaker[Session], day: date, runs: dict[int, JobRun], settings: DeliverySettings
) -> dict[int, dict[str, int]]:
    """Record the day's alerts of the claimed agencies whose earlier, interrupted run had not
    recorded them yet; returns each agency's alerts of the day per topic."""
    pending = {agency_id: run for agency_id, run in runs.items() if "alerts" not in (run.stats or {})}
    with factory() as session, session.begin():
        if pending:
            if record_history(session) >= ANALYZE_AFTER:  # what changed since, read as history
                refresh_statistics(session)
            record_alerts(session, day, agency_ids=list(pending))
        counts = alerts_by_agency(session, day, list(runs))
        for agency_id, run in pending.items():
            run.stats = {**(run.stats or {}), "alerts": counts[agency_id]}
            save_progress(session, run, run.stats, settings.lease)
    return counts


def _commit(
    factory: sessionmaker[Session],
    batch: list[Digest],
    writer: _DigestWriter,
    runs: Collection[JobRun],
    after_batch: Callable[[int], None] | None,
    result: RunResult,
    written: Counter[int],
) -> int:
    with factory() as session, session.begin():
        emails, dms = writer.store(session, batch)
        result.emails += emails
        result.slack_dms += dms
        extend_leases(session, runs, writer.settings.lease)
    for digest in batch:
        result.by_kind[digest.kind.value] = result.by_kind.get(digest.kind.value, 0) + 1
        written[digest.recipient.agency_id] += 1
    if after_batch:
        after_batch(result.digests + len(batch))
    return len(batch)
