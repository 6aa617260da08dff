"""Every digest email (Daily Summary, Daily Manager Summary) carries List-Unsubscribe with its
recipient's one-click link, and the mailto where one is configured, plus
List-Unsubscribe-Post (RFC 8058), through the outbox and over SMTP; no other email does."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from mailer.sender import drain_outbox
from mailer.settings import SmtpConfig
from mailer.sink import smtp_or_capture
from rules.templating import build_email
from rules.unsubscribe import UNSUBSCRIBE_PATH
from store.models import OutboxEmail, Role, UnsubscribeKey
from store.outbox import queue_emails
from tests.web_fixtures import DAY, YESTERDAY

SECRET = "test-unsubscribe-secret-0123456789abcdef"
BASE = "https://bob.agency.test"
MAILTO = "<mailto:unsubscribe@agency.test?subject=unsubscribe>"


def unsubscribing(delivery, address: str = "unsubscribe@agency.test"):
    return dataclasses.replace(
        delivery, web_base_url=BASE + "/", unsubscribe_secret=SECRET, unsubscribe_address=address
    )


def seed(book) -> dict[str, int]:
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent")
    max_ = book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER)
    book.notice(book.consumer(ana, case_number="CASE-ANA-1"), YESTERDAY)
    return {"ana": ana, "max": max_}


def outbox(sessions) -> list[OutboxEmail]:
    with sessions() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


async def sent_messages(sessions, tmp_path) -> dict[str, list[EmailMessage]]:
    """Drain the outbox over SMTP into a capture server; the messages as received, by address."""
    later = datetime.now(UTC) + timedelta(minutes=1)
    with smtp_or_capture(SmtpConfig(host=""), tmp_path / "mail") as (smtp, captured_in):
        await drain_outbox(sessions, smtp, now=lambda: later)
    received: dict[str, list[EmailMessage]] = {}
    for path in sorted(captured_in.iterdir()):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        received.setdefault(str(message["To"]), []).append(message)
    return received


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


async def test_each_digest_email_carries_its_recipients_one_click_link_and_the_mailto(
    book, sessions, delivery, tmp_path
):
    people = seed(book)
    run_daily_summary(sessions, DAY, unsubscribing(delivery))
    with sessions() as s:
        keys = dict(s.execute(select(UnsubscribeKey.enroller_id, UnsubscribeKey.key)).all())
    assert set(keys) == set(people.values())

    received = await sent_messages(sessions, tmp_path)
    ana = received["ana.agent@agency.test"]
    max_ = received["max.manager@agency.test"]
    assert [m["Subject"] for m in ana] == ["Daily Summary - 11/23/2026"]
    assert [m["Subject"] for m in max_] == ["Daily Manager Summary - 11/23/2026"]
    links = set()
    for message in [*ana, *max_]:
        header = str(message["List-Unsubscribe"])
        https, mailto = header.split(", ")
        assert https.startswith(f"<{BASE}{UNSUBSCRIBE_PATH}/") and https.endswith(">")
        assert mailto == "<mailto:unsubscribe@agency.test?subject=unsubscribe>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links.add((str(message["To"]), https))
        bodies = parts(message)  # both parts still there and readable
        assert "Daily" in bodies["text/plain"] and "<html" in bodies["text/html"].lower()
    # One link per person, different between people, and saying nothing about them.
    assert len(links) == 2 and len({https for _, https in links}) == 2
    for _, https in links:
        token = https.removeprefix(f"<{BASE}{UNSUBSCRIBE_PATH}/").removesuffix(">")
        assert len(token) == 43 and token.isascii()
        assert not any(word in token.lower() for word in ("ana", "max", "agent", "manager"))


def test_the_header_survives_the_outbox_as_stored(book, sessions, delivery):
    seed(book)
    run_daily_summary(sessions, DAY, unsubscribing(delivery, address=""))
    stored = outbox(sessions)
    assert stored and all(e.list_unsubscribe and e.list_unsubscribe.startswith(f"<{BASE}/") for e in stored)
    assert all("mailto:" not in (e.list_unsubscribe or "") for e in stored)


def test_without_a_web_address_the_header_offers_the_mailto_only(book, sessions, delivery):
    seed(book)
    settings = dataclasses.replace(delivery, unsubscribe_address="unsubscribe@agency.test")
    run_daily_summary(sessions, DAY, settings)
    assert {e.list_unsubscribe for e in outbox(sessions)} == {
        "<mailto:unsubscribe@agency.test?subject=unsubscribe>"
    }


async def test_without_either_there_is_no_header(book, sessions, delivery, tmp_path):
    seed(book)
    run_daily_summary(sessions, DAY, delivery)
    for messages in (await sent_messages(sessions, tmp_path)).values():
        for message in messages:
            assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


async def test_sign_in_links_link_codes_passwords_and_operator_alerts_carry_no_unsubscribe(
    book, sessions, delivery, tmp_path
):
    """Messages that are not digests ignore preferences, so they offer no way out of them."""
    people = seed(book)
    run_daily_summary(sessions, DAY, unsubscribing(delivery))  # digests in the same outbox
    contexts = {
        "web_signin": {"url": f"{BASE}/signin/link?token=x", "minutes": 15},
        "link_code": {"code": "123456", "minutes": 10},
        "export_password": {"file_name": "book.xlsx", "password": "pw", "file_went": "slack"},
        "operator_alert": {
            "title": "Outbox stuck",
            "detail": "10 emails",
            "opened": "now",
            "cleared": None,
            "fix": "x",
        },
    }
    emails = [
        build_email(
            kind,
            context,
            message_key=f"other-{kind}",
            to_address="ana.agent@agency.test",
            recipient_id=people["ana"],
        )
        for kind, context in contexts.items()
    ]
    assert all(email.list_unsubscribe is None for email in emails)
    with sessions.begin() as s:
        queue_emails(s, emails, "bob@agency.test")
    received = await sent_messages(sessions, tmp_path)
    digests = [m for m in received["ana.agent@agency.test"] if m["List-Unsubscribe"] is not None]
    others = [m for m in received["ana.agent@agency.test"] if m["List-Unsubscribe"] is None]
    assert [m["Subject"] for m in digests] == ["Daily Summary - 11/23/2026"]
    assert len(others) == len(contexts)
    assert all(m["List-Unsubscribe-Post"] is None for m in others)


def test_the_header_is_folded_between_its_links_and_the_post_header_follows_it():
    from mailer.mime import message_bytes

    raw = message_bytes(
        from_address="bob@agency.test",
        to_address="ana@agency.test",
        subject="Daily Summary - 11/23/2026",
        date=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        message_id="<x@agency.test>",
        body_text="Hello",
        body_html=None,
        list_unsubscribe=f"<{BASE}/unsubscribe/{'A' * 43}>, {MAILTO}",
    )
    head = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    start = head.index(f"List-Unsubscribe: <{BASE}/unsubscribe/{'A' * 43}>,".encode())
    assert head[start + 1] == f" {MAILTO}".encode()
    assert head[start + 2] == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    mailto_only = message_bytes(
        from_address="bob@agency.test",
        to_address="ana@agency.test",
        subject="s",
        date=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        message_id="<y@agency.test>",
        body_text="Hello",
        body_html=None,
        list_unsubscribe=MAILTO,
    )
    assert b"List-Unsubscribe: <mailto:" in mailto_only and b"List-Unsubscribe-Post" not in mailto_only
