"""Which business dates a Daily Summary may be run for by hand.

A run for a date queues real email today and claims the date in the run ledger for good, so
a typo must not do either: a date that has not begun in the agency's zone is refused (its
real run would later be skipped as "already done"), and a date further back than
``schedule.max_back_days`` runs only when the operator says so (``--allow-old``).
"""

from __future__ import annotations

from datetime import date

from store.errors import BobError


class ImplausibleDate(BobError):
    """A business date no Daily Summary should be run for without a second thought."""


def check_business_date(
    day: date, today: date, zone_name: str, max_back_days: int, *, allow_old: bool = False
) -> None:
    """Refuse ``day`` when it is after ``today`` (the business date now in ``zone_name``), or
    more than ``max_back_days`` before it unless ``allow_old``."""
    if day > today:
        raise ImplausibleDate(
            f"{day.isoformat()} is after today's business date ({today.isoformat()}, {zone_name}); "
            "a Daily Summary runs only for today or an earlier date"
        )
    back = (today - day).days
    if back > max_back_days and not allow_old:
        raise ImplausibleDate(
            f"{day.isoformat()} is {back:,} days back, more than schedule.max_back_days "
            f"({max_back_days}); add --allow-old to run it anyway "
            "(with --dry-run first to see what it would do)"
        )
