"""`bob purge [--dry-run]`: remove now what `[retention]` says may go, or show what would."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    purge = commands.add_parser(
        "purge",
        help="remove what [retention] says may go (bob serve does this nightly)",
        description="Removes, in batches, the mailbox entries, snapshot rows, export history, link "
        "codes and audit entries older than [retention] allows; the run and alert ledgers and sent "
        "outbox rows stay. Safe to run twice.",
    )
    purge.add_argument("--dry-run", action="store_true", help="print what would go per table; remove nothing")
    purge.set_defaults(handler="app.commands.purge:purge_now")
