"""`bob serve` end to end: catch-up on start, the outbox drained over SMTP, the bot answering
signed requests, and a clean stop."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import socket
from datetime import UTC, datetime, timedelta

from aiohttp import ClientSession
from sqlalchemy import func, select

from app.commands.serve import serve_logging
from app.config import Config, DatabaseConfig, ScheduleConfig
from app.runtime import Runtime
from app.serve import serve
from bot.settings import SlackConfig
from mailer.agency_clocks import due_business_dates
from mailer.run_ledger import record_first_start
from mailer.settings import MailConfig
from store.models import JobRun, MailboxMessage, OutboxEmail, OutboxStatus, RunStatus
from tests.fake_slack import FakeSlack, SlackUser

SECRET = "test-signing-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_for(db_url: str, tmp_path, slack: SlackConfig | None = None) -> Config:
    return dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        schedule=ScheduleConfig(catch_up_days=2),
        mail=MailConfig(capture_dir=str(tmp_path / "mail")),
        slack=slack or SlackConfig(port=0),
    )


async def wait_until(check, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(check):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_serve_catches_up_drains_and_answers_slack(book, sessions, db_url, tmp_path, caplog):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA")
    consumer = book.consumer(agent)
    # Two days back: a date already due alerts it at any hour (yesterday's waits for 06:00 today).
    book.notice(consumer, datetime.now(UTC) - timedelta(days=2))
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    config = config_for(
        db_url,
        tmp_path,
        SlackConfig(port=port, bot_token="xoxb-test", signing_secret=SECRET, api_base_url=fake.api_url),
    )
    record_first_start(sessions, datetime.now(UTC) - timedelta(days=3))  # serve ran here before
    runtime = Runtime(config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop))
    due = due_business_dates(datetime.now(UTC), config.schedule.zone, config.schedule.daily_summary_time, 2)

    def delivered() -> bool:
        with sessions() as s:
            sent = s.scalar(select(func.count()).where(OutboxEmail.status == OutboxStatus.SENT))
            return sent == len(due)

    try:
        await wait_until(delivered)
        user = SlackUser(f"http://127.0.0.1:{port}/slack/events", fake, SECRET, user_id="U0ANA")
        status, reply = await user.command("help")
        assert status == 200 and "/bob export" in reply
        status, page = await fetch(f"http://127.0.0.1:{port}/signin")  # the web pages share the port
        assert status == 200 and "Email me a sign-in link" in page
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        runtime.close()
        await fake.stop()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(MailboxMessage)) == len(due)
        assert set(s.scalars(select(JobRun.status))) == {RunStatus.DONE}
    assert len(list((tmp_path / "mail").glob("*.eml"))) == len(due)
    assert "Slack is not configured" not in caplog.text


async def fetch(url: str) -> tuple[int, str]:
    async with ClientSession() as http, http.get(url, allow_redirects=False) as response:
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        return response.status, await response.text()


async def test_serve_without_slack_runs_the_mailer_and_the_web_pages(book, db_url, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    runtime = Runtime(config_for(db_url, tmp_path))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop))
    await wait_until(lambda: "web mailbox at" in caplog.text)
    mailbox = re.search(r"web mailbox at (http://127\.0\.0\.1:\d+/mailbox)", caplog.text).group(1)
    status, page = await fetch(mailbox.replace("/mailbox", "/signin"))
    assert status == 200 and "Email me a sign-in link" in page
    assert (await fetch(mailbox))[0] == 303  # signed out: to the sign-in page
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    runtime.close()
    assert "Slack is not configured (BOB_SLACK_BOT_TOKEN): running the mailer and the web pages only" in (
        caplog.text
    )
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("app", "mailer", "bot")]
    assert "emails are captured as .eml files" in caplog.text and "bob serve started" in caplog.text
    assert ours and all(r.levelno == logging.INFO for r in ours)  # normal events are no warnings


def test_serve_shows_its_own_events_and_hides_library_chatter_unless_verbose():
    names = ("", "apscheduler", "mail.log")
    saved = {name: logging.getLogger(name).level for name in names}
    try:
        serve_logging(verbose=False)
        assert logging.getLogger("app.serve").isEnabledFor(logging.INFO)
        assert logging.getLogger("mailer.scheduler").isEnabledFor(logging.INFO)
        assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
        assert not logging.getLogger("mail.log").isEnabledFor(logging.INFO)
        serve_logging(verbose=True)
        assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def test_a_first_serve_on_a_fresh_book_sends_no_back_dated_summaries(book, sessions, db_url, tmp_path):
    agency = book.agency()
    book.consumer(book.enroller(agency, "Ana", "Agent"))
    config = dataclasses.replace(config_for(db_url, tmp_path), schedule=ScheduleConfig(catch_up_days=7))
    runtime = Runtime(config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop))
    await wait_until(lambda: _count(sessions, JobRun) >= 1)  # the first start is recorded
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    runtime.close()
    schedule = config.schedule
    now = datetime.now(UTC)
    today_is_due = due_business_dates(now, schedule.zone, schedule.daily_summary_time, 0) != []
    assert _count(sessions, MailboxMessage) == (1 if today_is_due else 0)
    with sessions() as s:
        assert s.scalars(select(JobRun.job).order_by(JobRun.id)).first() == "serve"


def _count(sessions, table) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(table)))
