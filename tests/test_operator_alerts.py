"""Operators are told once per incident and once when it clears, by email through the outbox
and in their Slack channel, over simulated outages with a real SMTP server and the fake Slack."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.config import Config, DatabaseConfig, MailConfig
from app.runtime import Runtime
from app.serve import ServedJobs
from bot.settings import SlackConfig
from mailer.daily_summary import JOB, run_daily_summary
from mailer.run_ledger import claim_agencies, finish, record_first_start
from mailer.sender import DrainResult
from mailer.settings import SmtpConfig
from mailer.smtp import SessionFault
from ops.alerting import OperatorAlerts
from ops.monitor import Monitor
from ops.settings import OpsConfig
from store.models import ExportRecord, ExportScope, ExportStatus, Incident, JobRun
from store.outbox import QueuedEmail, queue_emails
from tests.fake_slack import FakeSlack
from tests.smtp_helpers import RecordingHandler, free_port, smtp_server

OPERATORS = ("ops@agency.test", "oncall@agency.test")
PII = ("Zebulon", "Quackenbush", "987-65-4321", "zebulon.q@consumer.test")
# 2026-11-30 06:00 in Los Angeles is 14:00 UTC; the grace is 60 minutes.
DAY = date(2026, 11, 30)
LATE = datetime(2026, 11, 30, 15, 5, tzinfo=UTC)


@pytest.fixture
async def slack():
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def smtp_at(port: int) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1", port=port, security="none", from_address="bob@agency.test", timeout_seconds=2
    )


@pytest.fixture
def runtimes():
    """Runtimes the test builds, closed (their pooled connections returned) at its end."""
    made: list[Runtime] = []
    yield made
    for runtime in made:
        runtime.close()


def runtime_for(db_url: str, tmp_path, fake: FakeSlack, made: list[Runtime], **ops) -> Runtime:
    made.append(
        runtime := Runtime(
            dataclasses.replace(
                Config(),
                database=DatabaseConfig(url=db_url),
                mail=MailConfig(capture_dir=str(tmp_path / "mail")),
                smtp=smtp_at(free_port()),
                slack=SlackConfig(bot_token="xoxb-test", api_base_url=fake.api_url),
                ops=OpsConfig(alert_emails=", ".join(OPERATORS), alert_slack_channel="C0OPS", **ops),
            )
        )
    )
    return runtime


def posts(fake: FakeSlack) -> list[str]:
    return [
        call.params["text"] for call in fake.named("chat.postMessage") if call.params["channel"] == "C0OPS"
    ]


def monitor_at(runtime: Runtime, moment: list[datetime]) -> Monitor:
    config = runtime.config
    clock = lambda: moment[0]  # noqa: E731 - the test moves it
    alerts = OperatorAlerts(runtime.sessions, config.ops, config.slack, config.smtp.from_address, clock=clock)
    return Monitor(runtime, alerts, clock=clock)


async def test_an_smtp_outage_is_told_once_on_slack_then_its_recovery_by_both_paths(
    book, sessions, db_url, tmp_path, slack, runtimes
):
    book.consumer(book.enroller(book.agency(), "Ana", "Agent"), first_name="Zebulon", last_name="Quackenbush")
    with sessions.begin() as s:
        queue_emails(
            s,
            [QueuedEmail("digest-1", "ana.agent@agency.test", "Daily Summary", "counts")],
            "bob@agency.test",
        )
    runtime = runtime_for(db_url, tmp_path, slack, runtimes)
    down = ServedJobs(runtime, smtp_at(free_port()))  # nothing listens there
    for _ in range(3):  # three drains a minute apart, one incident
        with pytest.raises(SessionFault, match="cannot reach the SMTP server"):
            await down.drain()
    [alert] = posts(slack)
    assert alert.startswith(":rotating_light: bob alert: email cannot be sent") and "bob doctor" in alert
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        up = ServedJobs(runtime, smtp_at(server.port))
        await up.drain()  # the digest and the queued alert emails go; the incident clears
        await up.drain()  # the recovery emails go
        await up.drain()
    assert len(posts(slack)) == 2 and posts(slack)[1].startswith(
        ":white_check_mark: bob recovered: email cannot"
    )
    for operator in OPERATORS:
        subjects = [m["Subject"] for m in handler.messages_to(operator)]
        assert subjects == [
            "bob alert: email cannot be sent: the SMTP server refuses bob",
            "bob recovered: email cannot be sent: the SMTP server refuses bob",
        ]
        for message in handler.messages_to(operator):
            body = message.as_string()
            assert not any(pii in body for pii in PII)
    with sessions() as s:
        [incident] = s.scalars(select(Incident)).all()
    assert incident.topic == "smtp_session" and incident.cleared_at is not None


async def test_a_failed_daily_summary_is_told_once_and_cleared_when_the_date_is_run(
    book, sessions, db_url, tmp_path, slack, runtimes, delivery
):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    runtime = runtime_for(db_url, tmp_path, slack, runtimes)
    record_first_start(sessions, LATE - timedelta(days=3))
    [run] = claim_agencies(
        sessions, JOB, DAY.isoformat(), [agency], timedelta(minutes=5), LATE - timedelta(hours=1)
    )
    finish(sessions, run, {}, error="OperationalError")
    moment = [LATE]
    monitor = monitor_at(runtime, moment)
    slack.fail("chat.postMessage")  # Slack is down too: the email path still carries it
    await monitor.check_daily_summary()
    await monitor.check_daily_summary()
    with sessions() as s:
        [incident] = s.scalars(select(Incident)).all()
    assert (
        incident.detail == "the Daily Summary of 2026-11-30 for Sunrise Insurance failed (OperationalError)"
    )
    assert _queued_to_operators(sessions) == {("raised", op) for op in OPERATORS}
    slack.failures.clear()
    assert run_daily_summary(sessions, DAY, delivery).ran  # the run's takeover finishes the date
    moment[0] += timedelta(minutes=1)
    await monitor.check_daily_summary()
    await monitor.check_daily_summary()
    alert, recovery = posts(slack)  # the alert was tried once while Slack refused it
    assert "failed (OperationalError)" in alert and "recovered: a Daily Summary has not finished" in recovery
    assert _queued_to_operators(sessions) == {
        (state, op) for op in OPERATORS for state in ("raised", "cleared")
    }


def _queued_to_operators(sessions) -> set[tuple[str, str]]:
    from store.models import OutboxEmail

    with sessions() as s:
        keys = s.scalars(select(OutboxEmail.message_key).where(OutboxEmail.message_key.like("ops:%")))
        return {(key.split(":")[2], key.split(":")[3]) for key in keys}


async def test_a_daily_summary_not_run_by_its_grace_is_late_but_never_before_bob_first_ran(
    book, sessions, db_url, tmp_path, slack, runtimes
):
    book.agency()
    book.agency("moonlight", "Moonlight Health", tz="America/New_York")
    runtime = runtime_for(db_url, tmp_path, slack, runtimes)
    moment = [LATE]
    monitor = monitor_at(runtime, moment)
    await monitor.check_daily_summary()
    assert posts(slack) == []  # a fresh database: nothing is due
    record_first_start(sessions, LATE - timedelta(days=3))
    moment[0] = LATE - timedelta(minutes=10)  # within the grace: still 2026-11-29's turn, not run either
    await monitor.check_daily_summary()
    [late] = posts(slack)
    assert "has not finished" in late
    with sessions() as s:
        assert s.scalars(select(Incident.detail)).one() == (
            "the Daily Summary of 2026-11-29 for Sunrise Insurance has not finished 60 minutes"
            " after 06:00 America/Los_Angeles (and 1 more agency)"
        )
        assert s.scalars(select(JobRun)).all()[0].job == "serve"


def _failed_export(agent: int, at: datetime) -> ExportRecord:
    return ExportRecord(
        token=f"t{at.timestamp()}",
        requested_by_id=agent,
        requested_via="slack",
        agency_id=1,
        scope=ExportScope.AGENT,
        status=ExportStatus.FAILED,
        requested_at=at,
        finished_at=at,
        error="the disk is full",
    )


async def test_repeated_export_failures_and_email_failures_are_each_one_incident(
    book, sessions, db_url, tmp_path, slack, runtimes
):
    agent = book.enroller(book.agency(), "Ana", "Agent")
    runtime = runtime_for(db_url, tmp_path, slack, runtimes, export_failures=3, email_failures=10)
    moment = [LATE]
    monitor = monitor_at(runtime, moment)
    with sessions.begin() as s:
        s.add_all([_failed_export(agent, LATE - timedelta(minutes=n)) for n in (1, 2, 3)])
    await monitor.check_exports()
    await monitor.check_exports()
    await monitor.drained(DrainResult(failed=6))
    await monitor.drained(DrainResult(failed=6))
    await monitor.drained(DrainResult(failed=1))
    assert [p.split(":")[2].split(". ")[0] for p in posts(slack)] == [
        " bob alert",
        " bob alert",
    ]
    assert "3 exports failed in 60 minutes" in posts(slack)[0]
    assert "12 emails failed in 60 minutes" in posts(slack)[1]
    moment[0] += timedelta(minutes=61)
    await monitor.check_exports()
    await monitor.drained(DrainResult(sent=5))
    await monitor.drained(DrainResult(sent=5))
    recovered = [p for p in posts(slack) if "recovered" in p]
    assert len(recovered) == 2 and len(posts(slack)) == 4


async def test_a_slack_token_missing_scopes_is_told_by_email_and_cleared_when_granted(
    book, sessions, db_url, tmp_path, slack, runtimes
):
    runtime = runtime_for(db_url, tmp_path, slack, runtimes)
    moment = [LATE]
    monitor = monitor_at(runtime, moment)
    slack.scopes = "commands,im:write,im:history,files:write"
    await monitor.check_slack()
    await monitor.check_slack()  # within the hour: not asked again
    assert len(slack.named("auth.test")) == 1
    with sessions() as s:
        assert s.scalars(select(Incident.detail)).one() == "the bot token lacks the scopes chat:write"
    slack.scopes = "commands,chat:write,im:write,im:history,files:write"
    moment[0] += timedelta(hours=1)
    await monitor.check_slack()
    assert _queued_to_operators(sessions) == {
        (state, op) for op in OPERATORS for state in ("raised", "cleared")
    }


async def test_bob_serve_with_smtp_down_keeps_serving_and_tells_the_channel_once(
    book, sessions, db_url, tmp_path, slack, runtimes, caplog
):
    import asyncio
    import logging

    from app.serve import serve

    caplog.set_level(logging.INFO, logger="app.serve")
    book.consumer(book.enroller(book.agency(), "Ana", "Agent"))
    with sessions.begin() as s:
        queue_emails(
            s,
            [QueuedEmail("digest-1", "ana.agent@agency.test", "Daily Summary", "counts")],
            "bob@agency.test",
        )
    runtime = runtime_for(db_url, tmp_path, slack, runtimes)  # its smtp.port has no server
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop, with_bot=False))  # Slack for the alert only
    try:
        await slack.wait_for(lambda: "start-up done" in caplog.text)
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    [alert] = posts(slack)
    assert "email cannot be sent" in alert and "outbox drain on start failed: cannot reach" in caplog.text
