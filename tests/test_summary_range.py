"""`bob summary run --from D1 --to D2`: every date in order, in one process, on the same ledger
and exactly-once path as one date; `--dry-run` previews the whole range and writes nothing."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from store.models import Alert, EnrollmentStatus, JobRun, MailboxMessage, OutboxEmail

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime.combine(date(2026, 3, 20), time(9), tzinfo=LA)


@pytest.fixture
def bob(cli_at):
    """`bob` on the command line, on 2026-03-20 at 09:00 Pacific."""
    return lambda *args: cli_at(NOW, *args)


@pytest.fixture
def pending(book):
    """A health enrollment pending with its binder unpaid since 3/1: alerts 3/2, 3/9, 3/16."""
    agent = book.enroller(book.agency(), "Ana", "Agent")
    consumer = book.consumer(agent)
    at = datetime.combine(date(2026, 3, 1), time(10), tzinfo=LA)
    return book.enrollment(consumer, EnrollmentStatus.PENDING, at=at, binder_paid=False)


def counts(sessions) -> tuple[int, ...]:
    with sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(table)) or 0
            for table in (Alert, JobRun, MailboxMessage, OutboxEmail)
        )


def binder_days(sessions) -> list[date]:
    with sessions() as s:
        return sorted(s.scalars(select(Alert.business_date).where(Alert.topic == "binder_payment_pending")))


def test_a_range_runs_every_date_in_order_once(bob, pending, sessions, capsys):
    assert bob("summary", "run", "--from", "2026-03-02", "--to", "2026-03-16") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15 and lines[0].startswith("2026-03-02") and lines[-1].startswith("2026-03-16")
    assert binder_days(sessions) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    before = counts(sessions)
    assert bob("summary", "run", "--from", "2026-03-02", "--to", "2026-03-16") == 0
    assert counts(sessions) == before  # the ledger and run ledger make a second pass a no-op
    assert "already" in capsys.readouterr().out


def test_a_dry_run_of_a_range_previews_exactly_what_the_range_then_writes(bob, pending, sessions, capsys):
    empty = counts(sessions)
    assert bob("summary", "run", "--from", "2026-03-02", "--to", "2026-03-10", "--dry-run") == 0
    preview = capsys.readouterr().out.splitlines()
    assert counts(sessions) == empty
    assert sum("Binder Payment Pending: 1" in line for line in preview) == 2  # 3/2 and 3/9, in order
    assert bob("summary", "run", "--from", "2026-03-02", "--to", "2026-03-10") == 0
    capsys.readouterr()
    assert binder_days(sessions) == [date(2026, 3, 2), date(2026, 3, 9)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-03-10", "--to", "2026-03-02"], "on or before"),
        (["--from", "2026-03-10"], "--from D1 --to D2"),
        (["--from", "2026-03-18", "--to", "2026-03-21"], "after today's business date"),
        (["--from", "2025-12-01", "--to", "2026-03-02"], "--allow-old"),
    ],
)
def test_a_bad_range_is_one_line_and_runs_nothing(bob, pending, sessions, capsys, args, says):
    empty = counts(sessions)
    assert bob("summary", "run", *args) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert counts(sessions) == empty
