"""`bob demo` works from an empty folder: seeds, runs, sends over SMTP, prints what to try."""

from __future__ import annotations

import shlex
from email import message_from_bytes
from email.policy import default

from sqlalchemy import create_engine, func, select

from app.cli import main
from store.models import Enroller, Role


def test_demo_runs_end_to_end_in_an_empty_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOB_DATABASE_URL", raising=False)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    assert main(["demo", "--agencies", "1", "--consumers", "300", "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert "1. seeded 1 agencies" in out
    assert out.count("digests delivered to mailboxes") == 2
    assert "failed: 0" in out and "Try next:" in out
    emails = sorted((tmp_path / "var/mail").glob("*.eml"))
    sent = int(out.split("sent: ")[1].split()[0])
    assert sent > 0 and len(emails) == sent
    message = message_from_bytes(emails[0].read_bytes(), policy=default)
    assert "Daily" in message["Subject"] and message["Message-ID"].startswith("<")
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    # Running it again replaces the demo database instead of failing on the old rows, and the
    # previous demo's .eml files instead of piling up copies; other captured mail stays.
    mine = tmp_path / "var/mail/not-from-the-demo.eml"
    mine.write_bytes(emails[0].read_bytes())
    assert main(["demo", "--agencies", "1", "--consumers", "300", "--days", "1"]) == 0
    out = capsys.readouterr().out
    sent_again = int(out.split("sent: ")[1].split()[0])
    again = sorted((tmp_path / "var/mail").glob("*.eml"))
    assert len(again) == sent_again + 1 and mine in again
    assert not any(".1.eml" in path.name for path in again)


def test_every_try_next_command_works_on_the_demo_people(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOB_DATABASE_URL", raising=False)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    assert main(["demo"]) == 0
    steps = capsys.readouterr().out.split("Try next:\n")[1].splitlines()
    engine = create_engine("sqlite:///var/demo.db")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(Enroller.role == Role.SUPPORT_STAFF)) >= 1
    engine.dispose()
    commands = [shlex.split(step.split(".venv/bin/bob ", 1)[1]) for step in steps]
    assert {words[0] for words in commands} >= {
        "people",
        "mailbox",
        "crw",
        "export",
        "help-request",
        "outbox",
    }
    monkeypatch.setenv("BOB_DATABASE_URL", "sqlite:///var/demo.db")
    for words in commands:
        assert main(words) == 0, words
        assert capsys.readouterr().err == "", words
