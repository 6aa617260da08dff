"""Draining the outbox against real SMTP servers on 127.0.0.1 (aiosmtpd and Postfix smtp-sink)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.cli import main
from mailer.outbox_claims import ClaimedEmail, Outcome, claim_batch, log_outcomes
from mailer.outcome_log import CHUNK
from mailer.sender import DrainResult, drain_outbox, failure_outcome
from mailer.settings import SmtpConfig
from mailer.smtp import DeliveryError, OutgoingEmail, SmtpChannel
from rules.templating import build_email
from store.models import OutboxEmail, OutboxStatus
from store.outbox import SENT_BODY, QueuedEmail, queue_emails
from tests.smtp_helpers import (
    LOGIN,
    SMTP_SINK,
    RecordingHandler,
    TlsFiles,
    free_port,
    make_certificate,
    smtp_server,
    smtp_sink,
)

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
LATER = T0 + timedelta(seconds=31)
TEXT = "You have 2 new alerts.\nOpen the secure mailbox with /bob mailbox."
HTML = "<p>You have <b>2</b> new alerts.</p>"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp(handler: RecordingHandler, tls: TlsFiles):
    """STARTTLS + AUTH server; settings for one connection, short timeouts, 3 attempts."""
    with smtp_server(handler, tls) as server:
        yield SmtpConfig(
            host="127.0.0.1",
            port=server.port,
            security="starttls",
            username=LOGIN[0],
            password=LOGIN[1],
            from_address="bob@agency.test",
            timeout_seconds=2.0,
            max_attempts=3,
            backoff_seconds=30.0,
            batch_size=50,
            connections=1,
            lease_seconds=300,
        )


def queue(sessions: sessionmaker[Session], *addresses: str, due: datetime = T0) -> None:
    """Queue one Daily Summary email per address, due at ``due``."""
    emails = [
        QueuedEmail(f"daily-{address}", address, "Daily Summary - 11/23/2026", TEXT, HTML)
        for address in addresses
    ]
    with sessions.begin() as session:
        queue_emails(session, emails, "bob@agency.test")
        session.execute(update(OutboxEmail).values(next_attempt_at=due))


def outbox(sessions: sessionmaker[Session]) -> dict[str, OutboxEmail]:
    with sessions() as session:
        return {row.to_address: row for row in session.scalars(select(OutboxEmail))}


async def drain(sessions, smtp, tls, at: datetime = T0, **options) -> DrainResult:
    return await drain_outbox(sessions, smtp, now=lambda: at, tls_context=tls.client_context(), **options)


async def test_it_sends_text_and_html_with_the_stored_message_id(sessions, smtp, handler, tls):
    queue(sessions, "ana@agency.test", "ben@agency.test")
    assert await drain(sessions, smtp, tls) == DrainResult(sent=2)
    rows = outbox(sessions)
    assert [r.rcpt_tos for r in handler.received] == [["ana@agency.test"], ["ben@agency.test"]]
    first = handler.received[0]
    assert first.over_tls and first.login == LOGIN[0].encode()
    assert first.mail_from == "bob@agency.test"
    message = first.message
    assert message["From"] == "bob@agency.test" and message["To"] == "ana@agency.test"
    assert message["Subject"] == "Daily Summary - 11/23/2026"
    assert message["Message-ID"] == rows["ana@agency.test"].message_id
    assert parsedate_to_datetime(message["Date"]) == T0
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert text.get_content_type() == "text/plain"
    assert text.get_payload(decode=True).decode() == TEXT.replace("\n", "\r\n")
    assert html.get_content_type() == "text/html"
    assert html.get_payload(decode=True).decode() == HTML.replace("\n", "\r\n")
    for row in rows.values():
        assert (row.status, row.sent_at, row.attempts, row.last_error) == ("sent", T0, 1, None)
        assert row.lease_until is None


async def test_a_non_ascii_subject_and_body_arrive_intact(sessions, smtp, handler, tls):
    with sessions.begin() as session:
        queue_emails(
            session,
            [QueuedEmail("k-accents", "jose@agency.test", "Resumen diario – José", "Año 2026 ✓")],
            "bob@agency.test",
        )
        session.execute(update(OutboxEmail).values(next_attempt_at=T0))
    assert await drain(sessions, smtp, tls) == DrainResult(sent=1)
    message = handler.received[0].message
    assert str(make_header(decode_header(message["Subject"]))) == "Resumen diario – José"
    assert message.get_content_type() == "text/plain"  # no HTML twin: one part
    assert message.get_payload(decode=True).decode() == "Año 2026 ✓"


async def test_one_connection_carries_many_messages(sessions, smtp, handler, tls):
    addresses = [f"agent{i}@agency.test" for i in range(40)]
    queue(sessions, *addresses)
    assert await drain(sessions, smtp, tls) == DrainResult(sent=40)
    assert len(handler.received) == 40
    assert len({r.peer for r in handler.received}) == 1


async def test_a_pool_of_connections_shares_the_batch(sessions, smtp, handler, tls):
    queue(sessions, *(f"agent{i}@agency.test" for i in range(40)))
    assert await drain(sessions, replace(smtp, connections=4, batch_size=7), tls) == DrainResult(sent=40)
    assert sorted(r.message["Message-ID"] for r in handler.received) == sorted(
        row.message_id for row in outbox(sessions).values()
    )
    assert len({r.peer for r in handler.received}) == 4


@pytest.mark.parametrize("fault", [None, "stall", "drop"])
async def test_leaving_a_channel_closes_its_sockets_even_mid_tls_shutdown(handler, smtp, tls, fault):
    """Closing a TLS connection only starts the TLS shutdown; a loop that ends before the
    socket is really closed leaves it to the garbage collector ("unclosed transport")."""
    email = OutgoingEmail("<k@agency.test>", "ana@agency.test", "s", "t", None)
    if fault:
        handler.data_faults["ana@agency.test"] = deque([fault])
    async with SmtpChannel(replace(smtp, timeout_seconds=0.4), tls_context=tls.client_context()) as channel:
        sock = channel._client.get_transport_info("socket")
        if fault:
            with pytest.raises(DeliveryError):
                await channel.send(email)
        else:
            await channel.send(email)
    assert sock.fileno() == -1


async def test_implicit_tls(sessions, handler, tls, smtp):
    with smtp_server(handler, tls, implicit_tls=True) as server:
        queue(sessions, "ana@agency.test")
        tls_smtp = replace(smtp, port=server.port, security="tls", username="", password="")
        assert await drain(sessions, tls_smtp, tls) == DrainResult(sent=1)
    assert handler.received[0].over_tls


async def test_a_server_without_starttls_is_one_clear_error(sessions, handler, smtp, tls):
    with smtp_server(handler) as server:
        queue(sessions, "ana@agency.test")
        with pytest.raises(DeliveryError, match="would not start a session.*check smtp.security"):
            await drain(sessions, replace(smtp, port=server.port), tls)


async def test_a_4xx_reply_is_retried_later_then_sent(sessions, smtp, handler, tls):
    handler.rcpt_replies["ana@agency.test"] = deque(["451 4.3.0 <ana@agency.test> busy, later"])
    queue(sessions, "ana@agency.test")
    assert await drain(sessions, smtp, tls) == DrainResult(retried=1)
    row = outbox(sessions)["ana@agency.test"]
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    assert row.last_error == "451 4.3.0 <address> busy, later"
    assert await drain(sessions, smtp, tls, at=T0 + timedelta(seconds=29)) == DrainResult()
    assert await drain(sessions, smtp, tls, at=LATER) == DrainResult(sent=1)
    row = outbox(sessions)["ana@agency.test"]
    assert (row.status, row.attempts, row.sent_at) == ("sent", 2, LATER)
    assert len(handler.messages_to("ana@agency.test")) == 1


async def test_a_5xx_reply_fails_for_good_with_the_reason_and_no_address(sessions, smtp, handler, tls):
    handler.rcpt_replies["gone@agency.test"] = deque(
        ["550 5.1.1 <gone@agency.test>: Recipient address rejected: gone@agency.test unknown"] * 3
    )
    queue(sessions, "gone@agency.test", "ana@agency.test")
    assert await drain(sessions, smtp, tls) == DrainResult(sent=1, failed=1)
    row = outbox(sessions)["gone@agency.test"]
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "550 5.1.1 <address>: Recipient address rejected: <address> unknown"
    assert await drain(sessions, smtp, tls, at=T0 + timedelta(days=1)) == DrainResult()
    assert len(handler.rcpt_replies["gone@agency.test"]) == 2  # asked once, never again


async def test_a_dropped_connection_is_retried_and_the_next_email_reconnects(sessions, smtp, handler, tls):
    handler.data_faults["ana@agency.test"] = deque(["drop"])
    queue(sessions, "ana@agency.test", "ben@agency.test")
    assert await drain(sessions, smtp, tls) == DrainResult(sent=1, retried=1)
    rows = outbox(sessions)
    assert rows["ana@agency.test"].status == "queued"
    assert rows["ana@agency.test"].last_error.startswith("connection lost")
    assert rows["ben@agency.test"].status == "sent"
    assert await drain(sessions, smtp, tls, at=LATER) == DrainResult(sent=1)
    assert len({r.peer for r in handler.received}) == 2  # a new connection each time


async def test_a_server_that_does_not_answer_in_time_is_retried(sessions, smtp, handler, tls):
    handler.data_faults["ana@agency.test"] = deque(["stall"])
    queue(sessions, "ana@agency.test", "ben@agency.test")
    started = time.monotonic()
    result = await drain(sessions, replace(smtp, timeout_seconds=0.4), tls)
    assert time.monotonic() - started < 2
    assert result == DrainResult(sent=1, retried=1)
    assert outbox(sessions)["ana@agency.test"].last_error == "no reply within 0.4s"
    assert await drain(sessions, smtp, tls, at=LATER) == DrainResult(sent=1)
    assert len(handler.messages_to("ana@agency.test")) == 1


async def test_it_gives_up_when_the_attempts_run_out(sessions, smtp, handler, tls):
    handler.rcpt_replies["ana@agency.test"] = deque(["452 4.2.2 mailbox full"] * 5)
    queue(sessions, "ana@agency.test")
    smtp = replace(smtp, max_attempts=2)
    assert await drain(sessions, smtp, tls) == DrainResult(retried=1)
    assert await drain(sessions, smtp, tls, at=LATER) == DrainResult(failed=1)
    row = outbox(sessions)["ana@agency.test"]
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error == "gave up after 2 attempts; last: 452 4.2.2 mailbox full"


async def test_a_batch_that_is_all_retries_leaves_the_rest_for_the_next_drain(sessions, smtp, handler, tls):
    addresses = [f"agent{i}@agency.test" for i in range(6)]
    for address in addresses:
        handler.rcpt_replies[address] = deque(["421 4.3.2 shutting down"])
    queue(sessions, *addresses)
    assert await drain(sessions, replace(smtp, batch_size=2), tls) == DrainResult(retried=2)
    rows = outbox(sessions).values()
    assert sorted(row.attempts for row in rows) == [0, 0, 0, 0, 1, 1]
    # The batch claimed while the first was sent is given back as it was, not left "sending".
    untried = {(row.status, row.claimed_by, row.lease_until) for row in rows if not row.attempts}
    assert untried == {("queued", None, None)}


async def test_a_sent_link_code_or_password_is_not_kept_in_the_outbox(sessions, smtp, handler, tls):
    secrets = [
        build_email("link_code", {"code": "482913", "minutes": 15}, **to("ana@agency.test")),
        build_email(
            "export_password",
            {"file_name": "book.xlsx", "password": "Tulip-Harbor-93", "file_went": "was saved"},
            **to("max@agency.test"),
        ),
    ]
    with sessions.begin() as session:
        queue_emails(session, secrets, "bob@agency.test")
    handler.rcpt_replies["kim@agency.test"] = deque(["550 5.1.1 no such user"])
    queue(sessions, "kim@agency.test")  # fails: kept whole for `bob outbox retry`
    assert await drain(sessions, smtp, tls) == DrainResult(sent=2, failed=1)
    assert "482913" in delivered_text("ana@agency.test", handler)
    assert "Tulip-Harbor-93" in delivered_text("max@agency.test", handler)
    rows = outbox(sessions)
    for address in ("ana@agency.test", "max@agency.test"):
        assert (rows[address].body_text, rows[address].body_html) == (SENT_BODY, None)
    assert (rows["kim@agency.test"].body_text, rows["kim@agency.test"].body_html) == (TEXT, HTML)


def delivered_text(address: str, handler: RecordingHandler) -> str:
    [message] = handler.messages_to(address)
    parts = [part.get_payload(decode=True) for part in message.walk() if not part.is_multipart()]
    return "".join(part.decode() for part in parts)


def to(address: str) -> dict[str, object]:
    return {"message_key": f"secret-{address}", "to_address": address, "recipient_id": None}


def test_a_claim_takes_one_batch_and_marks_it_as_ours(sessions):
    queue(sessions, *(f"agent{i}@agency.test" for i in range(7)))
    smtp = SmtpConfig(batch_size=3, lease_seconds=300)
    first = claim_batch(sessions, "worker-a", T0, smtp)
    second = claim_batch(sessions, "worker-b", T0, smtp)
    assert len(first) == len(second) == 3
    assert not {c.id for c in first} & {c.id for c in second}
    rows = outbox(sessions).values()
    assert sorted((r.status, r.claimed_by) for r in rows if r.claimed_by) == (
        [("sending", "worker-a")] * 3 + [("sending", "worker-b")] * 3
    )
    assert {r.lease_until for r in rows if r.claimed_by} == {T0 + timedelta(seconds=300)}


def test_sent_emails_are_logged_each_at_its_own_time_and_only_while_still_ours(sessions):
    queue(sessions, "ana@agency.test", "ben@agency.test", "cy@agency.test")
    ana, ben, cy = claim_batch(sessions, "worker-a", T0, SmtpConfig(lease_seconds=300))
    with sessions.begin() as session:  # worker-a's lease on ben ran out and worker-b took him
        session.execute(update(OutboxEmail).where(OutboxEmail.id == ben.id).values(claimed_by="worker-b"))
    log_outcomes(
        sessions,
        "worker-a",
        [
            Outcome(claimed.id, OutboxStatus.SENT, sent_at=T0 + timedelta(seconds=n))
            for n, claimed in enumerate((ana, ben, cy), start=1)
        ],
    )
    rows = outbox(sessions)
    assert [
        (rows[a].status, rows[a].sent_at, rows[a].attempts, rows[a].lease_until, rows[a].body_html)
        for a in ("ana@agency.test", "cy@agency.test")
    ] == [
        ("sent", T0 + timedelta(seconds=1), 1, None, None),
        ("sent", T0 + timedelta(seconds=3), 1, None, None),
    ]
    assert {rows[a].body_text for a in ("ana@agency.test", "cy@agency.test")} == {SENT_BODY}
    taken = rows["ben@agency.test"]
    assert (taken.status, taken.claimed_by, taken.sent_at, taken.attempts) == ("sending", "worker-b", None, 0)
    assert taken.body_text != SENT_BODY and taken.body_html


def test_retry_delays_double_up_to_an_hour():
    smtp = SmtpConfig(backoff_seconds=30.0, max_attempts=20)
    email = OutgoingEmail("<k@agency.test>", "ana@agency.test", "s", "t", None)
    delays = [
        failure_outcome(ClaimedEmail(1, attempts, T0, email), DeliveryError("451 x"), smtp, T0)
        for attempts in (0, 1, 2, 7, 12)
    ]
    assert [d.next_attempt_at - T0 for d in delays] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


async def test_a_crashed_claimers_emails_are_claimed_again_after_its_lease(sessions, smtp, handler, tls):
    queue(sessions, "ana@agency.test", "ben@agency.test", "cy@agency.test")
    with sessions.begin() as session:
        for address, lease_until in [
            ("ana@agency.test", T0 - timedelta(seconds=1)),  # its claimer crashed
            ("ben@agency.test", T0 + timedelta(seconds=60)),  # someone is sending it now
        ]:
            session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.to_address == address)
                .values(status="sending", claimed_by="crashed:1", lease_until=lease_until)
            )
    assert await drain(sessions, smtp, tls) == DrainResult(sent=2)
    assert sorted(r.rcpt_tos[0] for r in handler.received) == ["ana@agency.test", "cy@agency.test"]
    rows = outbox(sessions)
    assert rows["ana@agency.test"].status == "sent"
    assert (rows["ben@agency.test"].status, rows["ben@agency.test"].claimed_by) == (
        "sending",
        "crashed:1",
    )


async def test_a_drain_stopped_halfway_logs_what_it_sent_and_never_resends_it(sessions, smtp, handler, tls):
    addresses = [f"agent{i}@agency.test" for i in range(6)]
    # The first two go through; the third stalls until the drain is stopped, however slow
    # the machine is, and would go through on a second attempt.
    handler.data_faults = {a: deque(["stall"]) for a in addresses[2:]}
    handler.stall_seconds = 30
    queue(sessions, *addresses)
    task = asyncio.create_task(drain(sessions, smtp, tls))
    while len(handler.received) < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # the third is on its way
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = outbox(sessions)
    sent = {a for a, row in rows.items() if row.status == "sent"}
    assert sent and sent <= {r.rcpt_tos[0] for r in handler.received}
    assert {row.status for a, row in rows.items() if a not in sent} == {"sending"}
    handler.data_faults.clear()
    after_lease = T0 + timedelta(seconds=smtp.lease_seconds + 1)
    assert await drain(sessions, smtp, tls, at=after_lease) == DrainResult(sent=len(addresses) - len(sent))
    assert sorted(r.rcpt_tos[0] for r in handler.received if r.rcpt_tos[0] in sent) == sorted(sent)


async def test_outcomes_are_written_while_the_batch_is_still_being_sent(sessions, smtp, handler, tls):
    addresses = [f"agent{i:03}@agency.test" for i in range(CHUNK + 20)]
    # All but the last few go through; those stall until the drain is stopped.
    handler.data_faults = {a: deque(["stall"]) for a in addresses[-smtp.connections :]}
    handler.stall_seconds = 15
    queue(sessions, *addresses)
    one_batch = replace(smtp, batch_size=len(addresses), timeout_seconds=5)
    task = asyncio.create_task(drain(sessions, one_batch, tls))
    deadline = time.monotonic() + 4  # before the stalled email times out and ends the batch
    while sum(row.status == "sent" for row in outbox(sessions).values()) < CHUNK:
        assert time.monotonic() < deadline, "no outcome was written before the batch ended"
        await asyncio.sleep(0.05)
    assert not task.done()  # one batch, still being sent, already partly logged
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    sent = {address for address, row in outbox(sessions).items() if row.status == "sent"}
    assert len(sent) >= CHUNK and sent <= {r.rcpt_tos[0] for r in handler.received}


CHILD = """
import asyncio, json, ssl, sys, time
from datetime import UTC, datetime
from pathlib import Path
from mailer.settings import SmtpConfig
from mailer.outbox_claims import count_due
from mailer.sender import drain_outbox
from store.db import make_engine, session_factory

url, port, cafile, ready, go, username, password = sys.argv[1:]
smtp = SmtpConfig(host="127.0.0.1", port=int(port), username=username, password=password,
                  from_address="bob@agency.test", batch_size=4, connections=2, timeout_seconds=5)
sessions = session_factory(make_engine(url))
trust = ssl.create_default_context(cafile=cafile)
count_due(sessions, datetime.now(UTC), 1)  # connected and warmed up before the start signal
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.005)
print(json.dumps(asyncio.run(drain_outbox(sessions, smtp, tls_context=trust)).__dict__))
"""


async def test_two_processes_draining_at_once_send_each_email_exactly_once(
    sessions, smtp, handler, tls, db_url, tmp_path
):
    handler.delay_seconds = 0.005  # two connections per process: each needs >= 0.15 s
    addresses = [f"agent{i}@agency.test" for i in range(120)]
    queue(sessions, *addresses, due=datetime.now(UTC) - timedelta(minutes=1))
    go = tmp_path / "go"
    children: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(2):
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        db_url,
                        str(smtp.port),
                        str(tls.cert),
                        str(tmp_path / f"ready{n}"),
                        str(go),
                        *LOGIN,
                    ],
                    stdout=subprocess.PIPE,
                    cwd=Path(__file__).resolve().parent.parent,
                )
            )
        deadline = time.monotonic() + 20
        while not all((tmp_path / f"ready{n}").exists() for n in range(2)):
            assert time.monotonic() < deadline, "the drain processes did not start"
            time.sleep(0.01)
        go.touch()
        results = [json.loads(child.communicate(timeout=30)[0]) for child in children]
    finally:
        # A failed start-up or a timeout must not leave the children draining the outbox.
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
    assert all(child.returncode == 0 for child in children)
    assert sum(r["sent"] for r in results) == 120
    assert all(r["sent"] > 0 for r in results), results  # both really took part
    ids = [r.message["Message-ID"] for r in handler.received]
    assert len(ids) == len(set(ids)) == 120
    assert {row.status for row in outbox(sessions).values()} == {"sent"}


async def test_an_unreachable_server_is_one_clear_error_and_nothing_is_claimed(sessions, smtp, tls):
    queue(sessions, "ana@agency.test")
    port = free_port()
    with pytest.raises(DeliveryError, match=f"cannot reach the SMTP server at 127.0.0.1:{port}"):
        await drain(sessions, replace(smtp, port=port), tls)
    row = outbox(sessions)["ana@agency.test"]
    assert (row.status, row.attempts, row.claimed_by) == ("queued", 0, None)


async def test_a_wrong_password_is_one_clear_error(sessions, smtp, tls):
    queue(sessions, "ana@agency.test")
    with pytest.raises(DeliveryError, match=r"refused the login \(535 .*BOB_SMTP_PASSWORD"):
        await drain(sessions, replace(smtp, password="wrong"), tls)
    assert outbox(sessions)["ana@agency.test"].status == "queued"


async def test_nothing_due_means_no_connection_at_all(sessions, smtp, tls):
    queue(sessions, "ana@agency.test", due=LATER)
    assert await drain(sessions, replace(smtp, port=free_port()), tls) == DrainResult()


def test_the_cli_says_which_server_is_unreachable_in_one_line(
    sessions, db_url, tmp_path, monkeypatch, capsys
):
    queue(sessions, "ana@agency.test", due=datetime.now(UTC) - timedelta(minutes=1))
    port = free_port()
    config = tmp_path / "bob.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    )
    monkeypatch.delenv("BOB_DATABASE_URL", raising=False)
    assert main(["--config", str(config), "outbox", "drain"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"127.0.0.1:{port}" in err and "check smtp.host" in err


needs_smtp_sink = pytest.mark.skipif(SMTP_SINK is None, reason="Postfix smtp-sink is not installed")


@needs_smtp_sink
@pytest.mark.parametrize(
    ("options", "status", "error_start"),
    [
        ((), "sent", None),
        (("-r", "rcpt"), "queued", "4"),
        (("-f", "data"), "failed", "5"),
        (("-q", "."), "queued", "connection lost"),
        (("-w", "3"), "queued", "no reply within 0.5s"),
    ],
    ids=["accepts", "soft-rcpt", "hard-data", "drops-after-data", "slow-data"],
)
async def test_smtp_sink_faults(sessions, options, status, error_start):
    queue(sessions, "ana@agency.test")
    with smtp_sink(*options) as port:
        smtp = SmtpConfig(
            host="127.0.0.1",
            port=port,
            security="none",
            from_address="bob@agency.test",
            timeout_seconds=0.5,
        )
        await drain_outbox(sessions, smtp, now=lambda: T0)
    row = outbox(sessions)["ana@agency.test"]
    assert row.status == status
    if error_start is None:
        assert row.last_error is None
    else:
        assert row.last_error.startswith(error_start)
        assert "ana@" not in row.last_error
