"""What `bob outbox drain` does (its arguments: :mod:`app.cli_outbox`): send every email
that is due, over SMTP or captured as .eml files when ``smtp.host`` is empty."""

from __future__ import annotations

import argparse
import asyncio

from app.runtime import Runtime
from mailer.sender import drain_outbox
from mailer.sink import smtp_or_capture


def outbox_drain(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    config = runtime.config
    with smtp_or_capture(config.smtp, config.mail.capture_dir) as (smtp, captured_in):
        result = asyncio.run(drain_outbox(runtime.sessions, smtp, once=args.once))
    print(result.summary())
    if captured_in is not None:
        print(f"smtp.host is empty: emails are captured as .eml files in {captured_in}")
