"""What the command-line parsers share: argument types and help texts.

Plain Python on purpose: `bob --help` builds every parser, so nothing here (or in an
``app/cli_*.py`` parser) may import SQLAlchemy or another heavy library; the commands
themselves live in :mod:`app.commands` and are imported only when they run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

AS_HELP = "your license number or email on file"
SHOW_PASSWORD_HELP = (
    "print the password here instead of emailing it (only where exports.password_delivery is ephemeral)"
)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def at_least(minimum: int) -> Callable[[str], int]:
    """An argument type: a whole number of ``minimum`` or more (``1_000`` and ``1,000`` too)."""

    def whole_number(value: str) -> int:
        try:
            number = int(value.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value[:20]!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{value[:20]!r} is too small; use {minimum} or more")
        return number

    return whole_number
