"""What `bob serve` does (its arguments: :mod:`app.cli_serve`): run the scheduler (and the
Slack bot when configured) until stopped."""

from __future__ import annotations

import argparse
import logging

from app.runtime import Runtime
from app.serve import run_forever

# Libraries whose INFO lines are chatter (a line per scheduled run).
CHATTY_LOGGERS = ("apscheduler",)
# aiosmtpd, the local capture server when smtp.host is empty, logs every recipient address
# at INFO ("recip: …"): PII, so it stays at WARNING even with --verbose.
ADDRESS_LOGGERS = ("mail.log",)


def serve_logging(verbose: bool) -> None:
    """A service says what it does: bob's own events at INFO, problems at WARNING and above;
    the libraries' INFO chatter only with ``--verbose``, and never a library's that logs
    addresses."""
    logging.getLogger().setLevel(logging.INFO)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    for name in ADDRESS_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def serve_command(runtime: Runtime, args: argparse.Namespace) -> None:
    serve_logging(args.verbose)
    runtime.require_schema()
    run_forever(runtime)
