"""A fault of the SMTP session is the server's or the settings', not each email's: the drain
stops, the emails stay queued as they were, and the fault is reported once (issue 13, point 8)."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from app.cli import main
from mailer.sender import DrainResult, drain_outbox
from mailer.settings import SmtpConfig
from mailer.smtp import SessionFault
from tests.smtp_helpers import RecordingHandler, smtp_server, smtp_sink
from tests.test_smtp_sender import T0, drain, handler, needs_smtp_sink, outbox, queue, smtp, tls

__all__ = ["handler", "smtp", "tls"]  # the fixtures these tests share with test_smtp_sender

ADDRESSES = ("ana@agency.test", "lee@agency.test", "kim@agency.test")


def untouched(sessions) -> set[tuple[str, int, object, object]]:
    """Each email's (status, attempts, claimed_by, lease_until)."""
    return {(r.status, r.attempts, r.claimed_by, r.lease_until) for r in outbox(sessions).values()}


def sink_settings(port: int) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1", port=port, security="none", from_address="bob@agency.test", timeout_seconds=2
    )


@needs_smtp_sink
async def test_a_5xx_greeting_is_reported_as_a_refusal_not_as_unreachable(sessions):
    queue(sessions, *ADDRESSES)
    with smtp_sink("-f", "connect") as port, pytest.raises(SessionFault) as raised:
        await drain_outbox(sessions, sink_settings(port), now=lambda: T0)
    assert f"the SMTP server at 127.0.0.1:{port} refused the session (5" in str(raised.value)
    assert "cannot reach" not in str(raised.value)
    assert untouched(sessions) == {("queued", 0, None, None)}


@needs_smtp_sink
async def test_a_5xx_to_ehlo_and_helo_stops_the_drain_and_keeps_every_email_queued(sessions):
    queue(sessions, *ADDRESSES)
    with smtp_sink("-f", "ehlo,helo") as port, pytest.raises(SessionFault, match=r"refused EHLO/HELO \(5"):
        await drain_outbox(sessions, replace(sink_settings(port), batch_size=2), now=lambda: T0)
    assert untouched(sessions) == {("queued", 0, None, None)}


async def test_relaying_denied_to_every_recipient_stops_the_drain(sessions, smtp, handler, tls):
    for address in ADDRESSES:
        handler.rcpt_replies[address] = deque([f"554 5.7.1 <{address}>: Relay access denied"])
    queue(sessions, *ADDRESSES)
    with pytest.raises(SessionFault, match="will not relay bob's mail") as raised:
        await drain(sessions, replace(smtp, connections=2), tls)
    assert "agency.test" not in str(raised.value)
    assert untouched(sessions) == {("queued", 0, None, None)}


async def test_one_unknown_recipient_still_fails_only_that_email(sessions, smtp, handler, tls):
    handler.rcpt_replies["ana@agency.test"] = deque(
        ["550 5.1.1 <ana@agency.test>: Recipient address rejected: User unknown in relay recipient table"]
    )
    queue(sessions, *ADDRESSES)
    assert await drain(sessions, smtp, tls) == DrainResult(sent=2, failed=1)


@pytest.mark.parametrize(
    "reply",
    [
        "554 5.7.1 <{}>: Relay access denied",
        "550 5.7.1 <{}>... Relaying denied",
        "550 relay not permitted",
        "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
    ],
)
async def test_each_servers_relay_refusal_is_a_session_fault(sessions, smtp, handler, tls, reply):
    handler.rcpt_replies["ana@agency.test"] = deque([reply.format("ana@agency.test")])
    queue(sessions, "ana@agency.test")
    with pytest.raises(SessionFault, match="will not relay"):
        await drain(sessions, smtp, tls)
    assert untouched(sessions) == {("queued", 0, None, None)}


async def test_a_batch_of_retries_leaves_no_email_sending_past_its_lease(sessions, smtp, tls):
    clock = [T0]

    class SlowThenBusy(RecordingHandler):
        """Answers the first recipient after the drain's lease has run out, then 421."""

        async def handle_RCPT(
            self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
        ) -> str:
            clock[0] += timedelta(seconds=smtp.lease_seconds + 1)
            return "421 4.3.2 try later"

    queue(sessions, *ADDRESSES)
    with smtp_server(SlowThenBusy(), tls) as server:
        result = await drain_outbox(
            sessions,
            replace(smtp, port=server.port),
            now=lambda: clock[0],
            tls_context=tls.client_context(),
        )
    assert result == DrainResult(retried=1)
    rows = outbox(sessions)
    assert sorted((r.status, r.attempts) for r in rows.values()) == [
        ("queued", 0),
        ("queued", 0),
        ("queued", 1),
    ]


def cli_config(tmp_path, db_url: str, port: int, monkeypatch) -> str:
    config = tmp_path / "bob.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    )
    monkeypatch.delenv("BOB_DATABASE_URL", raising=False)
    return str(config)


@needs_smtp_sink
def test_the_cli_reports_a_refused_session_once_and_keeps_the_emails(
    sessions, db_url, tmp_path, monkeypatch, capsys
):
    queue(sessions, *ADDRESSES, due=datetime.now(UTC) - timedelta(minutes=1))
    with smtp_sink("-f", "ehlo,helo") as port:
        config = cli_config(tmp_path, db_url, port, monkeypatch)
        assert main(["--config", config, "outbox", "drain"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused EHLO/HELO" in err and "Traceback" not in err
    assert main(["--config", config, "outbox", "status"]) == 0
    assert capsys.readouterr().out.startswith("queued: 3  sending: 0  sent: 0  failed: 0")


def test_failed_emails_are_listed_without_addresses_and_sent_after_a_retry(
    sessions, db_url, tmp_path, monkeypatch, capsys
):
    handler = RecordingHandler()
    for address in ADDRESSES[:2]:
        handler.rcpt_replies[address] = deque([f"550 5.1.1 <{address}>: mailbox unavailable"])
    queue(sessions, *ADDRESSES, due=datetime.now(UTC) - timedelta(minutes=1))
    with smtp_server(handler) as server:
        config = cli_config(tmp_path, db_url, server.port, monkeypatch)
        assert main(["--config", config, "outbox", "drain"]) == 0
        assert "sent: 1  retried: 0  failed: 2" in capsys.readouterr().out
        assert main(["--config", config, "outbox", "failed"]) == 0
        listed = capsys.readouterr().out
        assert listed.count("550 5.1.1 <address>: mailbox unavailable") == 2
        assert "agency.test" not in listed and "failed: 2" in listed
        assert main(["--config", config, "outbox", "failed", "--json"]) == 0
        [first, _] = json.loads(capsys.readouterr().out)
        assert main(["--config", config, "outbox", "retry", str(first["id"])]) == 0
        assert capsys.readouterr().out.startswith("queued again: 1;")
        assert main(["--config", config, "outbox", "retry"]) == 0
        assert capsys.readouterr().out.startswith("queued again: 1;")
        assert main(["--config", config, "outbox", "drain"]) == 0
        assert "sent: 2  retried: 0  failed: 0" in capsys.readouterr().out
    assert {row.status for row in outbox(sessions).values()} == {"sent"}
