"""What `bob seed` does (its arguments: :mod:`app.cli_seed`): fill the configured database with
a synthetic book of business.

The command brings the schema up to date first (``bob db upgrade`` is idempotent), so it
works on a brand-new database. Seeding again into the same database adds new, distinct
agencies; it never touches the rows already there.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time

from rich.console import Console

from app.progress import progress_bar
from app.runtime import Runtime
from store.migrate import upgrade
from store.seed import SeedPlan, SeedProgress, seed_book


def _as_of(runtime: Runtime, value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    zone = runtime.config.schedule.zone
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def seed_command(runtime: Runtime, args: argparse.Namespace) -> None:
    upgrade(runtime.engine)
    plan = SeedPlan(
        agencies=args.agencies,
        consumers=args.consumers,
        enrollers=args.enrollers,
        seed=args.seed,
        as_of=_as_of(runtime, args.as_of),
    )
    console = Console(file=sys.stderr, highlight=False)

    def show(progress: SeedProgress) -> None:
        bar.reach(progress.consumers_done)
        if args.verbose:
            rate = progress.rows / progress.seconds if progress.seconds else 0.0
            console.print(
                f"seed: {progress.consumers_done:,}/{progress.consumers_total:,} consumers, "
                f"{progress.rows:,} rows, {rate:,.0f} rows/s"
            )

    with progress_bar("seeding", "consumers", plan.consumers) as bar:
        result = seed_book(runtime.engine, plan, on_chunk=show)
    print(result.summary())
