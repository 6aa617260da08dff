"""Outbox drain throughput: bob's ``drain_outbox`` next to bare pooled aiosmtplib.

N Daily Summary emails (the real PII-free templates, one per synthetic enroller) are queued in
a fresh database's outbox, then sent to Postfix's ``smtp-sink`` on 127.0.0.1 (a separate C
process, so the sink does not compete for this process's GIL) each way, best of five,
interleaved:

* ``bob``  ``mailer.sender.drain_outbox``: claim a batch, send over ``connections`` reused
           connections, log the outcomes (the whole queue → sent path), each round from an
           outbox queued afresh (a drain drops the bodies it sent: requeued rows would go
           out as one-line placeholders, as they did here before 2026-11-30 session 7);
* ``bare`` the same messages read from the outbox up front, each built by the same builder
           (``mailer.mime``) and sent with ``aiosmtplib.SMTP.sendmail`` over as many
           connections; nothing claimed or logged. This is the floor.
* ``email.mime`` the bare loop again, building each message with ``email.mime`` and sending
           it with ``send_message``, as bob did before ``mailer.mime``: the builder's share.

Targets: bob ≥ 80 % of bare and ≥ 1,000 messages/s.

    .venv/bin/python bench/outbox_drain.py                      # 5,000 emails, SQLite
    .venv/bin/python bench/outbox_drain.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, date, datetime
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtplib import SMTP  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402

from bench.daily_run import FreshDatabase  # noqa: E402
from mailer.mime import message_bytes  # noqa: E402
from mailer.sender import drain_outbox  # noqa: E402
from mailer.settings import SmtpConfig  # noqa: E402
from rules.templating import render  # noqa: E402
from rules.topics import TOPICS  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import OutboxEmail  # noqa: E402
from store.outbox import QueuedEmail, queue_emails  # noqa: E402
from tests.smtp_helpers import SMTP_SINK, smtp_sink  # noqa: E402

FROM = "bob@agency.example.com"
DAY = date(2026, 9, 1)
TARGET_SHARE = 0.80
TARGET_RATE = 1_000.0


def digest_emails(count: int) -> list[QueuedEmail]:
    """One rendered Daily Summary email per synthetic enroller."""
    emails = []
    for n in range(count):
        counts = [{"title": topic.title, "count": (n + i) % 4} for i, topic in enumerate(TOPICS)]
        context = {
            "business_date": DAY,
            "agency": "Bench Agency",
            "recipient_name": f"Agent {n}",
            "counts": counts,
            "total": sum(c["count"] for c in counts),
            "topics": [],
            "crw": [],
            "mailbox_hint": "Use /bob mailbox in Slack.",
        }
        email = render("email/daily_summary", context)
        emails.append(
            QueuedEmail(
                message_key=f"daily_summary:{n}:{DAY}",
                to_address=f"agent{n}@agency.example.com",
                subject=email.subject,
                body_text=email.text,
                body_html=email.html,
            )
        )
    return emails


def requeue(sessions: Any, emails: list[QueuedEmail]) -> None:
    """A fresh outbox of ``emails``, as a run queues them: new rows with their bodies (a
    drain drops a sent email's body, so rows sent before cannot simply be queued again)."""
    with sessions.begin() as session:
        session.execute(delete(OutboxEmail))
        queue_emails(session, emails, FROM)


async def bare_send(port: int, messages: list[Any], connections: int, stdlib: bool) -> int:
    """The floor: pooled aiosmtplib connections, each taking the next message until none."""
    pending = deque(messages)
    sent = 0

    async def work() -> None:
        nonlocal sent
        async with SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
            while pending:
                row = pending.popleft()
                if stdlib:
                    await client.send_message(mime_message(row), sender=FROM, recipients=[row.to_address])
                else:
                    raw = message_bytes(
                        from_address=FROM, to_address=row.to_address, subject=row.subject,
                        date=datetime.now(UTC), message_id=row.message_id,
                        body_text=row.body_text, body_html=row.body_html,
                    )  # fmt: skip
                    await client.sendmail(FROM, [row.to_address], raw)
                sent += 1

    await asyncio.gather(*(work() for _ in range(connections)))
    return sent


def mime_message(row: Any) -> MIMEMultipart:
    message = MIMEMultipart("alternative")
    message["From"] = FROM
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate()
    message["Message-ID"] = row.message_id
    message.attach(MIMEText(row.body_text, "plain", "utf-8"))
    message.attach(MIMEText(row.body_html, "html", "utf-8"))
    return message


def queued_messages(sessions: Any) -> list[Any]:
    """The queued emails' envelope and bodies, for the bare senders."""
    with sessions() as session:
        return list(
            session.execute(
                select(
                    OutboxEmail.message_id,
                    OutboxEmail.to_address,
                    OutboxEmail.subject,
                    OutboxEmail.body_text,
                    OutboxEmail.body_html,
                )
            ).all()
        )


def timed_rounds(
    sessions: Any, emails: list[QueuedEmail], smtp: SmtpConfig, repeats: int
) -> tuple[list[float], list[float], list[float]]:
    """Seconds of each round for bare aiosmtplib, the stdlib-MIME variant and bob's drain."""
    count = len(emails)
    requeue(sessions, emails)
    messages = queued_messages(sessions)
    bare_s: list[float] = []
    stdlib_s: list[float] = []
    bob_s: list[float] = []
    for _ in range(repeats):  # interleaved, so a busy moment hurts each side alike
        with smtp_sink() as port:
            for stdlib, times in ((False, bare_s), (True, stdlib_s)):
                started = time.perf_counter()
                assert asyncio.run(bare_send(port, messages, smtp.connections, stdlib)) == count
                times.append(time.perf_counter() - started)
            requeue(sessions, emails)
            started = time.perf_counter()
            result = asyncio.run(drain_outbox(sessions, dataclasses.replace(smtp, port=port)))
            bob_s.append(time.perf_counter() - started)
            assert result.sent == count, result.summary()
    return bare_s, stdlib_s, bob_s


def measure(db: str, count: int, connections: int, repeats: int = 5) -> dict[str, Any]:
    """Best of ``repeats`` for each side, on one fresh database; returns messages/s."""
    if SMTP_SINK is None:
        raise SystemExit("smtp-sink not found: install Debian's postfix (scripts/system-deps.sh)")
    smtp = SmtpConfig(
        host="127.0.0.1",
        security="none",
        from_address=FROM,
        connections=connections,
        timeout_seconds=30.0,
    )
    with tempfile.TemporaryDirectory(prefix="bob-bench-outbox-") as folder:
        fresh = FreshDatabase(db, count, Path(folder))
        try:
            engine = make_engine(fresh.url)
            upgrade(engine)
            sessions = session_factory(engine)
            bare_s, stdlib_s, bob_s = timed_rounds(sessions, digest_emails(count), smtp, repeats)
            engine.dispose()
        finally:
            fresh.drop()
    bob_rate, bare_rate = count / min(bob_s), count / min(bare_s)
    return {
        "messages": count,
        "connections": connections,
        "bob_per_s": bob_rate,
        "bare_per_s": bare_rate,
        "stdlib_per_s": count / min(stdlib_s),
        "share": bob_rate / bare_rate,
        "passed": bob_rate >= TARGET_RATE and bob_rate >= TARGET_SHARE * bare_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument(
        "--connections",
        type=int,
        default=SmtpConfig().connections,
        help="SMTP connections for both sides (default: bob's smtp.connections)",
    )
    parser.add_argument("--db", default="sqlite", help="'sqlite' (temp file) or a PostgreSQL URL")
    args = parser.parse_args()
    row = measure(args.db, args.messages, args.connections)
    print(
        f"{'messages':>8} {'conns':>5} {'bob msg/s':>10} {'bare msg/s':>10} {'bob/bare':>8} "
        f"{'email.mime msg/s':>16}"
    )
    print(
        f"{row['messages']:>8,} {row['connections']:>5} {row['bob_per_s']:>10,.0f} "
        f"{row['bare_per_s']:>10,.0f} {row['share']:>8.0%} {row['stdlib_per_s']:>16,.0f}  "
        f"{'PASS' if row['passed'] else 'MISS'} (target >= 80% of bare and >= 1,000/s)"
    )


if __name__ == "__main__":
    main()
