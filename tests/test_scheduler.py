"""The schedule: fire times in local time across DST, catch-up on start, double fires."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from mailer.agency_clocks import due_business_dates
from mailer.daily_summary import run_daily_summary
from mailer.scheduler import (
    DailySummaryJob,
    ScheduledJob,
    build_scheduler,
    daily_summary_tick,
    daily_trigger,
    weekly_trigger,
)
from rules.calendar import business_date
from store.models import JobRun, MailboxMessage, RunStatus

LA = ZoneInfo("America/Los_Angeles")
SIX = time(6, 0)


def fire_times(trigger, start: datetime, n: int) -> list[datetime]:
    times, previous, now = [], None, start
    for _ in range(n):
        nxt = trigger.get_next_fire_time(previous, now)
        times.append(nxt.astimezone(UTC))
        previous, now = nxt, nxt + timedelta(seconds=1)
    return times


def test_the_daily_summary_fires_at_six_local_on_both_dst_changes():
    trigger = daily_trigger(SIX, LA)
    spring = fire_times(trigger, datetime(2026, 3, 7, 7, tzinfo=LA), 2)
    assert spring == [
        datetime(2026, 3, 8, 13, tzinfo=UTC),
        datetime(2026, 3, 9, 13, tzinfo=UTC),
    ]  # PDT, UTC-7
    fall = fire_times(trigger, datetime(2026, 10, 31, 7, tzinfo=LA), 2)
    assert fall == [
        datetime(2026, 11, 1, 14, tzinfo=UTC),
        datetime(2026, 11, 2, 14, tzinfo=UTC),
    ]  # PST, UTC-8


def test_the_weekly_snapshot_fires_friday_nine_pm_local():
    trigger = weekly_trigger("fri", time(21, 0), LA)
    [first, second] = fire_times(trigger, datetime(2026, 10, 28, tzinfo=LA), 2)
    assert first == datetime(2026, 10, 31, 4, tzinfo=UTC)  # Fri 10/30 21:00 PDT
    assert second == datetime(2026, 11, 7, 5, tzinfo=UTC)  # Fri 11/6 21:00 PST


def test_catch_up_covers_the_look_back_up_to_the_last_passed_run():
    morning = datetime(2026, 11, 23, 7, tzinfo=LA)
    assert due_business_dates(morning, LA, SIX, 3) == [
        date(2026, 11, 20),
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 23),
    ]
    before_six = datetime(2026, 11, 23, 5, 59, tzinfo=LA)
    assert due_business_dates(before_six, LA, SIX, 3)[-1] == date(2026, 11, 22)
    # 2026-11-23 07:00 in Los Angeles is already 15:00 UTC; in UTC terms it is still 11/23.
    late_evening = datetime(2026, 11, 23, 23, 30, tzinfo=LA)  # 07:30 UTC on 11/24
    assert due_business_dates(late_evening, LA, SIX, 0) == [date(2026, 11, 23)]


def _job(sessions, delivery, now: datetime, look_back: int = 2, at: time = SIX) -> DailySummaryJob:
    return DailySummaryJob(sessions, delivery, at, look_back, clock=lambda: now)


def _ran(results) -> list[date]:
    return [r.business_date for r in results if r.ran]


async def test_a_first_start_on_a_fresh_book_runs_only_today(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    assert _ran(await _job(sessions, delivery, datetime(2026, 11, 23, 8, tzinfo=LA), 7).start()) == [
        date(2026, 11, 23)
    ]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(MailboxMessage)) == 1


async def test_a_first_start_before_the_daily_time_runs_no_back_date(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    assert _ran(await _job(sessions, delivery, datetime(2026, 11, 23, 5, tzinfo=LA), 7).start()) == []
    later = _job(sessions, delivery, datetime(2026, 11, 23, 6, 1, tzinfo=LA), 7)
    assert _ran(await later.run_due()) == [date(2026, 11, 23)]


async def test_after_a_downtime_the_days_missed_since_the_first_run_are_caught_up(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    first = _job(sessions, delivery, datetime(2026, 11, 20, 8, tzinfo=LA), 7)
    assert _ran(await first.start()) == [date(2026, 11, 20)]
    back = _job(sessions, delivery, datetime(2026, 11, 23, 8, tzinfo=LA), 7)  # down for 3 days
    assert _ran(await back.start()) == [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]
    assert await back.run_due() == []  # the tick a minute later finds nothing due
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(MailboxMessage)) == 4
        assert set(s.scalars(select(JobRun.status))) == {RunStatus.DONE}


async def test_a_back_dated_run_by_hand_does_not_widen_the_catch_up(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    await asyncio.to_thread(run_daily_summary, sessions, date(2026, 11, 10), delivery)
    serve = _job(sessions, delivery, datetime.now(UTC), 30)
    today = business_date(datetime.now(UTC), LA)
    assert _ran(await serve.start()) in ([], [today])  # [] before 06:00 local


async def test_catch_up_looks_back_no_further_than_catch_up_days(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    await _job(sessions, delivery, datetime(2026, 11, 10, 8, tzinfo=LA), 2).start()
    back = _job(sessions, delivery, datetime(2026, 11, 23, 8, tzinfo=LA), 2)
    assert _ran(await back.start()) == [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]


async def test_a_double_fire_on_the_fall_back_night_does_the_date_once(book, sessions, delivery):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    first_fire = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
    second_fire = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)  # 01:30 PST, the same wall time again
    await _job(sessions, delivery, first_fire - timedelta(days=1), at=time(1, 30)).start()
    results = [
        await _job(sessions, delivery, at, at=time(1, 30)).run_due() for at in (first_fire, second_fire)
    ]
    assert [_ran(r) for r in results] == [[date(2026, 11, 1)], []]


def test_the_daily_summary_tick_starts_on_the_minute():
    trigger = daily_summary_tick(60, datetime(2026, 11, 23, 13, 59, 41, 5, tzinfo=UTC))
    assert fire_times(trigger, datetime(2026, 11, 23, 13, 59, 41, tzinfo=UTC), 2) == [
        datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 14, 1, tzinfo=UTC),
    ]


async def test_the_scheduler_runs_jobs_and_survives_a_failing_one(caplog):
    ran = asyncio.Event()

    async def works() -> None:
        ran.set()

    async def fails() -> None:
        raise RuntimeError("secret 900-00-0001")

    scheduler = build_scheduler(
        [
            ScheduledJob("works", IntervalTrigger(seconds=0.2), works),
            ScheduledJob("fails", IntervalTrigger(seconds=0.1), fails),
        ],
        LA,
    )
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)
        await asyncio.sleep(0.3)
    finally:
        scheduler.shutdown(wait=False)
    assert "job fails failed: RuntimeError" in caplog.text
    assert "900-00-0001" not in caplog.text


async def test_a_tick_starts_while_an_earlier_tick_still_runs_up_to_its_instances():
    running, release = [], asyncio.Event()

    async def long_run() -> None:
        running.append(1)
        await release.wait()

    scheduler = build_scheduler(
        [ScheduledJob("daily_summary", IntervalTrigger(seconds=0.1), long_run, 2)], LA
    )
    scheduler.start()
    try:
        await asyncio.sleep(0.6)
        assert len(running) == 2  # the second tick did not wait for the first; a third did
    finally:
        release.set()
        scheduler.shutdown(wait=False)
