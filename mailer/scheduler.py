"""When bob's jobs run: APScheduler 3.x cron/interval triggers, and the Daily Summary's tick.

APScheduler only says *when*; whether a business date's work still needs doing is the run
ledger's answer. So a double fire (the repeated hour when DST falls back), a second bob
process, or a restart never does an agency's date twice, and dates missed while bob was
down are caught up instead of relying on misfire grace times. Catch-up never reaches back
before the database's first Daily Summary or first `bob serve`: a freshly seeded or imported
book gets today's digests, not a week of back-dated ones (older dates are run by hand).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from time import monotonic
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from mailer.agency_clocks import agency_clocks, pending_runs
from mailer.daily_summary import JOB, DeliverySettings, RunResult, run_daily_summary
from mailer.metrics import RUN_SECONDS, count_daily_summary
from mailer.run_ledger import first_recorded, record_first_start
from store.errors import BobError
from store.log_context import working_on
from store.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    """A job and its trigger. ``max_instances`` above 1 lets a tick start while an earlier
    one still runs (the Daily Summary's: another agency's time may come during a long run;
    the run ledger keeps the two apart)."""

    name: str
    trigger: BaseTrigger
    run: Callable[[], Awaitable[object]]
    max_instances: int = 1


def daily_trigger(at: time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone)


def weekly_trigger(day_of_week: str, at: time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(day_of_week=day_of_week, hour=at.hour, minute=at.minute, timezone=zone)


def daily_summary_tick(every_seconds: int, now: datetime) -> IntervalTrigger:
    """Every ``every_seconds``, counted from the next whole minute: at 60 the tick falls on
    each minute, so a run starts on its agency's HH:MM (zone offsets are whole minutes)."""
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return IntervalTrigger(seconds=every_seconds, start_date=start)


@dataclass(frozen=True)
class DailySummaryJob:
    """Runs each agency's Daily Summary once per business date, at the agency's own local
    time in its own zone, off the event loop.

    One short-interval tick rather than one cron trigger per agency clock: each tick asks the
    database which (agency, date) pairs are due and not done, so a new agency, a changed
    time or zone, a date missed while bob was down and a run whose process died are all
    picked up by the same query without rebuilding triggers; DST needs no trigger arithmetic
    (a date is due once its local time has passed, see :mod:`mailer.agency_clocks`); and
    the run ledger's claim per (agency, date), not the trigger, makes the run exactly-once
    across processes and restarts.
    """

    sessions: sessionmaker[Session]
    settings: DeliverySettings
    default_at: time
    look_back_days: int
    clock: Callable[[], datetime] = utcnow

    async def start(self) -> list[RunResult]:
        """What `bob serve` does first: note its first start on this database, then catch up."""
        await asyncio.to_thread(record_first_start, self.sessions, self.clock())
        return await self.run_due()

    async def run_due(self) -> list[RunResult]:
        """Run every (agency, date) of the look-back window whose local time has passed and
        whose run has not finished, oldest date first, the agencies of a date together; never
        a date before the first Daily Summary or `bob serve` start this database recorded."""
        now = self.clock()
        pending = await asyncio.to_thread(self._pending, now)
        results = []
        for day, agency_ids in pending.items():
            with working_on(f"{JOB}:{day.isoformat()}"):
                result = await self._run(day, agency_ids)
            results.append(result)
        return results

    def _pending(self, now: datetime) -> dict[date, list[int]]:
        since = first_recorded(self.sessions, JOB) or now
        with self.sessions() as session:
            clocks = agency_clocks(session, self.default_at)
            return pending_runs(session, clocks, now, self.look_back_days, since)

    async def _run(self, day: date, agency_ids: list[int]) -> RunResult:
        started = monotonic()
        result = await asyncio.to_thread(
            partial(run_daily_summary, self.sessions, day, self.settings, agency_ids=agency_ids)
        )
        count_daily_summary(result, monotonic() - started)
        return result


def build_scheduler(jobs: list[ScheduledJob], zone: ZoneInfo) -> AsyncIOScheduler:
    """An AsyncIOScheduler with one entry per job, each running at most ``max_instances`` at
    once."""
    scheduler = AsyncIOScheduler(timezone=zone)
    for job in jobs:
        scheduler.add_job(
            _logged(job),
            trigger=job.trigger,
            id=job.name,
            name=job.name,
            max_instances=job.max_instances,
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
