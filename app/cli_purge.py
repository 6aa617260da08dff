"""`bob purge [--dry-run]`: remove now what `[retention]` says may go, or show what would."""

from __future__ import annotations

import argparse
from typing import Any

from app.runtime import Runtime


def register(commands: Any) -> None:
    purge = commands.add_parser(
        "purge",
        help="remove what [retention] says may go (bob serve does this nightly)",
        description="Removes, in batches, the mailbox entries, snapshot rows, export history, link "
        "codes and audit entries older than [retention] allows; the run and alert ledgers and sent "
        "outbox rows stay. Safe to run twice.",
    )
    purge.add_argument("--dry-run", action="store_true", help="print what would go per table; remove nothing")
    purge.set_defaults(handler=purge_now)


def purge_now(runtime: Runtime, args: argparse.Namespace) -> None:
    from rules.calendar import business_date
    from store.models import utcnow
    from store.retention import count_due, purge, purge_targets

    runtime.require_schema()
    settings = runtime.config.retention
    now = utcnow()
    targets = purge_targets(settings, business_date(now, runtime.config.schedule.zone), now)
    if args.dry_run:
        counts = count_due(runtime.sessions, targets)
        for target in targets:
            print(f"{target.table:<18} {counts[target.table]:>10}  {target.what}")
        print("dry run: nothing was removed")
        return
    removed = purge(runtime.sessions, targets, settings.batch_size)
    for target in targets:
        print(f"{target.table:<18} {removed[target.table]:>10}  {target.what}")
