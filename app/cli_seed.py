"""`bob seed`: fill the configured database with a synthetic book of business.

The command brings the schema up to date first (``bob db upgrade`` is idempotent), so it
works on a brand-new database. Seeding again into the same database adds new, distinct
agencies; it never touches the rows already there.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from rich.console import Console

from app.cli_core import at_least
from app.progress import progress_bar
from app.runtime import Runtime
from store.seed import SeedPlan, SeedProgress, seed_book


def _instant(value: str) -> date | datetime:
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date or time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[+00:00]"
        ) from None


def register(commands: Any) -> None:
    seed = commands.add_parser(
        "seed",
        help="add a realistic synthetic book (agencies, enrollers, consumers) to the database",
        description="Add a reproducible synthetic book: the same --seed and --as-of make the "
        "same rows. Runs the schema migrations first. Seeding again into the same database "
        "adds new, distinct agencies.",
    )
    seed.add_argument("--agencies", type=at_least(0), required=True, help="number of agencies")
    seed.add_argument("--consumers", type=at_least(0), required=True, help="number of consumers")
    seed.add_argument(
        "--enrollers",
        type=at_least(0),
        help="number of enrollers in all (default: one per 100 consumers, at least 5 per agency)",
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    seed.add_argument(
        "--as-of",
        type=_instant,
        dest="as_of",
        help="the moment the book is current as of: YYYY-MM-DD means local midnight starting "
        "that business date; a time without offset is local (default: now)",
    )
    seed.set_defaults(handler=seed_command)


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
    runtime.migrate()
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
