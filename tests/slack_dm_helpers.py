"""What the Slack DM tests share: a digest book with linked and unlinked people, a paced client
against the fake Slack, and the check that every digest DM reached Slack exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from bot.settings import SlackConfig
from bot.web_client import PacedWebClient, web_client
from store.models import DigestKind, OutboxStatus, Role, SlackDm
from tests.factories import Book
from tests.fake_slack import FakeSlack

DAY = date(2026, 11, 23)
NOTICE_AT = datetime(2026, 11, 22, 18, tzinfo=UTC)
HOSTILE_NAME = "<https://evil.example/login|Verify your account>"


def slack_config(slack: FakeSlack, **kw: Any) -> SlackConfig:
    kw.setdefault("pace_per_second", {})
    kw.setdefault("dm_backoff_seconds", 0.0)
    return SlackConfig(bot_token="xoxb-test", signing_secret="s", api_base_url=slack.api_url, **kw)


def client_for(slack: FakeSlack, **kw: Any) -> tuple[PacedWebClient, SlackConfig]:
    config = slack_config(slack, **kw)
    return web_client(config), config


def digest_book(book: Book, alerts_for_ana: int = 5) -> dict[str, int]:
    """Sunrise: Ana (agent, linked), Bo (agent, never linked), Max (manager, linked)."""
    agency = book.agency()
    people = {
        "ana": book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA"),
        "bo": book.enroller(agency, "Bo", "Unlinked"),
        "max": book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER, slack_user_id="U0MAX"),
    }
    for n in range(alerts_for_ana):
        last = HOSTILE_NAME if n == 0 else f"Consumer{n}"
        book.notice(book.consumer(people["ana"], first_name="Zelda", last_name=last), NOTICE_AT)
    book.notice(book.consumer(people["bo"]), NOTICE_AT)
    return people


def posted_keys(slack: FakeSlack) -> Counter[str]:
    """How many times each delivery key was posted."""
    return Counter(
        call.params["metadata"]["event_payload"]["delivery"]
        for call in slack.posted
        if call.params.get("metadata")
    )


def dm_rows(sessions: Any) -> list[SlackDm]:
    with sessions() as s:
        return list(s.scalars(select(SlackDm).order_by(SlackDm.id)))


def assert_every_dm_posted_once(sessions: Any, slack: FakeSlack) -> None:
    rows = dm_rows(sessions)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    keys = posted_keys(slack)
    expected = {f"{row.kind.value}:{row.recipient_id}:{row.business_date.isoformat()}" for row in rows}
    assert set(keys) == expected
    twice = {key: count for key, count in keys.items() if count > 1}
    assert not twice, f"posted more than once: {twice}"


def seed_dms(sessions: Any, count: int, day: date = DAY) -> None:
    """``count`` linked agents, each with a one-alert digest in the mailbox and its DM queued
    (written in bulk: the drain is what these tests exercise)."""
    from sqlalchemy import insert

    from store.models import Agency, Enroller, MailboxMessage
    from store.slack_dms import QueuedDm, queue_dms

    with sessions.begin() as s:
        agency = Agency(code="burst", name="Burst Agency")
        s.add(agency)
        s.flush()
        s.execute(
            insert(Enroller),
            [
                {
                    "agency_id": agency.id,
                    "first_name": f"Agent{n}",
                    "last_name": "Burst",
                    "license_number": f"0B{n:06d}",
                    "email": f"agent{n}@burst.test",
                    "role": Role.AGENT_L1,
                    "slack_user_id": f"U{n:07d}",
                    "active": True,
                    "created_at": NOTICE_AT,
                    "active_changed_at": NOTICE_AT,
                }
                for n in range(count)
            ],
        )
        ids = dict(
            s.execute(
                select(Enroller.slack_user_id, Enroller.id).where(Enroller.agency_id == agency.id)
            ).all()
        )
        alert = {
            "case_number": "CASE0000001",
            "topic": "nod_notice",
            "topic_title": "NOD Notice",
            "enroller": {"name": "Agent Burst", "license_number": "0B000000"},
            "contact": {"name": "Pat Consumer", "phone": "(916) 555-0100", "email": "pat@consumer.test"},
        }
        s.execute(
            insert(MailboxMessage),
            [
                {
                    "recipient_id": enroller_id,
                    "kind": DigestKind.DAILY_SUMMARY,
                    "business_date": day,
                    "subject": "Daily Summary - 11/23/2026",
                    "alert_count": 1,
                    "body_text": "Daily Summary",
                    "body_html": "<p>Daily Summary</p>",
                    "alerts": [alert],
                    "created_at": NOTICE_AT,
                }
                for enroller_id in ids.values()
            ],
        )
        queue_dms(
            s,
            [QueuedDm(enroller_id, DigestKind.DAILY_SUMMARY, day, user) for user, enroller_id in ids.items()],
        )
