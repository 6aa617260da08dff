"""The capture SMTP server: with no smtp.host, draining still speaks SMTP and leaves .eml files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

from app.cli import main
from mailer.sender import DrainResult, drain_outbox
from mailer.settings import SmtpConfig
from mailer.sink import capture_server, smtp_or_capture
from mailer.smtp import OutgoingEmail, SmtpChannel
from store.outbox import QueuedEmail, queue_emails

ANA = OutgoingEmail(
    "<daily-2026-11-23-ana@agency.test>",
    "ana@agency.test",
    "Daily Summary - 11/23/2026",
    "You have 2 new alerts.",
    "<p>You have <b>2</b> new alerts.</p>",
)


def plain(port: int) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=port, security="none", from_address="bob@agency.test")


def queue(sessions, *addresses: str) -> None:
    emails = [
        QueuedEmail(f"daily-{address}", address, "Daily Summary - 11/23/2026", "2 alerts", None)
        for address in addresses
    ]
    with sessions.begin() as session:
        queue_emails(session, emails, "bob@agency.test")


async def test_each_message_is_an_eml_file_named_after_its_message_id(tmp_path):
    mail = tmp_path / "mail"
    with capture_server(mail) as server:
        async with SmtpChannel(plain(server.port)) as channel:
            await channel.send(ANA)
            await channel.send(ANA)  # a resend keeps both copies
    assert sorted(p.name for p in mail.iterdir()) == [
        "daily-2026-11-23-ana@agency.test.1.eml",
        "daily-2026-11-23-ana@agency.test.eml",
    ]
    message = message_from_bytes((mail / "daily-2026-11-23-ana@agency.test.eml").read_bytes())
    assert message["Message-ID"] == ANA.message_id and message["To"] == "ana@agency.test"
    text, html = message.get_payload()
    assert text.get_payload(decode=True).decode() == "You have 2 new alerts."
    assert html.get_payload(decode=True).decode() == "<p>You have <b>2</b> new alerts.</p>"


async def test_a_hostile_message_id_cannot_leave_the_capture_dir(tmp_path):
    mail = tmp_path / "deep" / "mail"
    hostile = OutgoingEmail("<../../../escaped/x y@agency.test>", "ana@agency.test", "s", "t", None)
    with capture_server(mail) as server:
        async with SmtpChannel(plain(server.port)) as channel:
            await channel.send(hostile)
    assert [p.name for p in mail.iterdir()] == [".._.._.._escaped_x_y@agency.test.eml"]
    assert not (tmp_path / "escaped").exists()


async def test_without_smtp_host_the_outbox_drains_into_the_capture_dir(sessions, tmp_path):
    queue(sessions, "ana@agency.test", "ben@agency.test")
    later = datetime.now(UTC) + timedelta(minutes=1)
    with smtp_or_capture(SmtpConfig(host=""), tmp_path / "mail") as (smtp, captured_in):
        assert (smtp.host, smtp.security, smtp.username) == ("127.0.0.1", "none", "")
        assert await drain_outbox(sessions, smtp, now=lambda: later) == DrainResult(sent=2)
    assert captured_in == tmp_path / "mail"
    assert sorted(p.name for p in captured_in.iterdir()) == [
        "daily-ana.agency.test@agency.test.eml",
        "daily-ben.agency.test@agency.test.eml",
    ]


def test_with_smtp_host_the_settings_are_used_as_they_are(tmp_path):
    smtp = SmtpConfig(host="mail.agency.test", port=465, security="tls")
    with smtp_or_capture(smtp, tmp_path / "mail") as (chosen, captured_in):
        assert chosen is smtp and captured_in is None
    assert not (tmp_path / "mail").exists()


def test_bob_outbox_drain_captures_when_smtp_is_not_configured(
    sessions, db_url, tmp_path, monkeypatch, capsys
):
    queue(sessions, "ana@agency.test", "ben@agency.test")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    (tmp_path / "bob.toml").write_text('[mail]\ncapture_dir = "captured"\n')
    assert main(["outbox", "drain"]) == 0
    out = capsys.readouterr().out
    assert "sent: 2  retried: 0  failed: 0" in out
    assert "smtp.host is empty: emails are captured as .eml files in captured" in out
    assert len(list((tmp_path / "captured").glob("*.eml"))) == 2
    assert main(["outbox", "drain", "--once"]) == 0
    assert "sent: 0  retried: 0  failed: 0" in capsys.readouterr().out
    assert main(["outbox", "status", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts == {
        "queued": 0,
        "sending": 0,
        "sent": 2,
        "failed": 0,
        "held": 0,
        "oldest_queued_seconds": None,
        "next_attempt_at": None,
    }
