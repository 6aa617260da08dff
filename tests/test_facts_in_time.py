"""Facts carry the time they became true: a replayed date reads the book as it stood then,
a nightly import alerts the next morning, and no fact is dated after what the file knew."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mailer.daily_summary import run_daily_summary
from store.history import record_history
from store.importers.context import book_friday
from store.models import (
    Alert,
    Consumer,
    Delegation,
    DelegationPeriod,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
)

LA = ZoneInfo("America/Los_Angeles")


def local(day: date, hh: int = 9) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=LA)


def alerts(sessions, topic: str) -> list[tuple[date, int]]:
    with sessions() as s:
        query = select(Alert.business_date, Alert.recipient_id).where(Alert.topic == topic)
        return sorted((row.business_date, row.recipient_id) for row in s.execute(query))


@pytest.fixture
def agency(book):
    sunrise = book.agency()
    return {"ana": book.enroller(sunrise, "Ana", "Agent"), "lee": book.enroller(sunrise, "Lee", "Agent")}


def test_a_catch_up_run_sees_the_binder_unpaid_that_was_paid_since(book, sessions, delivery, agency):
    consumer = book.consumer(agency["ana"])
    enrollment = book.enrollment(
        consumer, EnrollmentStatus.PENDING, at=local(date(2026, 3, 2)), binder_paid=False
    )
    with sessions.begin() as s:  # paid on 3/5, learned before the 3/4 run was caught up
        s.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment)
            .values(binder_paid=True, binder_changed_at=local(date(2026, 3, 5)))
        )
    run_daily_summary(sessions, date(2026, 3, 4), delivery)
    run_daily_summary(sessions, date(2026, 3, 6), delivery)
    assert alerts(sessions, "binder_payment_pending") == [(date(2026, 3, 4), agency["ana"])]


def test_a_replay_alerts_the_agent_who_had_the_case_then(book, sessions, delivery, agency):
    consumer = book.consumer(agency["ana"])
    book.enrollment(consumer, EnrollmentStatus.PENDING, at=local(date(2026, 3, 2)), binder_paid=False)
    moved = local(date(2026, 3, 10))
    with sessions.begin() as s:
        s.execute(
            update(Delegation)
            .where(Delegation.consumer_id == consumer)
            .values(status=DelegationStatus.REMOVED, removed_at=moved, status_changed_at=moved)
        )
        s.add(
            Delegation(
                consumer_id=consumer,
                enroller_id=agency["lee"],
                status=DelegationStatus.ACTIVE,
                created_at=moved,
            )
        )
    for day in (date(2026, 3, 3), date(2026, 3, 11)):
        run_daily_summary(sessions, day, delivery)
    assert alerts(sessions, "binder_payment_pending") == [
        (date(2026, 3, 3), agency["ana"]),
        (date(2026, 3, 11), agency["lee"]),
    ]


def test_a_cancellation_learned_later_is_news_on_its_own_day_only(book, sessions, delivery, agency):
    consumer = book.consumer(agency["ana"])
    enrollment = book.enrollment(consumer, EnrollmentStatus.EFFECTUATED, at=local(date(2026, 1, 5)))
    with sessions.begin() as s:
        s.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment)
            .values(status=EnrollmentStatus.CANCELED, status_changed_at=local(date(2026, 3, 9), 15))
        )
    for day in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)):
        run_daily_summary(sessions, day, delivery)
    assert alerts(sessions, "enrollment_canceled") == [(date(2026, 3, 10), agency["ana"])]


def test_an_enroller_deactivated_since_still_gets_the_digest_that_was_due(book, sessions, delivery, agency):
    book.consumer(agency["ana"])
    with sessions.begin() as s:
        s.execute(
            update(Enroller)
            .where(Enroller.id == agency["ana"])
            .values(active=False, active_changed_at=local(date(2026, 3, 12)))
        )
    run_daily_summary(sessions, date(2026, 3, 11), delivery)
    run_daily_summary(sessions, date(2026, 3, 13), delivery)
    from store.models import MailboxMessage

    with sessions() as s:
        got = s.execute(
            select(MailboxMessage.business_date).where(MailboxMessage.recipient_id == agency["ana"])
        )
        assert [row.business_date for row in got] == [date(2026, 3, 11)]


def test_history_keeps_each_change_in_order_and_adds_nothing_twice(book, sessions, agency):
    consumer = book.consumer(agency["ana"])
    enrollment = book.enrollment(
        consumer, EnrollmentStatus.PENDING, at=local(date(2026, 3, 2)), binder_paid=False
    )
    paid, effectuated = local(date(2026, 3, 4)), local(date(2026, 3, 6))
    with sessions.begin() as s:
        record_history(s)
        s.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment)
            .values(
                binder_paid=True,
                binder_changed_at=paid,
                status=EnrollmentStatus.EFFECTUATED,
                status_changed_at=effectuated,
            )
        )
        assert record_history(s) == 2
        assert record_history(s) == 0
    with sessions() as s:
        periods = s.execute(
            select(
                EnrollmentPeriod.status,
                EnrollmentPeriod.binder_paid,
                EnrollmentPeriod.valid_from,
                EnrollmentPeriod.valid_to,
            ).order_by(EnrollmentPeriod.valid_from)
        ).all()
        delegations = s.scalar(select(DelegationPeriod.id).where(DelegationPeriod.consumer_id == consumer))
    assert [tuple(p) for p in periods] == [
        (EnrollmentStatus.PENDING, False, local(date(2026, 3, 2)), paid),
        (EnrollmentStatus.PENDING, True, paid, effectuated),
        (EnrollmentStatus.EFFECTUATED, True, effectuated, None),
    ]
    assert delegations is not None


# Importing: the file's dates and its as-of


AGENCIES = "code,name,time_zone\nsunrise,Sunrise Insurance,America/Los_Angeles\n"
ENROLLERS = (
    "license_number,agency_code,first_name,last_name,email,role,active_since\n"
    "0A10001,sunrise,Ana,Agent,ana@agency.test,agent_l1,2025-06-01\n"
)
CONSUMERS = "case_number,first_name,last_name\nCA1,Pat,Example\n"
DELEGATIONS = "case_number,enroller_license,status,delegated_on\nCA1,0A10001,active,2026-01-05\n"


def write_book(folder: Path, enrollments: str, notices: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("agencies", AGENCIES),
        ("enrollers", ENROLLERS),
        ("consumers", CONSUMERS),
        ("delegations", DELEGATIONS),
        ("enrollments", enrollments),
        ("notices", notices),
    ):
        if text is not None:
            (folder / f"{name}.csv").write_text(text)
    return folder


@pytest.fixture
def cli(cli_at):
    """`bob` on the command line at a pinned clock."""
    return cli_at


def binder_days(db_url: str) -> list[date]:
    from store.db import make_engine, session_factory

    engine = make_engine(db_url)
    try:
        return [d for d, _ in alerts(session_factory(engine), "binder_payment_pending")]
    finally:
        engine.dispose()


def test_a_nightly_import_at_two_with_the_files_dates_alerts_that_morning(cli, db_url, tmp_path, capsys):
    enrollments = (
        "case_number,plan_year,coverage,program,status,binder_paid,submitted_at\n"
        "CA1,2026,health,Covered California,pending,N,2026-03-09T16:30\n"
    )
    book = write_book(tmp_path / "night", enrollments)
    assert cli(local(date(2026, 3, 10), 2), "import", str(book)) == 0
    assert cli(local(date(2026, 3, 10), 6), "summary", "run", "--date", "2026-03-10") == 0
    assert binder_days(db_url) == [date(2026, 3, 10)]


def test_as_of_stamps_what_the_file_does_not_date_and_the_summary_says_so(cli, db_url, tmp_path, capsys):
    enrollments = (
        "case_number,plan_year,coverage,program,status,binder_paid\n"
        "CA1,2026,health,Covered California,pending,N\n"
    )
    book = write_book(tmp_path / "night", enrollments)
    assert cli(local(date(2026, 3, 10), 2), "import", str(book), "--as-of", "2026-03-09T21:00") == 0
    out = capsys.readouterr().out
    assert "as of 2026-03-09 21:00 PDT (--as-of)" in out
    assert cli(local(date(2026, 3, 10), 6), "summary", "run", "--date", "2026-03-10") == 0
    assert binder_days(db_url) == [date(2026, 3, 10)]


def test_without_as_of_the_import_time_is_used_and_a_two_am_fact_waits_a_day(cli, db_url, tmp_path, capsys):
    enrollments = (
        "case_number,plan_year,coverage,program,status,binder_paid\n"
        "CA1,2026,health,Covered California,pending,N\n"
    )
    book = write_book(tmp_path / "night", enrollments)
    assert cli(local(date(2026, 3, 10), 2), "import", str(book)) == 0
    assert "(the import time)" in capsys.readouterr().out
    for day in ("2026-03-10", "2026-03-11"):
        assert cli(local(date(2026, 3, 11), 6), "summary", "run", "--date", day) == 0
    assert binder_days(db_url) == [date(2026, 3, 11)]


def test_rows_dated_after_the_as_of_are_rejected_alike_for_every_entity(cli, db_url, tmp_path, capsys):
    enrollments = (
        "case_number,plan_year,coverage,program,status,binder_paid,status_since\n"
        "CA1,2026,health,Covered California,pending,N,2026-03-11\n"
    )
    notices = "case_number,kind,notice_date\nCA1,NOD,2026-03-11\n"
    book = write_book(tmp_path / "night", enrollments, notices)
    assert cli(local(date(2026, 3, 10), 21), "import", str(book)) == 0
    out = capsys.readouterr().out
    assert "enrollments.csv: 1 rows: 0 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "notices.csv: 1 rows: 0 created, 0 updated, 0 unchanged, 1 rejected" in out
    reasons = (book / "notices.rejects.csv").read_text()
    assert "notice_date" in reasons and "dated after the file's as-of" in reasons


def test_an_as_of_in_the_future_is_one_clear_line(cli, tmp_path, capsys):
    book = write_book(tmp_path / "night", "case_number,plan_year,coverage,program,status\n")
    assert cli(local(date(2026, 3, 10), 2), "import", str(book), "--as-of", "2026-03-11") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "after the import time" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("downloaded", "friday"),
    [
        (datetime(2026, 11, 30, 9, tzinfo=LA), datetime(2026, 11, 27, 21, tzinfo=LA)),  # Monday
        (datetime(2026, 11, 27, 21, 30, tzinfo=LA), datetime(2026, 11, 27, 21, tzinfo=LA)),
        (datetime(2026, 11, 27, 20, 59, tzinfo=LA), datetime(2026, 11, 20, 21, tzinfo=LA)),
        (datetime(2026, 11, 2, 8, tzinfo=LA), datetime(2026, 10, 30, 21, tzinfo=LA)),  # across DST end
        (datetime(2026, 3, 9, 8, tzinfo=LA), datetime(2026, 3, 6, 21, tzinfo=LA)),  # across DST start
    ],
)
def test_a_calheers_book_describes_the_last_friday_at_nine_pm_pacific(downloaded, friday):
    assert book_friday(downloaded.astimezone(UTC)) == friday.astimezone(UTC)


def test_consumers_dated_facts_count_from_their_local_midnight(book, sessions, delivery, agency):
    consumer = book.consumer(agency["ana"])
    book.notice(consumer, local(date(2026, 3, 9), 0))
    for day in (date(2026, 3, 9), date(2026, 3, 10)):
        run_daily_summary(sessions, day, delivery)
    assert [d for d, _ in alerts(sessions, "nod_notice")] == [date(2026, 3, 10)]
    with sessions() as s:
        assert s.scalar(select(Consumer.id)) == consumer


def test_an_entity_has_at_most_one_open_period(book, sessions, agency):
    consumer = book.consumer(agency["ana"])
    enrollment = book.enrollment(consumer, EnrollmentStatus.PENDING, binder_paid=False)
    with sessions() as s, pytest.raises(IntegrityError):
        s.add(
            EnrollmentPeriod(
                enrollment_id=enrollment,
                consumer_id=consumer,
                status=EnrollmentStatus.EFFECTUATED,
                binder_paid=True,
                status_since=local(date(2026, 3, 1)),
                valid_from=local(date(2026, 3, 1)),
            )
        )
        s.commit()


def test_a_backfilled_enrollment_paid_later_was_unpaid_before_it_was_paid(cli, db_url, tmp_path):
    """First seen already paid, with its own dates: the replay of a day before the payment
    sees it unpaid, as an on-time run did."""
    enrollments = (
        "case_number,plan_year,coverage,program,status,binder_paid,submitted_at,binder_paid_at\n"
        "CA1,2026,health,Covered California,pending,Y,2026-03-09T16:30,2026-03-11\n"
    )
    book = write_book(tmp_path / "backfill", enrollments)
    assert cli(local(date(2026, 3, 13), 2), "import", str(book)) == 0
    for day in ("2026-03-10", "2026-03-11", "2026-03-12"):
        assert cli(local(date(2026, 3, 13), 6), "summary", "run", "--date", day) == 0
    assert binder_days(db_url) == [date(2026, 3, 10)]


def test_the_fourteen_day_lookback_counts_local_days_across_the_fall_back(book, sessions, delivery, agency):
    """A notice dated 14 local days back is news in a fortnight with 25-hour day as in any."""
    consumer = book.consumer(agency["ana"])
    book.notice(consumer, local(date(2026, 10, 25), 0))  # 14 days + 1 hour before 11/8 00:00 PST
    run_daily_summary(sessions, date(2026, 11, 8), delivery)
    assert [d for d, _ in alerts(sessions, "nod_notice")] == [date(2026, 11, 8)]
