"""The command line: real commands against a SQLite file, one clear line per mistake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from store.models import Role


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def test_summary_run_then_mailbox_list_and_show(env, book, capsys):
    agency = book.agency()
    agent = book.enroller(agency, "Ana", "Agent", license_number="0A12345")
    consumer = book.consumer(agent, case_number="CASE-9")
    book.notice(consumer, datetime(2026, 11, 22, 20, tzinfo=UTC))
    assert main(["summary", "run", "--date", "2026-11-23", "--allow-old"]) == 0
    assert "1 new alerts, 1 digests" in capsys.readouterr().out
    assert main(["summary", "run", "--date", "2026-11-23", "--allow-old"]) == 0
    assert "already done" in capsys.readouterr().out
    assert main(["mailbox", "list", "0A12345", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["subject"] == "Daily Summary - 11/23/2026" and entry["read_at"] is None
    assert main(["mailbox", "show", "0A12345", str(entry["id"])]) == 0
    assert "CASE-9" in capsys.readouterr().out
    assert main(["mailbox", "list", "ana.agent@agency.test"]) == 0
    assert "Daily Summary - 11/23/2026" in capsys.readouterr().out
    assert main(["outbox", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["queued"] == 1


def test_another_persons_message_is_not_found(env, book, capsys):
    agency = book.agency()
    book.enroller(agency, "Ana", "Agent", license_number="0A1")
    book.enroller(agency, "Bo", "Agent", license_number="0A2")
    assert main(["mailbox", "show", "0A2", "1"]) == 2
    assert capsys.readouterr().err.strip() == "bob: error: there is no message 1 in this mailbox"


def test_an_unknown_enroller_is_one_line(env, capsys):
    assert main(["mailbox", "list", "nobody"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no enroller has that license number or email" in err


def test_an_unreachable_database_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BOB_DATABASE_URL", "postgresql+psycopg://bob@127.0.0.1:1/nothing")
    assert main(["summary", "run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "bob: error: cannot reach the database at postgresql+psycopg://bob@127.0.0.1:1/nothing"
    )
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_database_without_schema_says_how_to_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["summary", "run"]) == 2
    assert "run `bob db upgrade`" in capsys.readouterr().err


def test_a_bad_config_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bob.toml"
    bad.write_text("[smtp]\nhots = 1\n")
    assert main(["--config", str(bad), "outbox", "status"]) == 2
    assert (
        capsys.readouterr().err
        == "bob: error: unknown setting smtp.hots; see config.example.toml for the keys\n"
    )


def test_db_upgrade_creates_the_schema_and_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"created bob's database schema in sqlite:///{tmp_path / 'new.db'}\n"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == "database schema is up to date\n"
    assert main(["outbox", "status"]) == 0


def test_bob_people_lists_agencies_enrollers_and_roles(env, book, capsys):
    sunrise = book.agency()
    book.enroller(sunrise, "Ana", "Agent", license_number="0A12345")
    book.enroller(sunrise, "Sue", "Support", role=Role.SUPPORT_STAFF, license_number="0A2", active=False)
    book.enroller(book.agency(code="moonlight", name="Moonlight Health"), "Mia", "Moon", license_number="0B1")
    assert main(["people"]) == 0
    out = capsys.readouterr().out
    assert "sunrise  Sunrise Insurance  (America/Los_Angeles)" in out
    assert "0A12345" in out and "Ana Agent" in out and "Agent Level 1" in out and "Mia Moon" in out
    assert "Support Staff  (inactive)" in out and "@" not in out
    assert main(["people", "--agency", "moonlight", "--json"]) == 0
    [agency] = json.loads(capsys.readouterr().out)
    assert agency["code"] == "moonlight"
    assert agency["enrollers"] == [
        {
            "license_number": "0B1",
            "name": "Mia Moon",
            "role": "agent_l1",
            "role_name": "Agent Level 1",
            "active": True,
        }
    ]
    assert main(["people", "--agency", "nowhere"]) == 2
    assert "no agency has the code 'nowhere'; `bob people` lists them" in capsys.readouterr().err


def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path):
    """`bob people | head`: the pipe closes under the command; it stops with the shell's SIGPIPE
    status and no traceback."""
    program = (
        "import argparse, sys\n"
        "from app.commands import run\n"
        "args = argparse.Namespace(handler='tests.cli_noisy:shout', config=None, verbose=False)\n"
        "sys.exit(run(args))\n"
    )
    env = {**os.environ, "BOB_DATABASE_URL": f"sqlite:///{tmp_path / 'bob.db'}"}
    bob = subprocess.Popen(
        [sys.executable, "-c", program],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert bob.stdout is not None and bob.stdout.readline() == b"line 0 of a long listing\n"
    bob.stdout.close()
    stderr = bob.communicate(timeout=60)[1].decode()
    assert bob.returncode == 141 and "Traceback" not in stderr and stderr.strip() == ""
