"""Fixtures for the CRW and help-request bot tests: a running bot on loopback, a fake Slack,
and the cast of the authorization matrix, each already linked to a Slack user id.

The cast: Ana (Agent Level 1, holds the cases), Lee (Agent Level 2), Nia (Agent Level 2 who
never linked Slack), Max (Agency Manager) of Sunrise; Sue (support staff) of the exchange;
Omar (Agency Manager) and Olga (Agent Level 2) of Moonrise; and U0NOBODY, who is not linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import start_bot
from bot.deps import BotDeps
from bot.settings import SlackConfig
from store.models import Role
from tests.fake_slack import FakeSlack, SlackUser

SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SLACK_IDS = {
    "ana": "U0ANA",
    "lee": "U0LEE",
    "max": "U0MAX",
    "sue": "U0SUE",
    "omar": "U0OMAR",
    "olga": "U0OLGA",
    "nobody": "U0NOBODY",
}
CONSUMER_NAME, CONSUMER_PHONE = "Zelda Quintero", "(916) 555-0199"


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Cast:
    ids: dict[str, int]
    cases: dict[str, str]
    user: SlackUser

    def as_(self, who: str) -> SlackUser:
        return self.user.as_user(SLACK_IDS[who])


@pytest.fixture
async def slack():
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def deps(sessions, slack, clock):
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    return BotDeps(sessions, config, exports_config=None, from_address="bob@agency.test", clock=clock)


@pytest.fixture
async def bot_user(deps, slack):
    running = await start_bot(deps)
    yield SlackUser(running.url, slack, SECRET, user_id=SLACK_IDS["ana"])
    await running.stop()


@pytest.fixture
def cast(book, bot_user) -> Cast:
    sunrise = book.agency()
    moonrise = book.agency(code="moonrise", name="Moonrise Insurance")
    exchange = book.agency(code="exchange", name="Exchange Service Center")
    ids = {
        "ana": book.enroller(
            sunrise, "Ana", "Agent", license_number="0A11111", slack_user_id=SLACK_IDS["ana"]
        ),
        "lee": book.enroller(
            sunrise,
            "Lee",
            "Levelto",
            role=Role.AGENT_L2,
            license_number="0A22222",
            slack_user_id=SLACK_IDS["lee"],
        ),
        "nia": book.enroller(sunrise, "Nia", "Nolink", role=Role.AGENT_L2, license_number="0A33333"),
        "max": book.enroller(
            sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER, slack_user_id=SLACK_IDS["max"]
        ),
        "sue": book.enroller(
            exchange, "Sue", "Support", role=Role.SUPPORT_STAFF, slack_user_id=SLACK_IDS["sue"]
        ),
        "omar": book.enroller(
            moonrise, "Omar", "Other", role=Role.AGENCY_MANAGER, slack_user_id=SLACK_IDS["omar"]
        ),
        "olga": book.enroller(
            moonrise,
            "Olga",
            "Otherlevel",
            role=Role.AGENT_L2,
            license_number="0A44444",
            slack_user_id=SLACK_IDS["olga"],
        ),
    }
    first, last = CONSUMER_NAME.split()
    zelda = book.consumer(
        ids["ana"],
        first_name=first,
        last_name=last,
        primary_phone=CONSUMER_PHONE,
        email="zelda@consumer.test",
    )
    book.crw_case(
        zelda,
        ids["ana"],
        NOW - timedelta(days=40),
        risk=5,
        reason="Premium increase",
        case_number="CRW-000101",
    )
    book.crw_case(
        book.consumer(ids["ana"]),
        ids["ana"],
        NOW - timedelta(days=3),
        risk=2,
        reason="Plan discontinued",
        case_number="CRW-000102",
    )
    book.crw_case(
        book.consumer(ids["ana"]),
        ids["ana"],
        NOW - timedelta(days=30),
        closed=NOW - timedelta(days=10),
        case_number="CRW-000103",
    )
    book.crw_case(
        book.consumer(ids["lee"]), ids["lee"], NOW - timedelta(days=8), risk=4, case_number="CRW-000104"
    )
    book.crw_case(
        book.consumer(ids["olga"]), ids["olga"], NOW - timedelta(days=50), risk=3, case_number="CRW-000105"
    )
    numbers = {
        "urgent": "CRW-000101",
        "fresh": "CRW-000102",
        "closed": "CRW-000103",
        "lees": "CRW-000104",
        "moonrise": "CRW-000105",
    }
    return Cast(ids, numbers, bot_user)
