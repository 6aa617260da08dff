"""Agency time zones: the default, and the local midnight that starts a business date.

Business dates, schedules and imported local times are read in an agency's zone; bob was
built for agencies on Pacific time, so that is the one default every layer falls back to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "America/Los_Angeles"


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of ``day`` in ``zone`` as an aware UTC instant (midnight never falls in a
    DST gap in the zones bob serves, where clocks change at 02:00)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
