"""Who holds a claim: this process, named by host and pid.

The run ledger reads a holder back to see whether it died on this host; the outbox and the
Slack DM drain add a random tag, so two drains in one process hold different claims. It lives
in the store because the mailer and the bot both claim rows there.
"""

from __future__ import annotations

import os
import socket


def worker_id() -> str:
    """This process as ``host:pid`` (the host cut to 50 characters, to fit the claim columns)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"
