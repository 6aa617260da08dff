"""What `bob serve` watches for its operators, each check raising or clearing one incident.

* ``daily_summary``: for some agency, the latest business date whose Daily Summary is due by
  the agency's own clock (its time plus ``ops.daily_summary_grace_minutes``) has not
  finished, or failed; cleared once every agency's is done. Dates before this database's
  first Daily Summary or first `bob serve` are never due.
* ``smtp_session``: a drain met a session fault (server unreachable, login or relay
  refused); cleared by the next drain that sends.
* ``email_failures``: ``ops.email_failures`` emails failed for good in this process within
  ``ops.failure_window_minutes``; cleared when the window holds none and mail goes again.
* ``export_failures``: as many failed exports (any process) within the window; cleared when
  the window holds none.
* ``slack_scopes``: auth.test refuses the token or lacks scopes (at start, then hourly).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.runtime import Runtime
from mailer.agency_clocks import agency_clocks, run_states
from mailer.daily_summary import JOB
from mailer.run_ledger import first_recorded
from mailer.sender import DrainResult
from ops.alerting import OperatorAlerts
from ops.doctor import slack_check
from rules.calendar import business_date
from store.models import ExportRecord, ExportStatus, RunStatus, utcnow

SLACK_CHECK_EVERY = timedelta(hours=1)


class Monitor:
    def __init__(
        self, runtime: Runtime, alerts: OperatorAlerts, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.runtime, self.alerts, self.clock = runtime, alerts, clock
        self.ops = runtime.config.ops
        self.window = timedelta(minutes=self.ops.failure_window_minutes)
        self.email_failures: deque[tuple[datetime, int]] = deque()
        self.slack_checked: datetime | None = None

    async def check(self) -> None:
        """The periodic checks (`bob serve` runs this every ``ops.check_every_seconds``)."""
        await self.check_daily_summary()
        await self.check_exports()
        await self.check_slack()

    async def check_daily_summary(self) -> None:
        problem = await asyncio.to_thread(self._daily_summary_problem, self.clock())
        if problem:
            await self.alerts.raise_incident("daily_summary", problem)
        else:
            await self.alerts.clear_incident("daily_summary")

    def _daily_summary_problem(self, now: datetime) -> str | None:
        """The first agency (by id) whose latest due Daily Summary failed or has not finished;
        failures are told before lateness."""
        grace = timedelta(minutes=self.ops.daily_summary_grace_minutes)
        since = first_recorded(self.runtime.sessions, JOB)
        if since is None:
            return None
        with self.runtime.sessions() as session:
            clocks = agency_clocks(session, self.runtime.config.schedule.daily_summary_time)
            due = {
                clock.agency_id: day
                for clock in clocks
                if (day := clock.latest_due(now, grace)) >= business_date(since, clock.zone)
            }
            states = run_states(session, set(due.items()))
        late = []
        for clock in clocks:
            if clock.agency_id not in due:
                continue
            day = due[clock.agency_id]
            run = states.get((clock.agency_id, day))
            if run is not None and run.status is RunStatus.FAILED:
                why = run.error or "no reason recorded"
                return f"the Daily Summary of {day} for {clock.name} failed ({why})"
            if run is None or run.status is not RunStatus.DONE:
                late.append((clock, day))
        if not late:
            return None
        clock, day = late[0]
        more = len(late) - 1
        others = f" (and {more} more {'agency' if more == 1 else 'agencies'})" if more else ""
        return (
            f"the Daily Summary of {day} for {clock.name} has not finished "
            f"{self.ops.daily_summary_grace_minutes} minutes after {_hhmm(clock.at)} {clock.zone.key}{others}"
        )

    async def smtp_refused(self, reason: str) -> None:
        await self.alerts.raise_incident("smtp_session", reason)

    async def drained(self, result: DrainResult) -> None:
        """After a drain that met no session fault: count its failures, clear what it proves."""
        now = self.clock()
        if result.failed:
            self.email_failures.append((now, result.failed))
        while self.email_failures and self.email_failures[0][0] < now - self.window:
            self.email_failures.popleft()
        failed = sum(count for _, count in self.email_failures)
        if failed >= self.ops.email_failures:
            minutes = self.ops.failure_window_minutes
            await self.alerts.raise_incident("email_failures", f"{failed} emails failed in {minutes} minutes")
        elif result.sent and not failed:
            await self.alerts.clear_incident("email_failures")
        if result.sent:
            await self.alerts.clear_incident("smtp_session")

    async def check_exports(self) -> None:
        failed = await asyncio.to_thread(_failed_exports, self.runtime.sessions, self.clock() - self.window)
        if failed >= self.ops.export_failures:
            minutes = self.ops.failure_window_minutes
            await self.alerts.raise_incident(
                "export_failures", f"{failed} exports failed in {minutes} minutes"
            )
        elif not failed:
            await self.alerts.clear_incident("export_failures")

    async def check_slack(self) -> None:
        now = self.clock()
        if not self.runtime.config.slack.bot_token or (
            self.slack_checked and now - self.slack_checked < SLACK_CHECK_EVERY
        ):
            return
        self.slack_checked = now
        found = await slack_check(self.runtime)
        if found.ok:
            await self.alerts.clear_incident("slack_scopes")
        else:
            await self.alerts.raise_incident("slack_scopes", found.found)


def _failed_exports(sessions: sessionmaker[Session], since: datetime) -> int:
    with sessions() as session:
        query = select(func.count()).where(
            ExportRecord.status == ExportStatus.FAILED, ExportRecord.finished_at >= since
        )
        return int(session.scalar(query) or 0)


def _hhmm(at: time) -> str:
    return f"{at:%H:%M}"
