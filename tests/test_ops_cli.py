"""`bob runs` and `bob outbox status`: what an operator sees of the run ledger and the queue."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from app.purge import run_purge
from mailer.daily_summary import run_daily_summary
from store.models import OutboxEmail, OutboxStatus
from store.retention_settings import RetentionConfig
from store.workers import worker_id

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 06:00 in Los Angeles
DAY = date(2026, 11, 29)


def test_bob_runs_shows_each_run_with_its_state_digests_and_process(cli_at, book, sessions, delivery, capsys):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    run_daily_summary(sessions, DAY, delivery)
    run_purge(sessions, RetentionConfig(), DAY, NOW - timedelta(hours=2), timedelta(minutes=5))
    assert cli_at(NOW, "runs") == 0
    lines = capsys.readouterr().out.splitlines()
    summary = next(line for line in lines if line.startswith("daily_summary"))
    assert "2026-11-29" in summary and "done" in summary and "digests 1 " in summary
    assert "Sunrise Insurance" in summary  # whose Daily Summary it was
    assert f"by {worker_id()}" in summary
    assert lines[-1].startswith("times in America/Los_Angeles")
    assert cli_at(NOW, "runs", "--job", "purge", "--json") == 0
    [purge] = json.loads(capsys.readouterr().out)
    assert purge["job"] == "purge" and purge["state"] == "done" and purge["run_key"] == "2026-11-29"
    assert purge["agency"] is None  # the purge is the whole deployment's


def test_bob_runs_on_an_empty_ledger_says_so(cli_at, capsys):
    assert cli_at(NOW, "runs") == 0
    assert capsys.readouterr().out == "no runs recorded yet\n"


def queue(sessions, created: datetime, next_attempt: datetime, status=OutboxStatus.QUEUED) -> None:
    with sessions.begin() as s:
        s.add(
            OutboxEmail(
                message_key=f"k{created.timestamp()}{status}",
                message_id="<m@agency.test>",
                to_address="ana.agent@agency.test",
                subject="Daily Summary",
                body_text="counts",
                status=status,
                created_at=created,
                next_attempt_at=next_attempt,
            )
        )


def test_outbox_status_tells_the_oldest_queued_emails_age_and_the_next_attempt(cli_at, sessions, capsys):
    queue(sessions, NOW - timedelta(minutes=95), NOW + timedelta(minutes=4))
    queue(sessions, NOW - timedelta(minutes=10), NOW + timedelta(minutes=30))
    queue(sessions, NOW - timedelta(days=3), NOW - timedelta(days=3), status=OutboxStatus.SENT)
    assert cli_at(NOW, "outbox", "status") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "queued: 2  sending: 0  sent: 1  failed: 0"
    assert out[1] == "oldest queued: 1 h 35 min ago; next attempt at 2026-11-30 06:04 PST"
    assert cli_at(NOW, "outbox", "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["oldest_queued_seconds"] == 95 * 60
    assert status["next_attempt_at"] == (NOW + timedelta(minutes=4)).isoformat()


def test_an_email_already_due_is_shown_as_due_now(cli_at, sessions, capsys):
    queue(sessions, NOW - timedelta(minutes=3), NOW - timedelta(minutes=1))
    assert cli_at(NOW, "outbox", "status") == 0
    assert (
        capsys.readouterr().out.splitlines()[1]
        == "oldest queued: 3 min ago; next attempt: due now (the next drain)"
    )
