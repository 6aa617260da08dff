"""`bob demo` works from an empty folder: seeds, runs, sends over SMTP, prints what to try."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import socket
import sys
from email import message_from_bytes
from email.policy import default

from aiohttp import ClientConnectionError, ClientSession, CookieJar
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


async def test_demo_serve_prints_a_link_that_opens_the_manager_digest(tmp_path):
    """`bob demo --serve`: one command, then a browser signs in with the printed link."""
    port = free_port()
    (tmp_path / "bob.toml").write_text(f"[slack]\nport = {port}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOB_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "demo", "--serve", "--agencies", "1", "--consumers", "200",
        "--days", "1", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        link = await asyncio.wait_for(_printed_link(process), timeout=120)
        assert link.startswith(f"http://127.0.0.1:{port}/signin/link?token=")
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            page = await _when_served(browser, link)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            form = {"csrf_token": token, "token": link.split("token=")[1]}
            async with browser.post(link.split("?")[0], data=form) as digest:
                html = await digest.text()
                assert digest.status == 200 and "Daily Manager Summary" in html
                assert '<nav aria-label="Contents" class="toc">' in html
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
    captured = [
        message_from_bytes(path.read_bytes(), policy=default).get_body(("plain",)).get_content()
        for path in (tmp_path / "var/mail").glob("*.eml")
    ]
    assert captured and all(f"http://127.0.0.1:{port}/mailbox/" in text for text in captured)


async def _printed_link(process) -> str:
    while line := await process.stdout.readline():
        found = re.search(r"(http://\S+/signin/link\?token=\S+)", line.decode())
        if found:
            return found.group(1)
    raise AssertionError("bob demo --serve printed no sign-in link")


async def _when_served(browser, link: str) -> str:
    for _ in range(100):
        try:
            async with browser.get(link) as response:
                return await response.text()
        except ClientConnectionError:
            await asyncio.sleep(0.2)
    raise AssertionError("the demo's web mailbox never answered")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
