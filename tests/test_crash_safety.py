"""A run that dies at any step, then restarts, delivers every digest exactly once; two
processes running the same date deliver one set."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mailer.daily_summary import run_daily_summary
from store.models import Alert, JobRun, MailboxMessage, OutboxEmail, Role, RunStatus, SlackDm
from tests.factories import Book

DAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def busy_book(book: Book) -> dict[str, int]:
    """Two agencies, seven agents with alerts on most consumers, a manager each; every other
    agent and the Sunrise manager linked Slack."""
    counts = {"enrollers": 0, "managers": 0, "linked": 0}
    for code in ("sunrise", "moonlight"):
        agency = book.agency(code, code.title())
        linked = code == "sunrise"
        book.enroller(
            agency, "Max", code.title(), role=Role.AGENCY_MANAGER, slack_user_id="UMAX" if linked else None
        )
        counts["managers"] += 1
        counts["linked"] += linked
        for n in range(7 if code == "sunrise" else 4):
            slack_user_id = f"U{code.upper()}{n}" if n % 2 == 0 else None
            agent = book.enroller(agency, f"Agent{n}", code.title(), slack_user_id=slack_user_id)
            counts["enrollers"] += 1
            counts["linked"] += slack_user_id is not None
            for _ in range(3):
                consumer = book.consumer(agent)
                book.notice(consumer, datetime(2026, 11, 22, 20, tzinfo=UTC))
    return counts


def child(db_url: str, crash_at: str = "none", batch: int = 3) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.summary_child", db_url, DAY.isoformat(), crash_at, str(batch)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_exactly_once(sessions, expected_digests: int, expected_dms: int) -> None:
    with sessions() as s:
        per_key = s.execute(
            select(MailboxMessage.recipient_id, MailboxMessage.kind, func.count()).group_by(
                MailboxMessage.recipient_id, MailboxMessage.kind
            )
        ).all()
        assert len(per_key) == expected_digests
        assert all(count == 1 for *_, count in per_key)
        assert s.scalar(select(func.count()).select_from(OutboxEmail)) == expected_digests
        assert s.scalar(select(func.count()).select_from(SlackDm)) == expected_dms
        # Every digest shows every alert of its recipient recorded for the date.
        alerts = dict(
            s.execute(
                select(Alert.recipient_id, func.count())
                .where(Alert.business_date == DAY)
                .group_by(Alert.recipient_id)
            ).all()
        )
        for recipient_id, kind, alert_count in s.execute(
            select(MailboxMessage.recipient_id, MailboxMessage.kind, MailboxMessage.alert_count)
        ):
            if kind.value == "daily_summary":
                assert alert_count == alerts.get(recipient_id, 0)
        assert s.scalar(select(JobRun.status)) == RunStatus.DONE


@pytest.mark.parametrize(
    "crash_at", ["after_alerts", "after_batch_1", "after_batch_3", "mid_batch", "before_finish"]
)
def test_a_run_killed_at_any_step_resumes_and_delivers_each_digest_once(
    db_url, sessions, delivery, busy_book, crash_at
):
    died = child(db_url, crash_at)
    assert died.returncode == 17, died.stderr
    with sessions() as s:
        assert s.scalar(select(JobRun.status)) == RunStatus.RUNNING  # the dead process's claim
    resumed = run_daily_summary(sessions, DAY, delivery)  # another pid on this host takes over
    assert resumed.ran
    assert_exactly_once(sessions, busy_book["enrollers"] + busy_book["managers"], busy_book["linked"])
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 33


def test_a_live_claim_is_not_taken_over(db_url, sessions, delivery, busy_book):
    from datetime import timedelta

    from mailer.run_ledger import claim

    held = claim(sessions, "daily_summary", DAY.isoformat(), timedelta(minutes=15))
    assert held is not None
    assert not run_daily_summary(sessions, DAY, delivery).ran


def test_two_processes_on_one_date_deliver_one_set(db_url, sessions, busy_book):
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.summary_child", db_url, DAY.isoformat(), "none", "2"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    ran = sorted(out.split()[1] for out, _ in outputs)
    assert ran == ["False", "True"]  # exactly one claimed the date
    assert_exactly_once(sessions, busy_book["enrollers"] + busy_book["managers"], busy_book["linked"])
