"""The `/bob link` limits hold when requests arrive at once: five tries per code, three codes an
hour per Slack user and per license or email asked for (whether or not it is on file), and a
Slack user whose enroller was deactivated can link to another one.

Each request runs as `/bob link` runs it: its own session, one transaction, in its own thread.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.deps import BotDeps
from bot.link_command import LinkCodeCommand, LinkStartCommand, link_reply
from bot.settings import SlackConfig
from store.models import AuditEntry, Enroller, OutboxEmail

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(sessions, clock) -> BotDeps:
    config = SlackConfig(bot_token="xoxb-test", signing_secret="test-signing-secret")
    return BotDeps(sessions, config, exports_config=None, from_address="bob@agency.test", clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def enrollers(book) -> dict[str, int]:
    agency = book.agency()
    return {
        "ana": book.enroller(agency, "Ana", "Agent", license_number="0A11111"),
        "lee": book.enroller(agency, "Lee", "Levelto", license_number="0A22222"),
    }


def at_once(count: int, work) -> list[str]:
    with ThreadPoolExecutor(max_workers=min(count, 16)) as pool:
        return list(pool.map(work, range(count)))


def codes_sent(sessions) -> list[str]:
    with sessions() as s:
        bodies = s.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id))
        return [re.search(r"code is (\d{6})", body).group(1) for body in bodies]


def ask(deps: BotDeps, slack_user_id: str, license_or_email: str) -> str:
    return link_reply(deps, slack_user_id, LinkStartCommand(license_or_email))


def enter(deps: BotDeps, slack_user_id: str, code: str) -> str:
    return link_reply(deps, slack_user_id, LinkCodeCommand(code))


def test_forty_simultaneous_wrong_guesses_check_five_and_lock_the_code(deps, enrollers, sessions):
    ask(deps, "U0MALLORY", "0A11111")
    [code] = codes_sent(sessions)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    replies = at_once(40, lambda _: enter(deps, "U0MALLORY", wrong))
    kinds = Counter("not right" if "not right" in r else "locked" if "too many" in r else r for r in replies)
    assert kinds == {"not right": 5, "locked": 35}
    assert sorted(re.search(r"(\d) tries left", r).group(1) for r in replies if "not right" in r) == list(
        "01234"
    )
    assert "tried too many times" in enter(deps, "U0MALLORY", code)
    with sessions() as s:
        assert s.get(Enroller, enrollers["ana"]).slack_user_id is None
        outcomes = Counter(
            s.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "slack_link_completed"))
        )
    assert outcomes == {"wrong_code": 5, "locked": 36}


def test_the_right_code_entered_twice_at_once_links_once(deps, enrollers, sessions):
    ask(deps, "U0ANA", "0A11111")
    [code] = codes_sent(sessions)
    replies = at_once(8, lambda _: enter(deps, "U0ANA", code))
    assert sum("Linked" in r for r in replies) == 1


def test_twenty_simultaneous_requests_from_one_slack_user_send_three_codes(deps, enrollers, sessions):
    replies = at_once(20, lambda _: ask(deps, "U0MALLORY", "0A11111"))
    assert len(codes_sent(sessions)) == 3
    assert sum("3 codes in the last hour" in r for r in replies) == 17


def test_twenty_slack_users_asking_for_one_license_at_once_send_three_codes(deps, enrollers, sessions):
    replies = at_once(20, lambda n: ask(deps, f"U0MALLORY{n}", "0A11111"))
    assert len(codes_sent(sessions)) == 3
    assert sum("3 codes in the last hour" in r for r in replies) == 17


def test_a_license_and_its_email_together_send_at_most_three_codes_an_hour(deps, enrollers, sessions):
    for n, asked in enumerate(["0A11111", "ana.agent@agency.test", " 0a11111 ", "ANA.AGENT@agency.test"] * 2):
        ask(deps, f"U0MALLORY{n}", asked)
    assert len(codes_sent(sessions)) == 3


def test_the_limit_answers_alike_whether_or_not_the_license_is_on_file(deps, enrollers, sessions, clock):
    known = [ask(deps, "U0ONE", "0A11111") for _ in range(4)]
    unknown = [ask(deps, "U0TWO", "0A99999") for _ in range(4)]
    assert known == unknown
    assert "3 codes in the last hour" in unknown[3]
    asking_for_lee = [ask(deps, f"U0STRANGER{n}", "0A22222") for n in range(4)]
    asking_for_nobody = [ask(deps, f"U0OTHER{n}", "nobody@agency.test") for n in range(4)]
    assert asking_for_lee == asking_for_nobody
    assert "3 codes in the last hour" in asking_for_nobody[3]
    clock.now = NOW + timedelta(hours=1, minutes=1)
    assert "3 codes" not in ask(deps, "U0TWO", "0A99999")


def test_a_slack_user_linked_to_a_deactivated_enroller_can_link_to_another(deps, enrollers, sessions):
    ask(deps, "U0ANA", "0A11111")
    assert "Linked" in enter(deps, "U0ANA", codes_sent(sessions)[-1])
    with sessions.begin() as s:
        s.execute(update(Enroller).where(Enroller.id == enrollers["ana"]).values(active=False))
    ask(deps, "U0ANA", "0A22222")
    assert "Linked: you are Lee Levelto" in enter(deps, "U0ANA", codes_sent(sessions)[-1])
    with sessions() as s:
        assert s.get(Enroller, enrollers["ana"]).slack_user_id is None
        assert s.get(Enroller, enrollers["lee"]).slack_user_id == "U0ANA"
