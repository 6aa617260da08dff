"""A user's mistake ends in one line on stderr and exit 2, never a traceback, and an export
that could not be delivered is recorded as failed."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.commands import export as export_commands
from app.config import Config, ConfigError, DatabaseConfig, load_config
from app.runtime import Runtime
from app.serve import serve
from bot.settings import SlackConfig
from mailer.settings import MailConfig
from store.models import ExportRecord, ExportStatus
from tests.export_fixtures import NOW, build_people


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("bob: error: ")
    return err


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path, capsys):
    config = tmp_path / "bob.toml"
    config.write_bytes(b'[mail]\ncapture_dir = "caf\xe9"\n')
    assert main(["--config", str(config), "outbox", "status"]) == 2
    assert "is not UTF-8 text" in one_line_error(capsys)


def test_an_unreadable_config_file_is_one_line(tmp_path, capsys, monkeypatch):
    config = tmp_path / "bob.toml"
    config.write_text("[smtp]\n")
    real_read = Path.read_text

    def refuse(path: Path, *args: object, **kwargs: object) -> str:
        if path == config:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    assert main(["--config", str(config), "outbox", "status"]) == 2
    assert "cannot be read (Permission denied)" in one_line_error(capsys)


def test_a_config_that_names_a_folder_is_one_line(tmp_path, capsys):
    assert main(["--config", str(tmp_path), "outbox", "status"]) == 2
    assert "is a folder, not a config file" in one_line_error(capsys)


def test_a_database_url_naming_a_file_that_is_no_database_is_one_line(monkeypatch, tmp_path, capsys):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("these are not the tables you are looking for\n" * 100)
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{not_a_db}")
    assert main(["outbox", "status"]) == 2
    err = one_line_error(capsys)
    assert "is not a database" in err and "database.url" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smtp]\nbatch_size = 0\n", r"smtp\.batch_size = 0 is out of range; use 1 or more"),
        ("[smtp]\nbatch_size = -5\n", r"smtp\.batch_size = -5 is out of range"),
        ("[smtp]\nport = 70000\n", r"smtp\.port = 70000 is out of range; use 1 to 65535"),
        ("[smtp]\ntimeout_seconds = 0\n", r"smtp\.timeout_seconds = 0\.0 is out of range"),
        ("[smtp]\nmax_attempts = 0\n", r"smtp\.max_attempts = 0 is out of range"),
        ("[smtp]\nbackoff_seconds = -1\n", r"smtp\.backoff_seconds = -1\.0 is out of range"),
        ("[smtp]\nconnections = 0\n", r"smtp\.connections = 0 is out of range"),
        ("[smtp]\nlease_seconds = 0\n", r"smtp\.lease_seconds = 0 is out of range"),
        ("[schedule]\ncatch_up_days = -1\n", r"schedule\.catch_up_days = -1 is out of range; use 0 to 366"),
        ("[schedule]\ncatch_up_every_seconds = 0\n", r"schedule\.catch_up_every_seconds = 0 is out"),
        ("[schedule]\noutbox_drain_seconds = 0\n", r"schedule\.outbox_drain_seconds = 0 is out"),
        ("[schedule]\nrun_lease_seconds = 0\n", r"schedule\.run_lease_seconds = 0 is out"),
        ("[slack]\nport = -1\n", r"slack\.port = -1 is out of range; use 0 to 65535"),
        ("[exports]\nexpiry_minutes = 0\n", r"exports\.expiry_minutes = 0 is out of range"),
    ],
)
def test_a_number_out_of_range_is_refused_when_the_config_is_read(tmp_path, text, message):
    config = tmp_path / "bob.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(config, env={})


def test_every_numeric_setting_has_a_range():
    for section in dataclasses.fields(Config):
        for setting in dataclasses.fields(section.default_factory()):  # type: ignore[misc]
            if setting.type in ("int", "float"):
                assert "min" in setting.metadata, f"{section.name}.{setting.name}"


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_mailbox_list_limit_must_be_a_positive_number(env, capsys, limit):
    with pytest.raises(SystemExit) as exited:
        main(["mailbox", "list", "0A1", "--limit", limit])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--limit" in err and "Traceback" not in err


@pytest.fixture
def people(book):
    return build_people(book)


@pytest.fixture
def config_file(tmp_path: Path, db_url: str, monkeypatch) -> Path:
    monkeypatch.setattr(export_commands, "utcnow", lambda: NOW)
    path = tmp_path / "bob.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n[exports]\ndirectory = "{tmp_path}/store"\n')
    return path


def export_to(config_file: Path, out: Path) -> int:
    return main(
        ["--config", str(config_file), "export", "--as", "0A12345", "--show-password", "--out", str(out)]
    )


def export_statuses(sessions) -> list[str]:
    with sessions() as session:
        return [str(status) for status in session.scalars(select(ExportRecord.status))]


def test_export_out_naming_an_existing_file_is_refused_before_it_starts(
    config_file, people, sessions, capsys, tmp_path
):
    existing = tmp_path / "taken.xlsx"
    existing.write_text("mine")
    assert export_to(config_file, existing) == 2
    assert "--out" in one_line_error(capsys)
    assert existing.read_text() == "mine"
    assert export_statuses(sessions) == []


def test_export_out_into_a_read_only_folder_is_refused(
    config_file, people, sessions, capsys, tmp_path, monkeypatch
):
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked)
    assert export_to(config_file, locked) == 2
    assert "cannot write" in one_line_error(capsys)
    assert export_statuses(sessions) == []


def test_an_export_whose_copy_fails_is_recorded_failed(
    config_file, people, sessions, capsys, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_commands.shutil, "copyfileobj", disk_full)
    assert export_to(config_file, out) == 2
    assert "No space left on device" in one_line_error(capsys)
    assert export_statuses(sessions) == ["failed"]
    assert list(out.iterdir()) == [] and list((tmp_path / "store").iterdir()) == []
    with sessions() as session:
        record = session.scalars(select(ExportRecord)).one()
        assert record.status == ExportStatus.FAILED and "No space left" in (record.error or "")


def test_a_second_serve_on_a_port_in_use_is_one_line(db_url, tmp_path, capsys, monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "bob.toml"
        config.write_text(
            f'[database]\nurl = "{db_url}"\n[slack]\nport = {port}\n[mail]\ncapture_dir = "{tmp_path}/mail"\n'
        )
        monkeypatch.setenv("BOB_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("BOB_SLACK_SIGNING_SECRET", "secret")
        assert main(["--config", str(config), "serve"]) == 2
    err = one_line_error(capsys)
    assert f"127.0.0.1:{port} is in use" in err and "slack.port" in err


async def test_serve_stops_its_scheduler_when_the_port_is_taken(db_url, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = dataclasses.replace(
            Config(),
            database=DatabaseConfig(url=db_url),
            mail=MailConfig(capture_dir=str(tmp_path / "mail")),
            slack=SlackConfig(port=taken.getsockname()[1], bot_token="x", signing_secret="y"),
        )
        runtime = Runtime(config)
        try:
            with pytest.raises(Exception, match="is in use"):
                await asyncio.wait_for(serve(runtime, asyncio.Event()), timeout=10)
        finally:
            runtime.close()


def test_a_workbook_of_the_same_name_in_out_fails_the_export_before_it_is_built(
    config_file, people, sessions, capsys, tmp_path
):
    out = tmp_path / "out"
    assert export_to(config_file, out) == 0
    capsys.readouterr()
    assert export_to(config_file, out) == 2
    err = one_line_error(capsys)
    assert "exists already in the --out folder" in err and str(out) in err
    assert sorted(export_statuses(sessions)) == ["failed", "succeeded"]
    with sessions() as session:
        failed = session.scalars(select(ExportRecord).where(ExportRecord.status == ExportStatus.FAILED)).one()
    assert failed.file_path is None and str(tmp_path) not in (failed.error or "")
    assert len(list((tmp_path / "store").iterdir())) == 1
