"""Reads of consumer data on the command line go on record like the bot's: who (the enroller
the command acts as), what, when, through ``cli``, and the operating-system user who typed it,
since a shell account, not a Slack identity, is what an access review can trace there."""

from __future__ import annotations

import getpass

from app.runtime import Runtime
from rules.access import Via, record_read
from store.models import utcnow


def os_user() -> str:
    """The login name of whoever runs bob (``$LOGNAME``/``$USER``, else the password entry)."""
    try:
        return getpass.getuser()[:64]
    except (KeyError, OSError):
        return "unknown"


def cli_via() -> Via:
    """The command line, with the operating-system user who typed the command."""
    return Via("cli", os_user=os_user())


def record_cli_read(runtime: Runtime, actor_id: int, action: str, target: str) -> None:
    """Audit one successful read (``mailbox.read``, ``crw.show``…) of ``target``."""
    record_read(runtime.sessions, actor_id, action, target, utcnow(), cli_via())
