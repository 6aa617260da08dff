"""Reading one cell: masked values, blanks, dates, money, counts and enumerations.

A parser takes the raw cell (text from a CSV, or a typed value from a workbook) and
returns a Python value or raises :class:`CellError`. Reasons never echo the value: the
value may be PII, and the row number is enough to find it. A text cell holding a control
character other than tab or a line break is refused (see :mod:`store.control_characters`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from store.control_characters import CONTROL_CHARACTER, has_control_character

E = TypeVar("E", bound=enum.Enum)
V = TypeVar("V")

Parser = Callable[[Any], Any]


class CellError(ValueError):
    """One cell cannot be read; ``reason`` says why without repeating the value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Masked:
    """A cell the source hid with asterisks: unknown, never data."""

    def __repr__(self) -> str:
        return "MASKED"

    def __reduce__(self) -> str:
        return "MASKED"  # unpickles as the one instance, so ``is MASKED`` holds in a worker


MASKED = Masked()


def is_masked(raw: Any) -> bool:
    """HealthSherpa and masked Book of Business exports replace hidden values with asterisks."""
    return isinstance(raw, str) and "*" in raw


def text(max_length: int) -> Parser:
    def parse(raw: Any) -> str:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        value = str(raw).strip()
        if len(value) > max_length:
            raise CellError(f"longer than {max_length} characters")
        if has_control_character(value, multiline=True):
            raise CellError(CONTROL_CHARACTER)
        return value

    return parse


def parse_date(raw: Any) -> date:
    """A date as YYYY-MM-DD or MM/DD/YYYY text, or a real date cell."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = str(raw).strip()
    try:
        if "/" in value:
            month, day, year = value.split("/")
            if len(year) != 4:
                raise ValueError
            return date(int(year), int(month), int(day))
        if len(value) == 10:
            return date.fromisoformat(value)
        # A workbook date may come back as "2026-01-01 00:00:00" through a CSV round trip.
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise CellError("not a date; write YYYY-MM-DD or MM/DD/YYYY") from None


def parse_moment(raw: Any) -> date | datetime:
    """When a fact became true: a date (read later as the agency's local midnight) or a
    date-time (``2026-11-27T21:00``, local time unless it carries an offset)."""
    if isinstance(raw, datetime):
        return raw
    value = str(raw).strip()
    if isinstance(raw, date) or "/" in value or len(value) == 10:
        return parse_date(raw)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise CellError("not a date or date-time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None


def parse_cents(raw: Any) -> int:
    """Dollars such as ``1234.56``, ``$1,234.56`` or a number cell, as whole cents."""
    if isinstance(raw, bool):
        raise CellError("not an amount in dollars such as 1234.56")
    value = raw if isinstance(raw, int | float) else str(raw).strip().replace("$", "").replace(",", "")
    try:
        dollars = Decimal(str(value))
        # Past 12 digits before the point it is no amount; 1e999999 would overflow below.
        if not dollars.is_finite() or dollars.adjusted() >= 12:
            raise InvalidOperation
        cents = (dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except ArithmeticError:  # decimal's InvalidOperation, Overflow …
        raise CellError("not an amount in dollars such as 1234.56") from None
    return int(cents)


def count(low: int = 0, high: int = 10**6) -> Parser:
    """A whole number between ``low`` and ``high``."""

    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError("not a whole number")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError("not a whole number")
            raw = int(raw)
        try:
            value = int(str(raw).strip().replace(",", ""))
        except ValueError:
            raise CellError("not a whole number") from None
        if not low <= value <= high:
            raise CellError(f"out of range {low}-{high}")
        return value

    return parse


def percent(raw: Any) -> int:
    """Whole percent points: text ``250`` or ``250%``, or a percent-formatted number cell,
    which holds the fraction (2.5 shows as 250%)."""
    if isinstance(raw, str):
        raw = raw.strip().rstrip("%").strip()
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if not math.isfinite(raw * 100):
            raise CellError("not a percentage")
        raw = round(raw * 100)
    return count(0, 100_000)(raw)


def choice(allowed: dict[str, V]) -> Callable[[Any], V]:
    """The value of one of ``allowed``'s labels, matched without regard to case or
    surrounding spaces."""
    lowered = {key.lower(): member for key, member in allowed.items()}
    listing = ", ".join(dict.fromkeys(allowed))

    def parse(raw: Any) -> V:
        try:
            return lowered[str(raw).strip().lower()]
        except KeyError:
            raise CellError(f"not one of: {listing}") from None

    return parse


def enum_choice(cls: type[E]) -> Callable[[Any], E]:
    return choice({str(member.value): member for member in cls})


def yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in {"y", "yes", "true", "1"}:
        return True
    if value in {"n", "no", "false", "0"}:
        return False
    raise CellError("not Y or N")
