"""Frequency policies: when an alert that is true today goes into the Daily Summary.

Each policy answers two questions for a business date, both in the database through the
alert ledger's unique key ``(topic, recipient, event, period)``: which *period* today's
alert belongs to (so a second insert for the same period is a no-op) and, optionally, an
extra SQL condition over the ledger that says whether the alert is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, true

from store.models import Alert

ONCE_PERIOD = "once"


@dataclass(frozen=True)
class Once:
    """Fires the first time the event is seen, never again for that recipient."""

    def applies_on(self, day: date) -> bool:
        return True

    def period_key(self, day: date) -> str:
        return ONCE_PERIOD

    def due(self, topic: str, candidate: Any, day: date) -> ColumnElement[bool]:
        return true()


@dataclass(frozen=True)
class DailyUntilResolved:
    """Fires on every business date while the condition holds."""

    def applies_on(self, day: date) -> bool:
        return True

    def period_key(self, day: date) -> str:
        return day.isoformat()

    def due(self, topic: str, candidate: Any, day: date) -> ColumnElement[bool]:
        return true()


@dataclass(frozen=True)
class EveryNDaysWhile:
    """Fires when first seen, then every ``n`` days for as long as the condition holds."""

    n: int

    def applies_on(self, day: date) -> bool:
        return True

    def period_key(self, day: date) -> str:
        return day.isoformat()

    def due(self, topic: str, candidate: Any, day: date) -> ColumnElement[bool]:
        recent = exists().where(
            Alert.topic == topic,
            Alert.recipient_id == candidate.recipient_id,
            Alert.event_key == candidate.event_key,
            Alert.business_date > day - timedelta(days=self.n),
            Alert.business_date <= day,
        )
        return ~recent


@dataclass(frozen=True)
class OnDates:
    """Fires only on the listed month-days (``"08-01"``), for whatever holds on that date."""

    month_days: tuple[str, ...]

    def applies_on(self, day: date) -> bool:
        return day.strftime("%m-%d") in self.month_days

    def period_key(self, day: date) -> str:
        return day.isoformat()

    def due(self, topic: str, candidate: Any, day: date) -> ColumnElement[bool]:
        return true()


@dataclass(frozen=True)
class BeforeDue:
    """Fires on the listed days before a due date (30, 15, 5 and 1 by default); an agency may
    list its own days, which the topic's selector reads beside the due date."""

    days: tuple[int, ...]

    def applies_on(self, day: date) -> bool:
        return True

    def period_key(self, day: date) -> str:
        return day.isoformat()

    def due(self, topic: str, candidate: Any, day: date) -> ColumnElement[bool]:
        return true()


Policy = Once | DailyUntilResolved | EveryNDaysWhile | OnDates | BeforeDue


def _listing(days: tuple[int, ...]) -> str:
    words = [str(n) for n in days]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(policy: Policy) -> str:
    """The policy in the words of the portal's frequency table."""
    match policy:
        case Once():
            return "One time alert"
        case DailyUntilResolved():
            return "Daily alert until resolved"
        case EveryNDaysWhile(n=n):
            return f"Every {n} days while the condition holds"
        case OnDates(month_days=month_days):
            return ", ".join(f"{int(m)}/{int(d)}" for m, d in (md.split("-") for md in month_days)) + " only"
        case BeforeDue(days=days):
            return f"{_listing(days)} days before the due date"
