"""A hundred business dates driven only through `bob import` and `bob summary run`: the
alert days in the ledger equal the frequency contract's, whether the book is imported the
evening before or at 02:00 on the day, dated by its own columns or by --as-of, and whether
each date runs on time, twice, or all at the end (issue 11).

The ground truth and the book it writes are in tests/calendar_book.py, the scenarios in
tests/calendar_scenarios.py, the oracle in tests/calendar_oracle.py. The clock is pinned
at the one place bob reads it (``store.models.base.utcnow``), so the CLI, the importers,
the run ledger and the column defaults all see the simulated time.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

import store.models.base
from app.cli import main
from rules.calendar import days
from store.models import Alert, Consumer, Enroller, MailboxMessage
from tests.calendar_book import LA, Scenario, write_book
from tests.calendar_oracle import Alert as ExpectedAlert
from tests.calendar_oracle import expected_alerts
from tests.calendar_scenarios import (
    ANA,
    BEN,
    CATCH_UP_DAY,
    FIRST_DAY,
    FRIDAY,
    LAST_DAY,
    changed_after_the_date,
    sunrise_calendar,
)

EVENING, NIGHT, MORNING = time(21, 0), time(2, 0), time(6, 0)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LA).astimezone(UTC)


class _Clock:
    """``datetime`` as store.models.base sees it: ``now()`` is the simulated instant."""

    instant = datetime(2026, 1, 1, tzinfo=UTC)

    @classmethod
    def now(cls, tz: object = None) -> datetime:
        assert tz is UTC
        return cls.instant


@dataclass
class Bob:
    """The command line under a pinned clock, over one database."""

    engine: Engine
    scenario: Scenario
    books: Path
    outputs: list[str] = field(default_factory=list)

    def cli(self, at: datetime, *argv: str) -> str:
        _Clock.instant = at
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
        assert code == 0, f"bob {' '.join(argv)} exited {code}: {out.getvalue()}{err.getvalue()}"
        self.outputs.append(out.getvalue())
        return out.getvalue()

    def import_book(self, day: date, at: datetime, *, dated: bool = False, as_of: str | None = None) -> None:
        """Import the book as it stood on the evening of ``day``."""
        name = f"{day}{'-dated' if dated else ''}-imported-{at.astimezone(LA):%Y-%m-%dT%H%M}"
        folder = write_book(self.scenario, self.books / name, day, dated)
        self.cli(at, "import", str(folder), *(["--as-of", as_of] if as_of else []))
        assert not list(folder.glob("*.rejects.csv")), self.outputs[-1]

    def run(self, day: date, at: datetime | None = None) -> None:
        # --allow-old: a catch-up at the end runs dates up to 99 days back, on purpose.
        self.cli(at or local(day, MORNING), "summary", "run", "--date", day.isoformat(), "--allow-old")

    def alerts(self) -> set[ExpectedAlert]:
        """The alert ledger as (topic, enroller license, case number, business date)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Alert.topic, Enroller.license_number, Consumer.case_number, Alert.business_date)
                .join(Enroller, Enroller.id == Alert.recipient_id)
                .join(Consumer, Consumer.id == Alert.consumer_id)
            )
            return {(topic, license_number, case, day) for topic, license_number, case, day in rows}

    def count(self, table: type[Alert] | type[MailboxMessage]) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def bob(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine, tmp_path: Path) -> Bob:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.setattr(store.models.base, "datetime", _Clock)
    return Bob(engine, sunrise_calendar(), tmp_path / "books")


def the_day_before(day: date) -> date:
    return day - timedelta(days=1)


# --- the ways a calendar can be driven ---------------------------------------------------


def evening_imports_on_time_runs(bob: Bob) -> None:
    """Each evening's book imported at 21:00, each date run at 06:00."""
    for day in days(FIRST_DAY, LAST_DAY):
        yesterday = the_day_before(day)
        bob.import_book(yesterday, local(yesterday, EVENING))
        bob.run(day)


def night_imports_dated_by_their_columns(bob: Bob) -> None:
    """Yesterday's book, with its date columns, imported at 02:00 on the day."""
    for day in days(FIRST_DAY, LAST_DAY):
        bob.import_book(the_day_before(day), local(day, NIGHT), dated=True)
        bob.run(day)


def night_imports_with_as_of(bob: Bob) -> None:
    """Yesterday's book, without date columns, imported at 02:00 saying it is as of 21:00."""
    for day in days(FIRST_DAY, LAST_DAY):
        yesterday = the_day_before(day)
        bob.import_book(yesterday, local(day, NIGHT), as_of=f"{yesterday}T21:00")
        bob.run(day)


def every_import_then_every_run(bob: Bob) -> None:
    """Every evening's import on time, and no run until the end: a catch-up of 100 dates."""
    for day in days(the_day_before(FIRST_DAY), the_day_before(LAST_DAY)):
        bob.import_book(day, local(day, EVENING))
    for day in days(FIRST_DAY, LAST_DAY):
        bob.run(day, local(LAST_DAY, MORNING))


def each_date_run_twice(bob: Bob) -> None:
    """The evening import, then each date run twice: the second run adds nothing."""
    for day in days(FIRST_DAY, LAST_DAY):
        yesterday = the_day_before(day)
        bob.import_book(yesterday, local(yesterday, EVENING))
        bob.run(day)
        alerts, digests = bob.count(Alert), bob.count(MailboxMessage)
        bob.run(day, local(day, time(6, 30)))
        assert (bob.count(Alert), bob.count(MailboxMessage)) == (alerts, digests), day


def dated_history_loaded_at_the_end(bob: Bob) -> None:
    """A backfill: every dated book imported in order on the last night, then every date run."""
    for day in days(the_day_before(FIRST_DAY), the_day_before(LAST_DAY)):
        bob.import_book(day, local(LAST_DAY, NIGHT), dated=True)
    for day in days(FIRST_DAY, LAST_DAY):
        bob.run(day, local(LAST_DAY, MORNING))


WAYS: list[object] = [
    pytest.param(evening_imports_on_time_runs, id="evening-import"),
    pytest.param(night_imports_dated_by_their_columns, id="night-import-dated"),
    pytest.param(night_imports_with_as_of, id="night-import-as-of"),
    pytest.param(every_import_then_every_run, id="catch-up"),
    pytest.param(each_date_run_twice, id="run-twice"),
    pytest.param(dated_history_loaded_at_the_end, id="backfill"),
]
ON_POSTGRESQL = {evening_imports_on_time_runs, every_import_then_every_run}


@pytest.mark.parametrize("drive", WAYS)
def test_a_hundred_dates_alert_exactly_on_the_contracts_days(
    bob: Bob, backend: str, drive: Callable[[Bob], None]
) -> None:
    if backend == "postgresql" and drive not in ON_POSTGRESQL:
        pytest.skip("the full matrix runs on SQLite; PostgreSQL runs the on-time and catch-up ways")
    drive(bob)
    expected = expected_alerts(bob.scenario, FIRST_DAY, LAST_DAY)
    actual = bob.alerts()
    assert sorted(actual - expected, key=str) == [], "alerts the contract does not give"
    assert sorted(expected - actual, key=str) == [], "alerts the contract gives that bob missed"
    assert {topic for topic, *_ in expected} == {
        "binder_payment_pending", "consent_valid_thru", "actions_requested", "nod_notice",
        "enrollment_canceled", "enrollment_terminated", "medicare_aged_out",
        "enrollment_updates_pending", "pending_delegation", "delegation_removed",
    }  # fmt: skip


def test_a_catch_up_run_alerts_what_was_due_on_its_date(bob: Bob) -> None:
    """Run 9/7 only on 9/13, after the binder was paid, the canceled enrollment reinstated
    and the delegation moved (all on 9/9): 9/7's digest is what it would have been."""
    bob.scenario = changed_after_the_date()
    for day in days(date(2026, 8, 31), date(2026, 9, 12)):
        bob.import_book(day, local(day, EVENING))
    bob.run(CATCH_UP_DAY, local(date(2026, 9, 13), MORNING))
    assert bob.alerts() == {
        ("binder_payment_pending", ANA.license, "CC2000001", CATCH_UP_DAY),
        ("enrollment_canceled", ANA.license, "CC2000002", CATCH_UP_DAY),
        ("actions_requested", ANA.license, "CC2000003", CATCH_UP_DAY),
    }
    assert bob.alerts() == expected_alerts(bob.scenario, CATCH_UP_DAY, CATCH_UP_DAY)
    assert BEN.license not in {license_number for _, license_number, _, _ in bob.alerts()}


def test_a_friday_book_imported_on_monday_alerts_as_of_friday(bob: Bob) -> None:
    """Mon–Fri run on time; Friday evening's book (no date columns) arrives Monday 09:00
    with --as-of Friday 21:00; Saturday, Sunday (fall back) and Monday then run at 09:30
    and alert on Friday's facts: a binder submitted, a termination, a delegation moved."""
    monday = FRIDAY - timedelta(days=4)
    for day in days(monday, FRIDAY):
        yesterday = the_day_before(day)
        bob.import_book(yesterday, local(yesterday, EVENING))
        bob.run(day)
    next_monday = FRIDAY + timedelta(days=3)
    bob.import_book(FRIDAY, local(next_monday, time(9, 0)), as_of=f"{FRIDAY}T21:00")
    for day in days(FRIDAY + timedelta(days=1), next_monday):
        bob.run(day, local(next_monday, time(9, 30)))
    expected = expected_alerts(bob.scenario, monday, next_monday, known_through=FRIDAY)
    saturday = FRIDAY + timedelta(days=1)
    assert {
        ("binder_payment_pending", ANA.license, "CC2000018", saturday),
        ("enrollment_terminated", BEN.license, "CC2000019", saturday),
        ("enrollment_updates_pending", BEN.license, "CC2000020", saturday),
    } <= expected
    assert bob.alerts() == expected
