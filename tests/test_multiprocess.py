"""Three real `bob serve` processes on one PostgreSQL database. One is SIGKILLed while it holds
a Daily Summary run halfway, another while it is halfway through sending a batch of email;
the survivor finishes both, and every digest and every email still exists exactly once.

The one resend this design allows (claim, send, then log in ``mailer.sender``): an email
the killed process handed to the SMTP server but had not yet logged as sent is sent again
once its lease runs out. The test records those rows at the moment of each kill and accepts a second
copy of exactly those Message-IDs, received after the kill, and of nothing else.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailer.agency_clocks import due_business_dates
from mailer.run_ledger import record_first_start
from mailer.sink import LoopbackController
from rules.access import MANAGER_SUMMARY_RECIPIENTS
from store.db import make_engine, session_factory
from store.models import (
    Delegation,
    DelegationStatus,
    Enroller,
    JobRun,
    MailboxMessage,
    OutboxEmail,
    OutboxStatus,
    RunStatus,
)
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[1]
BOB = str(Path(sys.executable).with_name("bob"))
ZONE = "America/Los_Angeles"
# Measured on the 2-core box: seeding takes ~10-16 s and one business date's run ~3-7 s
# (about 940 digests in two batches), long enough to be caught halfway.
AGENCIES, CONSUMERS, ENROLLERS = 5, 20_000, 1_000
PROCESSES = 3
LEASE_SECONDS = 5
DEADLINE_SECONDS = 90

T = TypeVar("T")


@dataclass
class MessageIdCounter:
    """aiosmtpd handler that accepts everything and notes each Message-ID and when it came."""

    delay_seconds: float = 0.003
    received: list[tuple[str, float]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        # A little latency per message, like a real relay, keeps each batch in flight long
        # enough to be caught halfway.
        await asyncio.sleep(self.delay_seconds)
        content = envelope.original_content or b""
        headers = BytesParser(policy=compat32).parsebytes(content, headersonly=True)
        self.received.append((str(headers["Message-ID"]), time.monotonic()))
        return "250 OK"

    def ids(self) -> set[str]:
        return {message_id for message_id, _ in list(self.received)}


@dataclass
class Kill:
    pid: int
    at: float
    unlogged: set[str]  # Message-IDs the process still held in 'sending' when it died


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema: the test runs `bob db upgrade`)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError:
        admin.dispose()
        pytest.skip(f"PostgreSQL does not answer at {make_url(PG_ADMIN_URL).render_as_string()}")
    name = f"bob_multiprocess_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def child_env(url: str) -> dict[str, str]:
    """The test's environment without any BOB_* setting (no Slack, no stray config)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOB_")}
    return {**env, "BOB_DATABASE_URL": url}


def write_config(folder: Path, smtp_port: int) -> Path:
    path = folder / "bob.toml"
    path.write_text(
        f"""
[schedule]
time_zone = "{ZONE}"
daily_summary_at = "00:00"
catch_up_days = 1
catch_up_every_seconds = 2
outbox_drain_seconds = 1

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from_address = "bob@agency.test"
timeout_seconds = 10.0
batch_size = 50
connections = 2
lease_seconds = {LEASE_SECONDS}

[mail]
capture_dir = "{folder / "mail"}"

[exports]
directory = "{folder / "exports"}"

[slack]
port = 0  # each process serves the web pages on a port of its own
""",
        encoding="utf-8",
    )
    return path


def wait_for(what: str, found: Callable[[], T | None], logs: list[Path]) -> T:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (result := found()) is None:
        if time.monotonic() > deadline:
            tails = "\n".join(f"{log.name}: {log.read_text()[-800:]}" for log in logs)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.02)
    return result


def expected_digests(sessions: sessionmaker[Session]) -> int:
    """Per business date: a Daily Summary for every active enroller with a delegated book,
    and a Daily Manager Summary for every active manager and primary contact."""
    with sessions() as s:
        with_book = s.scalar(
            select(func.count(func.distinct(Delegation.enroller_id)))
            .join(Enroller, Enroller.id == Delegation.enroller_id)
            .where(Delegation.status == DelegationStatus.ACTIVE, Enroller.active.is_(True))
        )
        managers = s.scalar(
            select(func.count()).where(
                Enroller.active.is_(True), Enroller.role.in_(MANAGER_SUMMARY_RECIPIENTS)
            )
        )
    return int(with_book or 0) + int(managers or 0)


def run_in_progress(
    sessions: sessionmaker[Session], pids: set[int], expected: int
) -> tuple[int, str, int] | None:
    """(pid, date, agency) of a live process holding an agency's Daily Summary run that has
    recorded its alerts while some of the date's digests (of every agency, all run by the
    same process) are written and some are not."""
    with sessions() as s:
        runs = s.execute(
            select(JobRun.run_key, JobRun.claimed_by, JobRun.stats, JobRun.agency_id).where(
                JobRun.job == "daily_summary", JobRun.status == RunStatus.RUNNING
            )
        ).all()
        for run_key, claimed_by, stats, agency_id in runs:
            pid = int(claimed_by.rpartition(":")[2])
            if pid not in pids or "alerts" not in (stats or {}):
                continue
            written = s.scalar(
                select(func.count()).where(MailboxMessage.business_date == date.fromisoformat(run_key))
            )
            if 0 < (written or 0) < expected:
                return pid, run_key, agency_id
    return None


def sending_by_pid(sessions: sessionmaker[Session]) -> dict[int, set[str]]:
    """Message-IDs in 'sending', by the pid of the process that claimed them."""
    held: dict[int, set[str]] = {}
    with sessions() as s:
        for claimed_by, message_id in s.execute(
            select(OutboxEmail.claimed_by, OutboxEmail.message_id).where(
                OutboxEmail.status == OutboxStatus.SENDING
            )
        ):
            held.setdefault(int(claimed_by.split(":")[-2]), set()).add(message_id)
    return held


def mid_drain(sessions: sessionmaker[Session], pids: set[int], server: MessageIdCounter) -> int | None:
    """A live process that has sent part of its claimed batch and not yet logged it."""
    received = server.ids()
    for pid, held in sending_by_pid(sessions).items():
        if pid in pids and held & received and held - received:
            return pid
    return None


def all_done(sessions: sessionmaker[Session], days: list[date]) -> bool | None:
    with sessions() as s:
        done = set(
            s.scalars(
                select(JobRun.run_key).where(JobRun.job == "daily_summary", JobRun.status == RunStatus.DONE)
            )
        )
        unsent = s.scalar(select(func.count()).where(OutboxEmail.status != OutboxStatus.SENT))
    return True if {d.isoformat() for d in days} <= done and unsent == 0 else None


def test_killed_serve_processes_leave_every_digest_and_email_exactly_once(fresh_database, tmp_path, request):
    started = time.monotonic()
    env = child_env(fresh_database)

    def bob(*args: str) -> None:
        done = subprocess.run([BOB, *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    bob("db", "upgrade")
    bob(
        "seed",
        "--agencies",
        str(AGENCIES),
        "--consumers",
        str(CONSUMERS),
        "--enrollers",
        str(ENROLLERS),
        "--seed",
        "6",
    )
    engine = make_engine(fresh_database)
    request.addfinalizer(engine.dispose)
    sessions = session_factory(engine)
    per_day = expected_digests(sessions)
    record_first_start(sessions, datetime.now(UTC) - timedelta(days=2))  # serve ran here before: catch up
    days = due_business_dates(datetime.now(UTC), ZoneInfo(ZONE), clock_time(0, 0), 1)
    server = MessageIdCounter()
    controller = LoopbackController(server)
    controller.start()
    config = write_config(tmp_path, controller.port)
    logs = [tmp_path / f"serve-{n}.log" for n in range(PROCESSES)]
    children: dict[int, subprocess.Popen[bytes]] = {}
    kills: list[Kill] = []

    def kill(pid: int) -> None:
        children[pid].send_signal(signal.SIGKILL)
        children[pid].wait()  # reaped: a zombie would still look alive to the run ledger
        unlogged = sending_by_pid(sessions).get(pid, set())
        kills.append(Kill(pid, time.monotonic(), unlogged))

    try:
        for log in logs:
            with log.open("wb") as out:
                child = subprocess.Popen(
                    [BOB, "--config", str(config), "serve"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            children[child.pid] = child

        def alive() -> set[int]:
            return {pid for pid, child in children.items() if child.poll() is None}

        holder, day, holding = wait_for(
            "a Daily Summary run halfway", lambda: run_in_progress(sessions, alive(), per_day), logs
        )
        kill(holder)
        drainer = wait_for("a drain halfway", lambda: mid_drain(sessions, alive(), server), logs)
        kill(drainer)
        wait_for("every run done and every email sent", lambda: all_done(sessions, days), logs)
        assert len(alive()) == PROCESSES - 2
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        controller.stop()

    with sessions() as s:
        taken_over = s.execute(
            select(JobRun.claimed_by, JobRun.attempts).where(
                JobRun.run_key == day, JobRun.agency_id == holding
            )
        ).one()
        assert taken_over.attempts >= 2
        assert int(taken_over.claimed_by.rpartition(":")[2]) != holder
        digest_key = (MailboxMessage.business_date, MailboxMessage.recipient_id, MailboxMessage.kind)
        digests = s.execute(select(*digest_key, func.count()).group_by(*digest_key)).all()
        assert all(count == 1 for *_, count in digests)
        per_date = Counter(business_date for business_date, *_ in digests)
        assert per_date == {d: per_day for d in days}
        outbox = s.execute(select(OutboxEmail.message_id, OutboxEmail.status)).all()
    assert len(outbox) == per_day * len(days)
    assert {status for _, status in outbox} == {OutboxStatus.SENT}

    copies = Counter(message_id for message_id, _ in server.received)
    assert set(copies) == {message_id for message_id, _ in outbox}
    resent = {message_id for message_id, count in copies.items() if count > 1}
    window = set().union(*(k.unlogged for k in kills))
    assert resent <= window, "an email was sent twice outside a killed process's unlogged batch"
    assert all(copies[message_id] == 2 for message_id in resent)
    last_kill = {m: k.at for k in kills for m in k.unlogged}
    second_copy = {m: max(at for mid, at in server.received if mid == m) for m in resent}
    assert all(second_copy[m] > last_kill[m] for m in resent)
    print(
        f"\n{PROCESSES} processes, {len(days)} business dates x {per_day} digests; "
        f"killed run holder {holder} ({day}) and drainer {drainer}; "
        f"{len(window)} emails unlogged at the kills, {len(resent)} of them sent again; "
        f"{time.monotonic() - started:.1f} s"
    )
