"""Retention: the purge removes exactly what `[retention]` says, in batches, and nothing the
duplicate guards need (a purged date run again adds nothing)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.purge import PurgeJob, run_purge
from exports.snapshots import take_snapshot
from mailer.daily_summary import run_daily_summary
from store.models import (
    Alert,
    AuditEntry,
    ExportRecord,
    ExportScope,
    ExportStatus,
    JobRun,
    LinkCode,
    MailboxMessage,
    OutboxEmail,
    OutboxStatus,
    RateLimit,
    Snapshot,
    SnapshotRow,
)
from store.outbox import SENT_BODY
from store.retention import count_due, purge, purge_targets
from store.retention_settings import RetentionConfig

NOW = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)  # 04:30 in Los Angeles
TODAY = date(2026, 11, 30)
SETTINGS = RetentionConfig(mailbox_days=400, snapshots_kept=2, export_history_days=100, sign_in_days=30)
ZONE = ZoneInfo("America/Los_Angeles")


def count(sessions, model, *where) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)))


@pytest.fixture
def agent(book):
    agent = book.enroller(book.agency(), "Ana", "Agent")
    book.notice(book.consumer(agent), datetime(2025, 6, 1, tzinfo=UTC))
    book.consumer(agent)
    return agent


def add(sessions, *rows) -> None:
    with sessions.begin() as s:
        s.add_all(rows)


def old_and_new_rows(sessions, agent: int) -> None:
    """Of each kind, one row a day past its age and one a day short of it."""
    for days, tag in ((31, "old"), (29, "new")):
        expired = NOW - timedelta(days=days)
        add(
            sessions,
            LinkCode(
                enroller_id=agent,
                slack_user_id="U0ANA",
                code_hash=tag,
                created_at=expired,
                expires_at=expired,
            ),
            RateLimit(key=f"link:{tag}", window_start=expired, used=1),
        )
    for days in (101, 99):
        add(sessions, export_row(agent, NOW - timedelta(days=days), deleted=True))
    add(sessions, export_row(agent, NOW - timedelta(days=300), deleted=False))  # its file is still there
    for days in (2558, 2556):
        add(sessions, AuditEntry(action="export.request", outcome="done", at=NOW - timedelta(days=days)))


def export_row(agent: int, at: datetime, *, deleted: bool) -> ExportRecord:
    return ExportRecord(
        token=f"t{at.timestamp()}",
        requested_by_id=agent,
        requested_via="cli",
        agency_id=1,
        scope=ExportScope.AGENT,
        status=ExportStatus.SUCCEEDED,
        file_path="var/exports/x.xlsx",
        requested_at=at,
        expires_at=at + timedelta(hours=1),
        deleted_at=at + timedelta(hours=1) if deleted else None,
    )


def test_the_purge_removes_exactly_what_the_settings_say(sessions, agent):
    old_and_new_rows(sessions, agent)
    targets = purge_targets(SETTINGS, TODAY, NOW)
    due = count_due(sessions, targets)
    assert due == {
        "mailbox_messages": 0,
        "snapshot_rows": 0,
        "exports": 1,
        "link_codes": 1,
        "rate_limits": 1,
        "audit_log": 1,
        "outbox": 0,
    }
    assert count(sessions, ExportRecord) == 3  # the dry run removed nothing
    assert purge(sessions, targets, batch_size=100) == due
    with sessions() as s:
        assert list(s.scalars(select(LinkCode.code_hash))) == ["new"]
        assert list(s.scalars(select(RateLimit.key))) == ["link:new"]
        assert s.scalar(select(func.min(AuditEntry.at))) == NOW - timedelta(days=2556)
    assert count(sessions, ExportRecord) == 2  # the recent one and the one whose file is not yet deleted
    assert purge(sessions, targets, batch_size=100) == dict.fromkeys(due, 0)


def test_a_purged_date_run_again_adds_nothing(sessions, agent, delivery):
    old_day, recent_day = TODAY - timedelta(days=402), TODAY - timedelta(days=2)
    for day in (old_day, recent_day):
        assert run_daily_summary(sessions, day, delivery).ran
    with sessions.begin() as s:  # as the sender leaves them
        s.execute(
            OutboxEmail.__table__.update().values(
                status=OutboxStatus.SENT, body_text=SENT_BODY, body_html=None
            )
        )
    alerts, emails = count(sessions, Alert), count(sessions, OutboxEmail)
    removed = purge(sessions, purge_targets(SETTINGS, TODAY, NOW), batch_size=100)
    assert removed["mailbox_messages"] == 1 and removed["outbox"] == 0
    with sessions() as s:
        assert list(s.scalars(select(MailboxMessage.business_date))) == [recent_day]
    assert (count(sessions, Alert), count(sessions, OutboxEmail)) == (alerts, emails)
    assert count(sessions, JobRun) == 2
    assert not run_daily_summary(sessions, old_day, delivery).ran
    assert count(sessions, MailboxMessage) == 1 and count(sessions, OutboxEmail) == emails


def test_only_each_agencys_newest_snapshots_keep_their_rows(sessions, agent):
    fridays = [date(2026, 11, 6) + timedelta(weeks=n) for n in range(4)]
    for friday in fridays:
        assert take_snapshot(sessions, 1, friday, NOW) == 2
    removed = purge(sessions, purge_targets(SETTINGS, TODAY, NOW), batch_size=100)
    assert removed["snapshot_rows"] == 4
    with sessions() as s:
        kept = s.scalars(select(Snapshot.business_date).join(SnapshotRow).distinct())
        assert sorted(kept) == fridays[2:]
    assert count(sessions, Snapshot) == 4  # the headers stay: taking that date again adds nothing
    assert take_snapshot(sessions, 1, fridays[0], NOW) == 2
    assert count(sessions, SnapshotRow) == 4


def test_an_unscrubbed_sent_body_is_scrubbed_and_its_row_kept(sessions, agent):
    for status in (OutboxStatus.SENT, OutboxStatus.QUEUED):
        add(
            sessions,
            OutboxEmail(
                message_key=f"k-{status}",
                message_id="<m@x>",
                to_address="ana.agent@agency.test",
                subject="code",
                body_text="your code 123456",
                body_html="<p>123456</p>",
                status=status,
            ),
        )
    assert purge(sessions, purge_targets(SETTINGS, TODAY, NOW), batch_size=100)["outbox"] == 1
    with sessions() as s:
        bodies = {
            row.status: row.body_text for row in s.execute(select(OutboxEmail.status, OutboxEmail.body_text))
        }
    assert bodies == {OutboxStatus.SENT: SENT_BODY, OutboxStatus.QUEUED: "your code 123456"}


def test_batches_walk_the_table_once_and_take_everything_due(sessions, agent):
    for n in range(7):
        expired = NOW - timedelta(days=40 + n)
        add(
            sessions,
            LinkCode(
                enroller_id=agent, slack_user_id="U", code_hash=str(n), created_at=expired, expires_at=expired
            ),
        )
    add(sessions, LinkCode(enroller_id=agent, slack_user_id="U", code_hash="live", expires_at=NOW))
    assert purge(sessions, purge_targets(SETTINGS, TODAY, NOW)[3:4], batch_size=2) == {"link_codes": 7}
    assert count(sessions, LinkCode) == 1


def test_the_scheduled_purge_runs_once_per_business_date_after_its_hour(sessions, agent):
    lease = timedelta(minutes=15)
    first = run_purge(sessions, SETTINGS, TODAY, NOW, lease)
    assert first.ran and "nothing was due" in first.summary()
    assert not run_purge(sessions, SETTINGS, TODAY, NOW, lease).ran
    with sessions() as s:
        run = s.scalars(select(JobRun).where(JobRun.job == "purge")).one()
    assert run.run_key == TODAY.isoformat() and run.stats == {"removed": first.removed}


async def test_the_purge_job_waits_for_purge_at(sessions, agent):
    early = PurgeJob(sessions, SETTINGS, ZONE, timedelta(minutes=5), clock=lambda: NOW - timedelta(minutes=1))
    assert await early.run_if_due() is None
    assert count(sessions, JobRun) == 0
    due = dataclasses.replace(early, clock=lambda: NOW)
    result = await due.run_if_due()
    assert result is not None and result.ran and result.day == TODAY


def test_bob_purge_dry_run_prints_each_table_and_removes_nothing(cli_at, sessions, agent, capsys):
    old_and_new_rows(sessions, agent)
    assert cli_at(NOW, "purge", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "link_codes" in out and "dry run: nothing was removed" in out
    assert count(sessions, LinkCode) == 2
    assert cli_at(NOW, "purge") == 0
    lines = {line.split()[0]: int(line.split()[1]) for line in capsys.readouterr().out.splitlines()}
    assert lines["link_codes"] == 1 and lines["exports"] == 0  # default export_history_days is 400
    assert count(sessions, LinkCode) == 1
