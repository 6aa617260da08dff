"""Each agency's own clock: its Daily Summary runs at its own local time in its own zone, once
per business date, across DST changes, after downtime, and with two processes ticking.

Three agencies share one deployment: Sunrise in Los Angeles and Harbor in New York at the
configured 06:00, and Lotus in Kolkata (UTC+05:30, no DST) at its own 07:30. A simulated week
is a tick every 30 minutes, as `bob serve`'s tick would see it; every due instant of these
clocks falls on a tick, so a run's start is exactly its agency's local time.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

import store.models.base
from mailer.agency_clocks import AgencyClock, agency_clocks
from mailer.run_ledger import claim_agencies, record_first_start
from mailer.scheduler import DailySummaryJob
from rules.calendar import business_date, local_instant
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import Agency, AgencySchedule, DigestKind, Enroller, JobRun, MailboxMessage, Role, RunStatus

ROOT = Path(__file__).resolve().parents[1]
LA, NY, KOLKATA = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
SIX, HALF_PAST_SEVEN = time(6, 0), time(7, 30)
LOOK_BACK = 7
TICK = timedelta(minutes=30)
# A week around each DST change in the United States (Kolkata has none).
FALL_BACK_WEEK = (datetime(2026, 10, 28, 12, tzinfo=UTC), datetime(2026, 11, 4, 12, tzinfo=UTC))
SPRING_FORWARD_WEEK = (datetime(2026, 3, 5, 12, tzinfo=UTC), datetime(2026, 3, 12, 12, tzinfo=UTC))

Key = tuple[int, date]


@pytest.fixture
def pinned(monkeypatch) -> list[datetime]:
    """The clock every ``utcnow()`` reads (claims, leases, `bob serve`'s tick): set ``[0]``."""
    moment = [datetime(2026, 1, 1, tzinfo=UTC)]

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return moment[0].astimezone(tz or UTC)

    monkeypatch.setattr(store.models.base, "datetime", Clock)
    return moment


@pytest.fixture
def three_agencies(book, sessions) -> dict[str, int]:
    """Sunrise (Los Angeles) and Harbor (New York) on the default 06:00; Lotus (Kolkata) at
    its own 07:30. Each has an agent with a book and a manager."""
    agencies = {
        "sunrise": book.agency("sunrise", "Sunrise Insurance", tz=LA.key),
        "harbor": book.agency("harbor", "Harbor Health", tz=NY.key),
        "lotus": book.agency("lotus", "Lotus Cover", tz=KOLKATA.key),
    }
    with sessions.begin() as s:
        s.add(AgencySchedule(agency_id=agencies["lotus"], daily_summary_at=HALF_PAST_SEVEN))
    for code, agency in agencies.items():
        book.consumer(book.enroller(agency, "Ana", code.title()))
        book.enroller(agency, "Max", code.title(), role=Role.AGENCY_MANAGER)
    return agencies


def ticks(first: datetime, last: datetime, down: tuple[datetime, datetime] | None = None) -> list[datetime]:
    """Every tick from ``first`` to ``last``, none while bob is ``down`` (from, until)."""
    moments = []
    at = first
    while at <= last:
        if down is None or not down[0] <= at < down[1]:
            moments.append(at)
        at += TICK
    return moments


def expected_starts(clocks: list[AgencyClock], moments: list[datetime]) -> dict[Key, datetime]:
    """When each (agency, date) should start: the first tick at or after its local time,
    for every date from the first start's business date whose time came by the last tick."""
    starts = {}
    for clock in clocks:
        day = business_date(moments[0], clock.zone)
        while (due := local_instant(day, clock.at, clock.zone)) <= moments[-1]:
            starts[(clock.agency_id, day)] = next(at for at in moments if at >= due)
            day += timedelta(days=1)
    return starts


def ledger(sessions) -> dict[Key, list[JobRun]]:
    found: dict[Key, list[JobRun]] = {}
    with sessions() as s:
        for run in s.scalars(select(JobRun).where(JobRun.job == "daily_summary")):
            assert run.agency_id is not None
            found.setdefault((run.agency_id, date.fromisoformat(run.run_key)), []).append(run)
    return found


def assert_each_ran_once_at(sessions, starts: dict[Key, datetime]) -> None:
    runs = ledger(sessions)
    assert set(runs) == set(starts)
    for key, [run] in runs.items():  # one row per (agency, date)
        assert (run.status, run.attempts) == (RunStatus.DONE, 1), key
        assert run.started_at == starts[key], key
    with sessions() as s:
        per_digest = s.execute(
            select(Enroller.agency_id, MailboxMessage.business_date, MailboxMessage.kind, func.count())
            .join(Enroller, Enroller.id == MailboxMessage.recipient_id)
            .group_by(Enroller.agency_id, MailboxMessage.business_date, MailboxMessage.kind)
        ).all()
    # Each agency's agent and manager get one digest of each kind per date, no more.
    assert {(a, d, k): n for a, d, k, n in per_digest} == {
        (agency, day, kind): 1
        for agency, day in starts
        for kind in (DigestKind.DAILY_SUMMARY, DigestKind.MANAGER_SUMMARY)
    }


def clocks_of(sessions) -> list[AgencyClock]:
    with sessions() as s:
        return agency_clocks(s, SIX)


async def tick_through(
    sessions, delivery, pinned: list[datetime], moments: list[datetime]
) -> dict[datetime, list[Key]]:
    """`bob serve` started at the first moment and ticking at each; what each tick ran."""
    job = DailySummaryJob(sessions, delivery, SIX, LOOK_BACK)
    record_first_start(sessions, moments[0])
    seen: set[Key] = set()
    ran: dict[datetime, list[Key]] = {}
    for at in moments:
        pinned[0] = at
        await job.run_due()
        new = sorted(set(ledger(sessions)) - seen)
        if new:
            ran[at] = new
            seen.update(new)
    return ran


def test_each_agency_is_due_at_its_own_local_time(three_agencies, sessions):
    clocks = {clock.agency_id: clock for clock in clocks_of(sessions)}
    sunrise, harbor, lotus = (clocks[three_agencies[code]] for code in ("sunrise", "harbor", "lotus"))
    assert (sunrise.zone, sunrise.at) == (LA, SIX)
    assert (harbor.zone, harbor.at) == (NY, SIX)
    assert (lotus.zone, lotus.at) == (KOLKATA, HALF_PAST_SEVEN)  # its own time, not the default
    noon_utc = datetime(2026, 11, 2, 12, tzinfo=UTC)  # 04:00 in LA, 07:00 in New York, 17:30 in Kolkata
    assert sunrise.latest_due(noon_utc, timedelta(0)) == date(2026, 11, 1)
    assert harbor.latest_due(noon_utc, timedelta(0)) == date(2026, 11, 2)
    assert lotus.latest_due(noon_utc, timedelta(0)) == date(2026, 11, 2)


@pytest.mark.parametrize("week", [FALL_BACK_WEEK, SPRING_FORWARD_WEEK], ids=["fall-back", "spring-forward"])
async def test_over_a_week_across_a_dst_change_each_agency_runs_once_a_day_at_its_local_time(
    three_agencies, sessions, delivery, pinned, week
):
    moments = ticks(*week)
    await tick_through(sessions, delivery, pinned, moments)
    starts = expected_starts(clocks_of(sessions), moments)
    assert_each_ran_once_at(sessions, starts)
    # Past the first start (which catches up the dates whose time had passed), every run
    # began at its agency's wall-clock time, whatever the UTC offset that day.
    lotus = three_agencies["lotus"]
    on_time = {
        (agency, day): at.astimezone(zone_of(sessions, agency))
        for (agency, day), at in starts.items()
        if at != moments[0]
    }
    assert {(at.hour, at.minute) for (agency, _), at in on_time.items() if agency != lotus} == {(6, 0)}
    assert {(at.hour, at.minute) for (agency, _), at in on_time.items() if agency == lotus} == {(7, 30)}
    assert all(at.date() == day for (_, day), at in on_time.items())
    offsets = {at.utcoffset() for (agency, _), at in on_time.items() if agency == three_agencies["sunrise"]}
    assert offsets == {timedelta(hours=-7), timedelta(hours=-8)}  # both sides of the change
    assert len([day for agency, day in starts if agency == three_agencies["harbor"]]) == 8


def zone_of(sessions, agency_id: int) -> ZoneInfo:
    return next(clock.zone for clock in clocks_of(sessions) if clock.agency_id == agency_id)


async def test_after_a_downtime_each_agency_catches_up_its_own_missed_dates(
    three_agencies, sessions, delivery, pinned
):
    down = (datetime(2026, 10, 30, 0, tzinfo=UTC), datetime(2026, 11, 2, 12, tzinfo=UTC))
    moments = ticks(*FALL_BACK_WEEK, down=down)
    ran = await tick_through(sessions, delivery, pinned, moments)
    back = {agency: [day for a, day in ran[down[1]] if a == agency] for agency in three_agencies.values()}
    # Back at 12:00 UTC on Nov 2: 04:00 in Los Angeles (its Nov 2 not due yet), 07:00 in
    # New York and 17:30 in Kolkata (theirs are).
    assert back == {
        three_agencies["sunrise"]: [date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)],
        three_agencies["harbor"]: [
            date(2026, 10, 30),
            date(2026, 10, 31),
            date(2026, 11, 1),
            date(2026, 11, 2),
        ],
        three_agencies["lotus"]: [
            date(2026, 10, 30),
            date(2026, 10, 31),
            date(2026, 11, 1),
            date(2026, 11, 2),
        ],
    }
    assert_each_ran_once_at(sessions, expected_starts(clocks_of(sessions), moments))


@pytest.mark.parametrize(
    ("at", "days", "expected_utc"),
    [
        # 02:30 does not exist on Mar 8: it runs at 03:30 PDT, the instant 02:30 PST would be.
        (
            time(2, 30),
            (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)),
            ["2026-03-07T10:30", "2026-03-08T10:30", "2026-03-09T09:30"],
        ),
        # 01:30 happens twice on Nov 1: the first one runs, the repeat finds the date done.
        (
            time(1, 30),
            (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)),
            ["2026-10-31T08:30", "2026-11-01T08:30", "2026-11-02T09:30"],
        ),
    ],
    ids=["spring-forward-02:30", "fall-back-01:30"],
)
async def test_a_time_in_the_hour_dst_skips_or_repeats_runs_once(
    book, sessions, delivery, pinned, at, days, expected_utc
):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    with sessions.begin() as s:
        s.add(AgencySchedule(agency_id=agency, daily_summary_at=at))
    first = datetime.combine(days[0], time(0), tzinfo=LA).astimezone(UTC)
    last = datetime.combine(days[-1], time(23, 30), tzinfo=LA).astimezone(UTC)
    await tick_through(sessions, delivery, pinned, ticks(first, last))
    runs = ledger(sessions)
    assert sorted(runs) == [(agency, day) for day in days]
    assert [
        f"{run.started_at.astimezone(UTC):%Y-%m-%dT%H:%M}" for [run] in (runs[k] for k in sorted(runs))
    ] == expected_utc


def test_a_run_by_hand_covers_every_agency_once_whatever_its_clock(three_agencies, sessions, delivery):
    from mailer.daily_summary import run_daily_summary

    result = run_daily_summary(sessions, date(2026, 11, 2), delivery)
    assert result.ran and result.by_kind == {"daily_summary": 3, "manager_summary": 3}
    assert set(ledger(sessions)) == {(agency, date(2026, 11, 2)) for agency in three_agencies.values()}
    assert not run_daily_summary(sessions, date(2026, 11, 2), delivery).ran


def test_a_run_from_before_per_agency_runs_counts_for_every_agency(three_agencies, sessions, delivery):
    from mailer.daily_summary import run_daily_summary

    with sessions.begin() as s:  # what a finished run looked like before migration 0015
        s.add(
            JobRun(
                job="daily_summary",
                run_key="2026-11-02",
                status=RunStatus.DONE,
                claimed_by="old:1",
                lease_until=datetime(2026, 11, 2, 14, tzinfo=UTC),
                started_at=datetime(2026, 11, 2, 14, tzinfo=UTC),
                stats={},
            )
        )
    assert not run_daily_summary(sessions, date(2026, 11, 2), delivery).ran


def child(db_url: str, log: Path) -> subprocess.Popen[str]:
    with log.open("w") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.agency_clock_child", db_url, str(LOOK_BACK)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )


def test_two_processes_ticking_together_run_each_agencys_date_once_at_its_time(
    three_agencies, db_url, sessions, tmp_path
):
    moments = ticks(*FALL_BACK_WEEK)
    record_first_start(sessions, moments[0])
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with ExitStack() as stack:
        processes = [stack.enter_context(child(db_url, log)) for log in logs]
        for n, at in enumerate(moments):
            # Both hear each tick; who hears it first alternates, so both race for every claim.
            for process in processes if n % 2 else processes[::-1]:
                assert process.stdin is not None
                process.stdin.write(at.isoformat() + "\n")
                process.stdin.flush()
            for process, log in zip(processes, logs, strict=True):
                assert process.stdout is not None
                answer = process.stdout.readline()
                assert answer.startswith("ok "), log.read_text()[-2000:]
        for process in processes:
            assert process.stdin is not None
            process.stdin.close()
            assert process.wait(timeout=30) == 0
    assert_each_ran_once_at(sessions, expected_starts(clocks_of(sessions), moments))
    runners = {run.claimed_by.rpartition(":")[2] for [run] in ledger(sessions).values()}
    assert runners <= {str(process.pid) for process in processes}


def test_a_database_upgraded_through_0015_keeps_its_old_runs_and_claims_per_agency(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0014")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (code, name, time_zone, prevent_downline_exports,"
                " mask_exports_by_default, created_at) VALUES ('sunrise', 'Sunrise', :zone, 0, 0, :at)"
            ),
            {"zone": LA.key, "at": "2026-11-01 00:00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO job_runs (job, run_key, status, claimed_by, lease_until, attempts,"
                " started_at, stats) VALUES ('daily_summary', :day, 'done', 'old:1', :at, 1, :at, '{}')"
            ),
            {"day": "2026-11-02", "at": "2026-11-02 14:00:00"},
        )
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as s:
        agency = s.scalar(select(Agency.id))
    lease = timedelta(minutes=15)
    assert claim_agencies(sessions, "daily_summary", "2026-11-02", [agency], lease) == []  # done before
    [run] = claim_agencies(sessions, "daily_summary", "2026-11-03", [agency], lease)
    assert run.agency_id == agency
    assert claim_agencies(sessions, "daily_summary", "2026-11-03", [agency], lease) == []  # held, live
    record_first_start(sessions, datetime(2026, 11, 1, tzinfo=UTC))
    record_first_start(sessions, datetime(2026, 11, 5, tzinfo=UTC))  # still one row without an agency
    with sessions() as s:
        assert s.scalar(select(func.count()).where(JobRun.job == "serve")) == 1
    engine.dispose()


def test_an_agency_held_by_a_live_process_is_left_out_until_its_lease_runs_out(
    three_agencies, sessions, delivery
):
    from mailer.daily_summary import run_daily_summary

    day, now = date(2026, 11, 2), datetime(2026, 11, 2, 15, tzinfo=UTC)
    harbor = three_agencies["harbor"]
    with sessions.begin() as s:  # another host's process is working on Harbor's date
        s.add(
            JobRun(
                job="daily_summary",
                run_key=day.isoformat(),
                agency_id=harbor,
                status=RunStatus.RUNNING,
                claimed_by="elsewhere:4242",
                lease_until=now + timedelta(days=3650),
                started_at=now,
                stats={},
            )
        )
    result = run_daily_summary(sessions, day, delivery)
    assert result.by_kind == {"daily_summary": 2, "manager_summary": 2}  # Sunrise's and Lotus's
    assert {agency for agency, _ in ledger(sessions)} == set(three_agencies.values())
    assert (
        claim_agencies(sessions, "daily_summary", day.isoformat(), [harbor], timedelta(minutes=15), now) == []
    )
    later = now + timedelta(days=3651)  # its lease ran out: the process died on its host
    [taken] = claim_agencies(
        sessions, "daily_summary", day.isoformat(), [harbor], timedelta(minutes=15), later
    )
    assert (taken.agency_id, taken.attempts) == (harbor, 2)
