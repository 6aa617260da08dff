"""`bob serve`'s /healthz, /readyz and /metrics on their own port: readiness flips with the
database, and the metrics parse with prometheus-client's own parser and name no person."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, make_url, text

from app.runtime import Runtime
from app.serve import serve
from bot.settings import SlackConfig
from mailer.agency_clocks import due_business_dates
from mailer.run_ledger import record_first_start
from ops.http import Readiness
from ops.settings import OpsConfig
from store.errors import BobError
from store.models import OutboxEmail, OutboxStatus
from tests.conftest import PG_ADMIN_URL
from tests.fake_slack import FakeSlack, SlackUser
from tests.test_serve import SECRET, config_for, free_port, wait_until

PII = (
    "Zebulon",
    "Quackenbush",
    "987-65-4321",
    "555-0199",
    "zebulon.q@consumer.test",
    "ana.agent@agency.test",
)


async def get(url: str) -> tuple[int, str]:
    async with ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


def samples(metrics_text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, keyed by its name and sorted labels (prometheus-client's parser)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


class Served:
    """`bob serve` running in this loop with [ops] on a free port (and the bot on another)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime, self.stop = runtime, asyncio.Event()
        self.base = f"http://127.0.0.1:{runtime.config.ops.port}"

    async def __aenter__(self) -> Served:
        self.task = asyncio.create_task(serve(self.runtime, self.stop))
        await wait_until_async(lambda: self.get("/healthz"), lambda answer: answer[0] == 200)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=10)
        self.runtime.close()

    async def get(self, path: str) -> tuple[int, str]:
        return await get(self.base + path)


async def wait_until_async(ask, done, timeout: float = 20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            answer = await ask()
            if done(answer):
                return answer
        except OSError:
            pass
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def with_ops(config, port: int | None = None):
    return dataclasses.replace(config, ops=OpsConfig(port=port or free_port()))


async def test_metrics_count_a_served_day_and_name_no_one(book, sessions, db_url, tmp_path):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA")
    consumer = book.consumer(agent, first_name="Zebulon", last_name="Quackenbush", ssn="987-65-4321")
    # Two days back: a date already due alerts it at any hour (yesterday's waits for 06:00 today).
    book.notice(consumer, datetime.now(UTC) - timedelta(days=2))
    record_first_start(sessions, datetime.now(UTC) - timedelta(days=3))
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    slack = SlackConfig(port=port, bot_token="xoxb-test", signing_secret=SECRET, api_base_url=fake.api_url)
    config = with_ops(config_for(db_url, tmp_path, slack))
    due = due_business_dates(datetime.now(UTC), config.schedule.zone, config.schedule.daily_summary_time, 2)
    try:
        async with Served(Runtime(config)) as served:
            before = samples((await served.get("/metrics"))[1])

            def delivered() -> bool:
                with sessions() as s:
                    return s.query(OutboxEmail).filter_by(status=OutboxStatus.SENT).count() == len(due)

            await wait_until(delivered)
            user = SlackUser(f"http://127.0.0.1:{port}/slack/events", fake, SECRET, user_id="U0ANA")
            assert (await user.command("help"))[0] == 200
            assert (await user.command("crw show Quackenbush"))[0] == 200
            status, body = await served.get("/metrics")
    finally:
        await fake.stop()
    assert status == 200
    after = samples(body)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "bob_outbox_emails", status="sent") == len(due)
    assert value(after, "bob_outbox_oldest_queued_seconds") == 0
    assert grew("bob_emails_total", outcome="sent") == len(due)
    assert grew("bob_slack_command_seconds_count", command="help") == 1
    assert grew("bob_slack_command_seconds_count", command="crw") == 1
    assert grew("bob_web_request_seconds_count", route="/slack/events") == 2
    assert value(after, "bob_digests_written_total") >= len(due)
    assert value(after, "bob_daily_summary_seconds_count") >= 1
    assert value(after, "bob_alerts_total", topic="nod_notice") >= 1
    for pii in PII:
        assert pii not in body
    # Labels are bob's own lowercase words (outcomes, topics, commands, routes): never a name,
    # a number, an address or anything a user typed. Other tests in this process add theirs.
    label_values = {v for (name, labels) in after for k, v in labels if name.startswith("bob_") and k != "le"}
    assert {"sent", "help", "crw", "/slack/events", "nod_notice"} <= label_values
    assert all(re.fullmatch(r"[a-z_\-/{}.]+", v) for v in label_values), label_values


async def test_readyz_flips_when_the_schema_is_not_the_newest_and_back(book, db_url, tmp_path):
    runtime = Runtime(with_ops(config_for(db_url, tmp_path)))
    async with Served(runtime) as served:
        assert await served.get("/readyz") == (200, "ready\n")
        with runtime.engine.begin() as conn:
            head = conn.scalar(text("SELECT version_num FROM alembic_version"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        assert await served.get("/readyz") == (503, "schema: not the newest; run `bob db upgrade`\n")
        assert (await served.get("/healthz"))[0] == 200
        with runtime.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        assert (await served.get("/readyz"))[0] == 200


async def test_readyz_fails_when_the_postgresql_database_is_dropped(backend, book, db_url, tmp_path, caplog):
    if backend != "postgresql":
        pytest.skip("a PostgreSQL database is dropped under the running process")
    caplog.set_level(logging.INFO, logger="app.serve")
    runtime = Runtime(with_ops(config_for(db_url, tmp_path)))
    async with Served(runtime) as served:
        await wait_until(lambda: "start-up done" in caplog.text)  # no run is using the database
        assert (await served.get("/readyz"))[0] == 200
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{make_url(db_url).database}" WITH (FORCE)'))
        admin.dispose()
        status, body = await served.get("/readyz")
        assert status == 503 and body.startswith("database: unreachable (") and "postgres" not in body
        assert (await served.get("/healthz"))[0] == 200
        metrics_status, _ = await served.get("/metrics")
        assert metrics_status == 200  # the process's own counters, without the outbox gauges


def test_a_stopped_scheduler_is_not_ready(engine):
    assert Readiness(engine, lambda: False).problems() == ["scheduler: not running"]
    assert Readiness(engine, lambda: True).problems() == []


async def test_an_ops_port_in_use_is_one_line_for_the_operator(book, db_url, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        runtime = Runtime(with_ops(config_for(db_url, tmp_path), port))
        with pytest.raises(BobError, match=rf"127.0.0.1:{port} is in use.*set ops.port"):
            await serve(runtime, asyncio.Event())
        runtime.close()
