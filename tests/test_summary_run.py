"""`bob summary run`: only plausible business dates, and a dry run that shows a date's work
without storing or sending anything."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cli import main
from mailer.daily_summary import run_daily_summary
from mailer.dry_run import preview_daily_summary
from rules.calendar import business_date
from store.models import Alert, DigestKind, JobRun, MailboxMessage, OutboxEmail, Role, utcnow
from store.zones import DEFAULT_TIME_ZONE

DAY = date(2026, 11, 23)
WRITTEN = (Alert, JobRun, MailboxMessage, OutboxEmail)


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def today() -> date:
    return business_date(utcnow(), ZoneInfo(DEFAULT_TIME_ZONE))


def rows_written(sessions) -> dict[str, int]:
    with sessions() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in WRITTEN}


NOTHING = {"alerts": 0, "job_runs": 0, "mailbox_messages": 0, "outbox": 0}


def sunrise_book(book) -> None:
    """An agency with a manager, two agents, and notices that fire on ``DAY``."""
    agency = book.agency()
    book.enroller(agency, "Mia", "Manager", role=Role.AGENCY_MANAGER)
    ana = book.enroller(agency, "Ana", "Agent")
    bo = book.enroller(agency, "Bo", "Agent")
    for agent in (ana, ana, bo):
        book.notice(book.consumer(agent), datetime(2026, 11, 22, 20, tzinfo=UTC))


@pytest.mark.parametrize("day", ["2099-01-01", "9999-12-31", "tomorrow"])
def test_a_date_after_today_is_refused_in_one_line_and_writes_nothing(env, book, sessions, capsys, day):
    sunrise_book(book)
    when = (today() + timedelta(days=1)).isoformat() if day == "tomorrow" else day
    for extra in ([], ["--dry-run"], ["--allow-old"]):
        assert main(["summary", "run", "--date", when, *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert f"{when} is after today's business date" in err and DEFAULT_TIME_ZONE in err
    assert rows_written(sessions) == NOTHING


def test_a_date_beyond_max_back_days_needs_allow_old(env, book, sessions, capsys):
    sunrise_book(book)
    assert main(["summary", "run", "--date", "1900-01-01"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schedule.max_back_days (62)" in err and "--allow-old" in err
    too_old = today() - timedelta(days=63)
    assert main(["summary", "run", "--date", too_old.isoformat()]) == 2
    assert rows_written(sessions) == NOTHING
    assert main(["summary", "run", "--date", (today() - timedelta(days=62)).isoformat()]) == 0
    assert main(["summary", "run", "--date", "1900-01-01", "--allow-old"]) == 0
    assert "1900-01-01: 0 new alerts" in capsys.readouterr().out


def test_max_back_days_is_read_from_the_config(env, book, tmp_path, capsys):
    (tmp_path / "bob.toml").write_text("[schedule]\nmax_back_days = 3\n")
    book.agency()
    assert main(["summary", "run", "--date", (today() - timedelta(days=4)).isoformat()]) == 2
    assert "schedule.max_back_days (3)" in capsys.readouterr().err
    assert main(["summary", "run", "--date", (today() - timedelta(days=3)).isoformat()]) == 0


@pytest.mark.parametrize("value", [-1, 100_000])
def test_max_back_days_out_of_range_is_refused_when_the_config_is_read(env, tmp_path, capsys, value):
    (tmp_path / "bob.toml").write_text(f"[schedule]\nmax_back_days = {value}\n")
    assert main(["summary", "run"]) == 2
    assert capsys.readouterr().err.startswith(f"bob: error: schedule.max_back_days = {value} is out of range")


def test_a_dry_run_counts_what_the_real_run_then_writes(book, engine, sessions, delivery):
    sunrise_book(book)
    preview = preview_daily_summary(engine, DAY, delivery)
    assert rows_written(sessions) == NOTHING
    real = run_daily_summary(sessions, DAY, delivery)
    assert preview.ran and real.ran
    assert (preview.alerts, preview.by_kind, preview.emails) == (real.alerts, real.by_kind, real.emails)
    with sessions() as s:
        by_kind = dict(
            s.execute(select(MailboxMessage.kind, func.count()).group_by(MailboxMessage.kind)).all()
        )
        assert (
            {DigestKind(k).value: n for k, n in by_kind.items()}
            == real.by_kind
            == {
                "daily_summary": 2,
                "manager_summary": 1,
            }
        )
        assert s.scalar(select(func.count()).select_from(OutboxEmail)) == real.emails == 3
        assert s.scalar(select(func.count()).select_from(Alert)) == sum(real.alerts.values()) == 3
        manager_email = s.scalars(
            select(OutboxEmail.body_text).where(OutboxEmail.subject.like("%Manager%"))
        ).one()
        assert re.search(r"NOD Notice +3\b", manager_email)  # both agents' alerts add up
    again = preview_daily_summary(engine, DAY, delivery)
    assert not again.ran  # the date is done: a real run would do nothing either


def test_the_dry_run_command_prints_counts_without_pii_and_stores_nothing(env, book, sessions, capsys):
    sunrise_book(book)
    assert main(["summary", "run", "--date", DAY.isoformat(), "--dry-run", "--allow-old"]) == 0
    out = capsys.readouterr().out
    assert rows_written(sessions) == NOTHING
    assert out.startswith("2026-11-23 (dry run: nothing was stored or sent)")
    assert "3 new alerts" in out and "NOD Notice: 3" in out
    assert "2 Daily Summary" in out and "1 Daily Manager Summary" in out
    assert "3 emails would be queued" in out
    assert "Ana" not in out and "@" not in out and "CASE" not in out
    assert main(["summary", "run", "--date", DAY.isoformat(), "--allow-old"]) == 0
    assert "3 new alerts, 3 digests" in capsys.readouterr().out
