"""`bob doctor`: one line per check, ok or FAIL with the fix, and it changes and sends nothing."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from sqlalchemy import text

import ops.doctor
from app.config import Config, DatabaseConfig, ExportsConfig, MailConfig
from app.runtime import Runtime
from bot.settings import SlackConfig
from mailer.settings import SmtpConfig
from ops.doctor import database_checks, disk_check, permission_checks, slack_check, smtp_check
from ops.schema import head_revision
from tests.fake_slack import FakeSlack
from tests.smtp_helpers import LOGIN, RecordingHandler, free_port, make_certificate, smtp_server


def runtime_for(db_url: str, tmp_path: Path, **sections) -> Runtime:
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        mail=MailConfig(capture_dir=str(tmp_path / "mail")),
        exports=ExportsConfig(directory=str(tmp_path / "exports")),
        **sections,
    )
    return Runtime(config)


@pytest.fixture
def tls(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def login(port: int, password: str = LOGIN[1]) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=port, username=LOGIN[0], password=password, timeout_seconds=2.0)


async def test_smtp_connects_starts_tls_and_logs_in_without_sending(db_url, tmp_path, tls):
    handler = RecordingHandler()
    with smtp_server(handler, tls) as server:
        good = await smtp_check(runtime_for(db_url, tmp_path, smtp=login(server.port)), tls.client_context())
        bad = runtime_for(db_url, tmp_path, smtp=login(server.port, "wrong"))
        refused = await smtp_check(bad, tls.client_context())
    assert (
        good.ok
        and good.line()
        == f"ok    smtp         127.0.0.1:{server.port} connected, STARTTLS, logged in as {LOGIN[0]}"
    )
    assert handler.received == []
    assert not refused.ok and "refused the login" in refused.found and "wrong" not in refused.line()
    assert refused.line().endswith("(and BOB_SMTP_PASSWORD)")


async def test_an_smtp_server_that_does_not_answer_fails_in_one_line(db_url, tmp_path):
    closed = runtime_for(db_url, tmp_path, smtp=login(free_port()))
    check = await smtp_check(closed)
    assert not check.ok and "\n" not in check.line() and "cannot reach the SMTP server" in check.found


async def test_slack_token_and_scopes_are_checked_with_auth_test(db_url, tmp_path):
    fake = FakeSlack()
    await fake.start()
    slack = SlackConfig(bot_token="xoxb-test", api_base_url=fake.api_url)
    runtime = runtime_for(db_url, tmp_path, slack=slack)
    try:
        assert (await slack_check(runtime)).ok
        fake.scopes = ["commands", "chat:write"]
        lacking = await slack_check(runtime)
        fake.fail("auth.test", "invalid_auth")
        refused = await slack_check(runtime)
    finally:
        await fake.stop()
    assert (
        not lacking.ok and lacking.found == "the bot token lacks the scopes files:write, im:history, im:write"
    )
    assert "OAuth & Permissions" in lacking.fix
    assert not refused.ok and "invalid_auth" in refused.found and "xoxb" not in refused.line()
    assert {call.method for call in fake.calls} == {"auth.test"}


async def test_without_a_slack_token_the_check_says_bob_runs_as_a_mailer(db_url, tmp_path):
    check = await slack_check(runtime_for(db_url, tmp_path))
    assert check.ok and "mailer only" in check.found


def test_a_schema_behind_the_code_asks_for_bob_db_upgrade(db_url, tmp_path):
    runtime = runtime_for(db_url, tmp_path)
    checks, _ = database_checks(runtime)
    assert [c.ok for c in checks] == [True, True]
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    _, schema = database_checks(runtime)[0]
    runtime.close()
    assert not schema.ok
    head = head_revision(runtime.engine)
    assert (
        schema.line()
        == f"FAIL  schema       at revision 0001, this bob expects {head}; fix: run `bob db upgrade`"
    )


def test_an_unreachable_database_is_one_failed_check(tmp_path):
    runtime = runtime_for(f"postgresql+psycopg://bob@127.0.0.1:{free_port()}/bob", tmp_path)
    [check], engine = database_checks(runtime)
    assert engine is None and not check.ok and "cannot reach the database" in check.found


def test_files_others_can_read_fail_with_the_chmod_that_fixes_them(backend, db_url, tmp_path):
    if backend != "sqlite":
        pytest.skip("PostgreSQL keeps no database file here")
    runtime = runtime_for(db_url, tmp_path)
    database = Path(db_url.removeprefix("sqlite:///"))
    (tmp_path / "exports").mkdir(mode=0o700)
    assert all(check.ok for check in permission_checks(runtime))
    os.chmod(database, 0o644)
    exports = tmp_path / "exports"
    os.chmod(exports, 0o755)
    failures = [check.line() for check in permission_checks(runtime) if not check.ok]
    assert failures == [
        f"FAIL  permissions  {database} is 644: others may read it; fix: chmod 600 {database}",
        f"FAIL  permissions  {exports} is 755: others may read it; fix: chmod 700 {exports}",
    ]


def test_too_little_free_disk_for_exports_fails(db_url, tmp_path, monkeypatch):
    runtime = runtime_for(db_url, tmp_path)
    assert disk_check(runtime).ok
    monkeypatch.setattr(ops.doctor, "MIN_FREE_BYTES", 1 << 60)
    check = disk_check(runtime)
    assert not check.ok and "GiB free for exports in" in check.found and "exports.directory" in check.fix


def test_bob_doctor_prints_one_line_per_check_and_fails_when_one_does(cli_at, tmp_path, capsys, monkeypatch):
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 30, 14, tzinfo=UTC)
    assert cli_at(moment, "doctor") == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:-1]][:5] == ["config", "database", "schema", "smtp", "slack"]
    assert all(line.startswith("ok ") for line in out[:-1]) and out[-1].startswith("all ")
    monkeypatch.setenv("BOB_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setattr(ops.doctor.AsyncWebClient, "BASE_URL", f"http://127.0.0.1:{free_port()}/api/")
    assert cli_at(moment, "doctor") == 1
    out = capsys.readouterr().out
    assert "FAIL  slack        Slack cannot be reached" in out and out.endswith("checks failed\n")
