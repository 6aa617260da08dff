"""The nightly purge as a scheduled job: once per business date, claimed in the run ledger.

The purge itself is idempotent (what it removed stays removed), so the ledger is not what
keeps it correct; it keeps several `bob serve` processes from walking the same tables at the
same hour, and it leaves a row `bob runs` shows with what each table lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from mailer.run_ledger import claim, finish
from rules.calendar import business_date, local_instant
from store.log_context import working_on
from store.models import utcnow
from store.retention import purge, purge_targets
from store.retention_settings import RetentionConfig

log = logging.getLogger(__name__)

JOB = "purge"


@dataclass(frozen=True)
class PurgeResult:
    day: date
    ran: bool
    removed: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.ran:
            return f"purge {self.day}: already done (or running elsewhere)"
        parts = ", ".join(f"{table} {count}" for table, count in self.removed.items() if count)
        return f"purge {self.day}: {parts or 'nothing was due'}"


def run_purge(
    sessions: sessionmaker[Session], settings: RetentionConfig, day: date, now: datetime, lease: timedelta
) -> PurgeResult:
    """Purge what ``settings`` says may go, once for business date ``day``."""
    run = claim(sessions, JOB, day.isoformat(), lease, now)
    if run is None:
        return PurgeResult(day, ran=False)
    try:
        removed = purge(sessions, purge_targets(settings, day, now), settings.batch_size)
    except Exception as exc:
        finish(sessions, run, {}, error=type(exc).__name__)
        raise
    finish(sessions, run, {"removed": removed})
    return PurgeResult(day, ran=True, removed=removed)


@dataclass(frozen=True)
class PurgeJob:
    """Runs today's purge off the event loop once its local time has come."""

    sessions: sessionmaker[Session]
    settings: RetentionConfig
    zone: ZoneInfo
    lease: timedelta
    clock: Callable[[], datetime] = utcnow

    @property
    def at(self) -> time:
        return datetime.strptime(self.settings.purge_at, "%H:%M").time()

    async def run_if_due(self) -> PurgeResult | None:
        """Today's purge when ``purge_at`` has passed (the scheduler's fire, a start); None
        before then."""
        now = self.clock()
        day = business_date(now, self.zone)
        if local_instant(day, self.at, self.zone) > now:
            return None
        with working_on(f"{JOB}:{day.isoformat()}"):
            result = await asyncio.to_thread(run_purge, self.sessions, self.settings, day, now, self.lease)
            if result.ran:
                log.info("%s", result.summary())
        return result
