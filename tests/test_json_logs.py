"""`logging.format = "json"`: every line parses as one JSON object with time, level, logger,
event (and run_id inside a run), and a served day's lines hold none of the book's PII."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from app.commands.serve import serve_logging
from app.config import ConfigError, load_config
from app.runtime import Runtime
from app.serve import serve
from bot.settings import SlackConfig
from mailer.run_ledger import record_first_start
from ops.json_logs import JsonLines
from store.log_context import working_on
from tests.fake_slack import FakeSlack, SlackUser
from tests.test_serve import SECRET, config_for, free_port, wait_until

PII = {
    "first_name": "Zebulon",
    "last_name": "Quackenbush",
    "ssn": "987-65-4321",
    "date_of_birth": date(1961, 7, 14),
    "primary_phone": "(916) 555-0199",
    "email": "zebulon.q@consumer.test",
    "annual_income_cents": 7_654_321,
}


def test_a_line_is_one_object_with_its_run_and_only_the_type_of_an_error():
    record = logging.LogRecord("mailer.sender", logging.ERROR, __file__, 1, "drain failed: %s", ("x",), None)
    try:
        raise ValueError("Zebulon Quackenbush 987-65-4321")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    with working_on("daily_summary:2026-11-30"):
        line = JsonLines().format(record)
    assert "\n" not in line and "Zebulon" not in line
    parsed = json.loads(line)
    assert parsed == {
        "time": parsed["time"],
        "level": "error",
        "logger": "mailer.sender",
        "event": "drain failed: x",
        "run_id": "daily_summary:2026-11-30",
        "error": "ValueError",
    }
    assert datetime.fromisoformat(parsed["time"]).tzinfo is not None


def test_the_format_is_text_or_json(tmp_path):
    path = tmp_path / "bob.toml"
    path.write_text('[logging]\nformat = "xml"\n')
    with pytest.raises(ConfigError, match=r"logging\.format = 'xml'; choose one of \['json', 'text'\]"):
        load_config(path, env={})


@pytest.fixture
def json_log():
    """`bob serve -v`'s logging (the libraries' INFO lines too) into JSON lines in memory."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in ("", "apscheduler", "mail.log")}
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    serve_logging(verbose=True)
    yield stream
    root.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_a_served_day_logs_json_lines_without_pii(book, sessions, db_url, tmp_path, json_log):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA")
    consumer = book.consumer(agent, **PII)
    # Two days back: a date already due alerts it at any hour (yesterday's waits for 06:00 today).
    book.notice(consumer, datetime.now(UTC) - timedelta(days=2))
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    slack = SlackConfig(port=port, bot_token="xoxb-test", signing_secret=SECRET, api_base_url=fake.api_url)
    runtime = Runtime(config_for(db_url, tmp_path, slack))
    record_first_start(sessions, datetime.now(UTC) - timedelta(days=3))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop))
    try:
        await wait_until(lambda: "outbox: sent" in json_log.getvalue())
        user = SlackUser(f"http://127.0.0.1:{port}/slack/events", fake, SECRET, user_id="U0ANA")
        assert (await user.command("mailbox"))[0] == 200
        assert (await user.command("crw show CASE-NOPE"))[0] == 200
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        runtime.close()
        await fake.stop()
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) > 5 and all({"time", "level", "logger", "event"} <= line.keys() for line in lines)
    assert any(line.get("run_id", "").startswith("daily_summary:") for line in lines)
    text = json_log.getvalue()
    for value in (*PII.values(), "ana.agent@agency.test", "7654321", "76543.21", "9876", "555-0199"):
        shown = value.isoformat() if isinstance(value, date) else str(value)
        assert shown not in text, shown


async def test_each_http_request_tags_its_log_lines_with_its_own_id():
    """A line logged while serving a request (on the loop or in a worker thread) carries a
    request id, different for each request; a line outside any request carries none."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from app.http_server import tag_requests

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("bob.test.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    async def page(request: web.Request) -> web.Response:
        logger.info("on the loop")
        await asyncio.to_thread(logger.info, "in a thread")
        return web.Response(text="ok")

    application = web.Application(middlewares=[tag_requests])
    application.router.add_get("/", page)
    client = TestClient(TestServer(application))
    await client.start_server()
    try:
        for _ in range(2):
            assert (await client.get("/")).status == 200
    finally:
        await client.close()
    logger.info("outside")
    logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ids = [line.get("run_id") for line in lines]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert all(str(i).startswith("request:") for i in ids[:4]) and ids[4] is None
