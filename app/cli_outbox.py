"""`bob outbox status` and `bob outbox drain`: look at the email outbox and send what is due."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from app.runtime import Runtime
from mailer.sender import drain_outbox
from mailer.sink import smtp_or_capture
from store.outbox import outbox_counts


def register(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="the email outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    status = outbox_sub.add_parser("status", help="count queued, sending, sent and failed emails")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=outbox_status)
    drain = outbox_sub.add_parser(
        "drain",
        help="send every email that is due (captured as .eml files when smtp.host is empty)",
    )
    drain.add_argument("--once", action="store_true", help="send one batch, then stop")
    drain.set_defaults(handler=outbox_drain)


def outbox_status(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    with runtime.sessions() as session:
        counts = outbox_counts(session)
    if args.json:
        print(json.dumps(counts))
    else:
        print("  ".join(f"{status}: {count}" for status, count in counts.items()))


def outbox_drain(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    config = runtime.config
    with smtp_or_capture(config.smtp, config.mail.capture_dir) as (smtp, captured_in):
        result = asyncio.run(drain_outbox(runtime.sessions, smtp, once=args.once))
    print(result.summary())
    if captured_in is not None:
        print(f"smtp.host is empty: emails are captured as .eml files in {captured_in}")
