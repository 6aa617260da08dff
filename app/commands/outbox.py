"""What `bob outbox status|failed|retry` do (their arguments: :mod:`app.cli_outbox`): look at
the email outbox, and queue failed emails again once their cause is fixed. Sending is
:mod:`app.commands.outbox_drain`, apart, so looking never loads the SMTP client."""

from __future__ import annotations

import argparse
import dataclasses
import json

from app.runtime import Runtime
from store.models import utcnow
from store.outbox import failed_emails, outbox_counts, retry_failed


def outbox_status(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    with runtime.sessions() as session:
        counts = outbox_counts(session)
    if args.json:
        print(json.dumps(counts))
    else:
        print("  ".join(f"{status}: {count}" for status, count in counts.items()))


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
