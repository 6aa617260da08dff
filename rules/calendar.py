"""Business dates: the agency's local calendar mapped onto aware UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def business_date(now: datetime, zone: ZoneInfo) -> date:
    """The local calendar date in ``zone`` at the aware instant ``now``."""
    return now.astimezone(zone).date()


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``zone`` as aware UTC (the first one on a fall-back day)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def days(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
