"""What `bob outbox status|failed|retry` do (their arguments: :mod:`app.cli_outbox`): look at
the email outbox, and queue failed emails again once their cause is fixed. Sending is
:mod:`app.commands.outbox_drain`, apart, so looking never loads the SMTP client."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from app.runtime import Runtime
from store.models import utcnow
from store.outbox import QueueAge, failed_emails, outbox_counts, queue_age, retry_failed


def outbox_status(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    with runtime.sessions() as session:
        now = utcnow()
        counts, age = outbox_counts(session), queue_age(session, now)
    if args.json:
        oldest = age.oldest_queued_at
        next_at = age.next_attempt_at.isoformat() if age.next_attempt_at else None
        waited = round((now - oldest).total_seconds()) if oldest else None
        shown = {**counts, "held": age.held, "oldest_queued_seconds": waited, "next_attempt_at": next_at}
        print(json.dumps(shown))
        return
    print("  ".join(f"{status}: {count}" for status, count in counts.items()))
    if age.held:
        print(f"held for their recipients' delivery time: {age.held} of the queued")
    if age.oldest_queued_at is not None:
        print(_queue_line(age, now, runtime.config.schedule.zone))


def _queue_line(age: QueueAge, now: datetime, zone: ZoneInfo) -> str:
    """The oldest queued email's wait and the next attempt, in the agency's zone."""
    assert age.oldest_queued_at is not None and age.next_attempt_at is not None
    minutes = int((now - age.oldest_queued_at).total_seconds() // 60)
    waited = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
    if age.next_attempt_at <= now:
        return f"oldest queued: {waited} ago; next attempt: due now (the next drain)"
    next_at = age.next_attempt_at.astimezone(zone)
    return f"oldest queued: {waited} ago; next attempt at {next_at:%Y-%m-%d %H:%M %Z}"


def outbox_failed(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    with runtime.sessions() as session:
        failed = failed_emails(session)
    if args.json:
        print(json.dumps([dataclasses.asdict(email) for email in failed]))
        return
    for email in failed:
        print(f"{email.id}  {email.subject}  attempts: {email.attempts}  {email.reason}")
    print(f"failed: {len(failed)}" + ("; queue them again with `bob outbox retry`" if failed else ""))


def outbox_retry(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    with runtime.sessions.begin() as session:
        queued = retry_failed(session, utcnow(), args.ids)
    print(f"queued again: {queued}; they leave with the next outbox drain (bob serve, or bob outbox drain)")
