"""Files holding PII are the owner's alone: the SQLite database with its -wal/-shm files, the
folders bob creates for it, captured emails and the exports folder (issue 13, point 3)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import main
from mailer.sink import CaptureHandler
from store.db import make_engine


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common default umask, under which a plain file is created 0644 and a folder 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOB_DATABASE_URL", raising=False)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    return tmp_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_upgrade_makes_the_database_and_its_folder_owner_only(in_empty_folder, monkeypatch):
    monkeypatch.setenv("BOB_DATABASE_URL", "sqlite:///var/data/bob.db")
    assert main(["db", "upgrade"]) == 0
    assert mode(in_empty_folder / "var") == mode(in_empty_folder / "var/data") == 0o700
    assert mode(in_empty_folder / "var/data/bob.db") == 0o600


def test_seed_makes_a_new_database_owner_only(in_empty_folder, monkeypatch):
    monkeypatch.setenv("BOB_DATABASE_URL", "sqlite:///var/bob.db")
    assert main(["seed", "--agencies", "1", "--consumers", "20"]) == 0
    assert mode(in_empty_folder / "var") == 0o700
    assert mode(in_empty_folder / "var/bob.db") == 0o600


def test_the_wal_and_shm_files_are_owner_only_while_bob_writes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bob.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE consumers (name TEXT)"))
            conn.execute(text("INSERT INTO consumers VALUES ('Alicia Ramos')"))
            assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
            files = [tmp_path / name for name in ("bob.db", "bob.db-wal", "bob.db-shm")]
            assert {name.name: mode(name) for name in files} == dict.fromkeys(
                ("bob.db", "bob.db-wal", "bob.db-shm"), 0o600
            )
    finally:
        engine.dispose()


def test_a_database_an_older_bob_left_readable_is_tightened(tmp_path):
    for name in ("bob.db", "bob.db-wal", "bob.db-shm"):
        (tmp_path / name).touch(mode=0o644)
    make_engine(f"sqlite:///{tmp_path / 'bob.db'}").dispose()
    assert [mode(tmp_path / name) for name in ("bob.db", "bob.db-wal", "bob.db-shm")] == [0o600] * 3


def test_demo_keeps_its_database_and_captured_mail_owner_only(in_empty_folder):
    assert main(["demo", "--agencies", "1", "--consumers", "50", "--days", "1"]) == 0
    var = in_empty_folder / "var"
    assert mode(var) == mode(var / "mail") == 0o700
    assert mode(var / "demo.db") == 0o600
    emails = list((var / "mail").glob("*.eml"))
    assert emails and {mode(path) for path in emails} == {0o600}


def test_a_captured_email_and_its_new_folder_are_owner_only(tmp_path):
    written = CaptureHandler(tmp_path / "mail" / "captured").write(b"Message-ID: <a@b>\r\n\r\nhi\r\n")
    assert mode(written) == 0o600
    assert mode(tmp_path / "mail") == mode(tmp_path / "mail" / "captured") == 0o700
