"""`bob seed`: add a synthetic book of business (what it does: :mod:`app.commands.seed`)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from app.arguments import at_least


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
    seed.set_defaults(handler="app.commands.seed:seed_command")
