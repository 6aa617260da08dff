"""Each agency's clock: the local time in its own zone at which its Daily Summary is due.

An agency runs at its ``agency_schedules.daily_summary_at``, or at ``schedule.daily_summary_at``
when it has none, in ``agencies.time_zone``: one deployment serves agencies in several zones.
A date is due once that local time has passed; on a spring-forward day a time in the skipped
hour (02:30) is due an hour later by the wall clock (03:30, the same instant as 02:30 before the
change), and on a fall-back day the first of the repeated times counts, so every date is due
exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mailer.daily_summary import JOB
from rules.calendar import business_date, days, local_instant
from store.models import Agency, AgencySchedule, JobRun, RunStatus


@dataclass(frozen=True)
class AgencyClock:
    agency_id: int
    name: str
    zone: ZoneInfo
    at: time

    def due_dates(self, now: datetime, look_back_days: int, since: datetime) -> list[date]:
        """The business dates of the last ``look_back_days`` whose time has passed at ``now``,
        oldest first, none before the business date of ``since`` (the first run or start)."""
        first = business_date(since, self.zone)
        return [day for day in due_business_dates(now, self.zone, self.at, look_back_days) if day >= first]

    def latest_due(self, now: datetime, grace: timedelta) -> date:
        """The latest business date whose time plus ``grace`` has passed at ``now``."""
        day = business_date(now, self.zone)
        return day if local_instant(day, self.at, self.zone) + grace <= now else day - timedelta(days=1)


def due_business_dates(now: datetime, zone: ZoneInfo, at: time, look_back_days: int) -> list[date]:
    """The business dates of the last ``look_back_days`` whose scheduled time has passed,
    oldest first: what a process starting at ``now`` should make sure has run."""
    today = business_date(now, zone)
    candidates = days(today - timedelta(days=look_back_days), today)
    return [day for day in candidates if local_instant(day, at, zone) <= now]


def agency_clocks(session: Session, default_at: time) -> list[AgencyClock]:
    """Every agency's clock, ``default_at`` where the agency set no time of its own."""
    query = (
        select(Agency.id, Agency.name, Agency.time_zone, AgencySchedule.daily_summary_at)
        .outerjoin(AgencySchedule, AgencySchedule.agency_id == Agency.id)
        .order_by(Agency.id)
    )
    return [
        AgencyClock(agency_id, name, ZoneInfo(zone), at or default_at)
        for agency_id, name, zone, at in session.execute(query)
    ]


def run_states(session: Session, wanted: set[tuple[int, date]]) -> dict[tuple[int, date], JobRun]:
    """The run ledger's row for each wanted (agency, date) that has one: the agency's own, or
    a run from before runs were per agency (which covered every agency)."""
    keys = sorted({day.isoformat() for _, day in wanted})
    agencies = sorted({agency_id for agency_id, _ in wanted})
    if not keys:
        return {}
    query = select(JobRun).where(
        JobRun.job == JOB,
        JobRun.run_key.in_(keys),
        or_(JobRun.agency_id.is_(None), JobRun.agency_id.in_(agencies)),
    )
    whole: dict[date, JobRun] = {}
    own: dict[tuple[int, date], JobRun] = {}
    for run in session.scalars(query):
        day = date.fromisoformat(run.run_key)
        if run.agency_id is None:
            whole[day] = run
        else:
            own[(run.agency_id, day)] = run
    found = {}
    for agency_id, day in wanted:
        if (state := own.get((agency_id, day)) or whole.get(day)) is not None:
            found[(agency_id, day)] = state
    return found


def pending_runs(
    session: Session, clocks: list[AgencyClock], now: datetime, look_back_days: int, since: datetime
) -> dict[date, list[int]]:
    """The agencies whose Daily Summary of each due date has not finished, by date, oldest
    first; one query, whatever the number of agencies and dates."""
    due = {(clock.agency_id, day) for clock in clocks for day in clock.due_dates(now, look_back_days, since)}
    states = run_states(session, due)
    pending: dict[date, list[int]] = defaultdict(list)
    for agency_id, day in sorted(due, key=lambda key: (key[1], key[0])):
        run = states.get((agency_id, day))
        if run is None or run.status is not RunStatus.DONE:
            pending[day].append(agency_id)
    return dict(pending)
