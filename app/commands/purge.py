"""What `bob purge [--dry-run]` does (its arguments: :mod:`app.cli_purge`)."""

from __future__ import annotations

import argparse

from app.runtime import Runtime
from rules.calendar import business_date
from store.models import utcnow
from store.retention import count_due, purge, purge_targets


def purge_now(runtime: Runtime, args: argparse.Namespace) -> None:
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
