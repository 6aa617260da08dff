"""When bob's jobs run: APScheduler 3.x cron/interval triggers in the agency's time zone.

APScheduler only says *when*; whether a business date's work still needs doing is the run
ledger's answer. So a double fire (the repeated hour when DST falls back), a second bob
process, or a restart never does a date twice, and dates missed while bob was down are
caught up on start instead of relying on misfire grace times. Catch-up never reaches back
before the database's first Daily Summary or first `bob serve`: a freshly seeded or imported
book gets today's digests, not a week of back-dated ones (older dates are run by hand).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session, sessionmaker

from mailer.daily_summary import JOB, DeliverySettings, RunResult, run_daily_summary
from mailer.metrics import RUN_SECONDS, count_daily_summary
from mailer.run_ledger import first_recorded, record_first_start
from rules.calendar import business_date, days, local_instant
from store.errors import BobError
from store.log_context import working_on
from store.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    trigger: BaseTrigger
    run: Callable[[], Awaitable[object]]


def daily_trigger(at: time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone)


def weekly_trigger(day_of_week: str, at: time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(day_of_week=day_of_week, hour=at.hour, minute=at.minute, timezone=zone)


def due_business_dates(now: datetime, zone: ZoneInfo, at: time, look_back_days: int) -> list[date]:
    """The business dates of the last ``look_back_days`` whose scheduled time has passed,
    oldest first: what a process starting at ``now`` should make sure has run."""
    today = business_date(now, zone)
    candidates = days(today - timedelta(days=look_back_days), today)
    return [day for day in candidates if local_instant(day, at, zone) <= now]


@dataclass(frozen=True)
class DailySummaryJob:
    """Runs the Daily Summary for the business date it fires on, off the event loop."""

    sessions: sessionmaker[Session]
    settings: DeliverySettings
    zone: ZoneInfo
    at: time
    look_back_days: int
    clock: Callable[[], datetime] = utcnow

    async def run_today(self) -> RunResult:
        day = business_date(self.clock(), self.zone)
        with working_on(f"{JOB}:{day.isoformat()}"):
            return await self._run(day)

    async def start(self) -> list[RunResult]:
        """What `bob serve` does first: note its first start on this database, then catch up."""
        await asyncio.to_thread(record_first_start, self.sessions, self.clock())
        return await self.catch_up()

    async def catch_up(self) -> list[RunResult]:
        """Run every due business date of the look-back window that has not run yet, from the
        business date of the first Daily Summary or `bob serve` start this database recorded."""
        now = self.clock()
        since = await asyncio.to_thread(first_recorded, self.sessions, JOB) or now
        first_day = business_date(since, self.zone)
        results = []
        for day in due_business_dates(now, self.zone, self.at, self.look_back_days):
            if day < first_day:
                continue
            with working_on(f"{JOB}:{day.isoformat()}"):
                result = await self._run(day)
                if result.ran:
                    log.info("caught up %s", result.summary())
            results.append(result)
        return results

    async def _run(self, day: date) -> RunResult:
        started = monotonic()
        result = await asyncio.to_thread(run_daily_summary, self.sessions, day, self.settings)
        count_daily_summary(result, monotonic() - started)
        return result


def build_scheduler(jobs: list[ScheduledJob], zone: ZoneInfo) -> AsyncIOScheduler:
    """An AsyncIOScheduler with one entry per job; never two instances of a job at once."""
    scheduler = AsyncIOScheduler(timezone=zone)
    for job in jobs:
        scheduler.add_job(
            _logged(job),
            trigger=job.trigger,
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
        )
    return scheduler


def _logged(job: ScheduledJob) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            with working_on(f"{job.name}@{utcnow():%Y-%m-%dT%H:%M:%SZ}"), RUN_SECONDS.labels(job.name).time():
                await job.run()
        except BobError as exc:  # a user-fixable problem: its message is PII-free by contract
            log.error("job %s failed: %s", job.name, exc)
        except Exception as exc:  # driver messages may quote row values: log the type only
            log.error("job %s failed: %s; its run ledger keeps the failure", job.name, type(exc).__name__)

    return run
