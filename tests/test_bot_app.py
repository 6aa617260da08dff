"""The bot over real HTTP: signed requests in, Web API calls out to a local fake Slack."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import start_bot
from bot.deps import BotDeps
from bot.settings import SlackConfig
from mailer.daily_summary import run_daily_summary
from store.errors import BobError
from store.models import AuditEntry, Enroller, LinkCode, OutboxEmail, Role
from tests.fake_slack import SlackUser

SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture
async def ana(sessions, slack, clock):
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    deps = BotDeps(sessions, config, exports_config=None, from_address="bob@agency.test", clock=clock)
    running = await start_bot(deps)
    yield SlackUser(running.url, slack, SECRET, user_id="U0ANA")
    await running.stop()


@pytest.fixture
def people(book):
    agency = book.agency()
    return {
        "agency": agency,
        "ana": book.enroller(agency, "Ana", "Agent", license_number="0A11111"),
        "max": book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER),
    }


def outbox(sessions) -> list[OutboxEmail]:
    with sessions() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def code_from(email: OutboxEmail) -> str:
    return re.search(r"code is (\d{6})", email.body_text).group(1)


async def link(user: SlackUser, sessions, license_number: str) -> None:
    await user.command(f"link {license_number}")
    await user.command(f"link {code_from(outbox(sessions)[-1])}")


# Signed requests


async def test_it_answers_a_correctly_signed_command_on_loopback_only(ana):
    assert ana.bot_url.startswith("http://127.0.0.1:")
    status, text = await ana.command("help")
    assert status == 200
    assert "/bob export" in text and "/bob link" in text


async def test_it_rejects_an_unsigned_request(ana):
    body = ana.command_body("help")
    status, _ = await ana.post(body, {}, "application/x-www-form-urlencoded")
    assert status == 401


async def test_it_rejects_a_request_signed_with_another_secret(ana):
    body = ana.command_body("help")
    forged = SlackUser(ana.bot_url, ana.slack, "not-the-secret").signed_headers(body)
    status, _ = await ana.post(body, forged, "application/x-www-form-urlencoded")
    assert status == 401


async def test_it_rejects_a_stale_request(ana):
    body = ana.command_body("help")
    headers = ana.signed_headers(body, timestamp=int(time.time()) - 5 * 60 - 1)
    status, _ = await ana.post(body, headers, "application/x-www-form-urlencoded")
    assert status == 401


async def test_it_rejects_a_replayed_request(ana):
    body = ana.command_body("help")
    headers = ana.signed_headers(body)
    first, _ = await ana.post(body, headers, "application/x-www-form-urlencoded")
    again, answer = await ana.post(body, headers, "application/x-www-form-urlencoded")
    assert (first, again) == (200, 401)
    assert "already received" in answer


async def test_it_rejects_a_tampered_body(ana):
    body = ana.command_body("help")
    headers = ana.signed_headers(body)
    status, _ = await ana.post(body.replace("help", "mailbox"), headers, "application/x-www-form-urlencoded")
    assert status == 401


# Help and bad input


async def test_an_unknown_subcommand_gets_the_list_of_commands(ana):
    _, text = await ana.command("frobnicate now")
    assert "I don't know `frobnicate`" in text
    assert "/bob exports get <token>" in text


# Linking


async def test_an_unlinked_user_gets_only_instructions(ana, people):
    _, text = await ana.command("mailbox")
    assert "/bob link <your license number or email on file>" in text


async def test_it_links_a_slack_user_by_a_code_emailed_to_the_address_on_file(ana, people, sessions):
    _, text = await ana.command("link 0A11111")
    assert "we emailed a code to the address on file" in text
    assert "ana.agent@agency.test" not in text
    [email] = outbox(sessions)
    assert (email.to_address, email.subject) == ("ana.agent@agency.test", "Your bob link code")
    code = code_from(email)
    assert email.body_text == (
        f"Your bob link code is {code}.\n\n"
        f"In Slack, type /bob link {code} within 15 minutes to link your Slack account.\n"
        "The code works once. If you did not ask for it, ignore this email: nobody can link "
        "your account without it.\n"
    )
    assert f"<p>Your bob link code is <strong>{code}</strong>.</p>" in email.body_html
    assert f"<code>/bob link {code}</code> within 15 minutes" in email.body_html
    assert "<title>Your bob link code</title>" in email.body_html
    with sessions() as s:
        assert code not in s.scalar(select(LinkCode.code_hash))
    _, text = await ana.command(f"link {code}")
    assert "Linked: you are Ana Agent" in text
    with sessions() as s:
        assert s.get(Enroller, people["ana"]).slack_user_id == "U0ANA"
    _, text = await ana.command(f"link {code}")
    assert "No code is waiting for you" in text
    _, text = await ana.command("link 0A11111")
    assert "already linked as Ana Agent" in text
    _, text = await ana.command("mailbox")
    assert "mailbox is empty" in text


async def test_a_code_works_once_and_only_for_the_slack_user_who_asked(ana, people, sessions):
    await ana.command("link ana.agent@agency.test")
    code = code_from(outbox(sessions)[0])
    mallory = ana.as_user("U0MALLORY")
    _, text = await mallory.command(f"link {code}")
    assert "No code is waiting for you" in text
    _, text = await ana.command(f"link {code}")
    assert "Linked" in text
    await ana.as_user("U0ANA2").command("link 0A11111")
    with sessions() as s:
        assert s.get(Enroller, people["ana"]).slack_user_id == "U0ANA"


async def test_a_code_expires_after_fifteen_minutes(ana, people, sessions, clock):
    await ana.command("link 0A11111")
    clock.now = NOW + timedelta(minutes=15, seconds=1)
    _, text = await ana.command(f"link {code_from(outbox(sessions)[0])}")
    assert "codes expire after 15 minutes" in text


async def test_five_wrong_tries_lock_the_code(ana, people, sessions):
    await ana.command("link 0A11111")
    code = code_from(outbox(sessions)[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    replies = [(await ana.command(f"link {wrong}"))[1] for _ in range(5)]
    assert "4 tries left" in replies[0] and "0 tries left" in replies[4]
    _, text = await ana.command(f"link {code}")
    assert "tried too many times" in text


async def test_codes_are_rate_limited_per_slack_user(ana, people, sessions, clock):
    replies = [(await ana.command("link 0A11111"))[1] for _ in range(4)]
    assert "3 codes in the last hour" in replies[3]
    assert len(outbox(sessions)) == 3
    clock.now = NOW + timedelta(hours=1, minutes=1)
    await ana.command("link 0A11111")
    assert len(outbox(sessions)) == 4


async def test_an_unknown_license_gets_the_same_reply_and_no_email(ana, people, sessions):
    _, known = await ana.command("link 0A11111")
    _, unknown = await ana.as_user("U0OTHER").command("link 0A99999")
    assert known == unknown
    assert len(outbox(sessions)) == 1


async def test_link_attempts_are_audited_without_pii(ana, people, sessions):
    await ana.command("link ana.agent@agency.test")
    await ana.command("link 000000")
    with sessions() as s:
        rows = s.execute(
            select(
                AuditEntry.action,
                AuditEntry.outcome,
                AuditEntry.actor_slack_id,
                AuditEntry.target,
                AuditEntry.detail,
            )
        ).all()
    assert ("slack_link_requested", "code_sent", "U0ANA", None, None) in rows
    assert any(r.outcome in ("wrong_code",) for r in rows)
    assert "ana.agent@agency.test" not in str(rows)


# Mailbox and Home tab


@pytest.fixture
def digest(book, people, sessions, delivery):
    consumer = book.consumer(
        people["ana"], first_name="Zelda", last_name="Quintero", primary_phone="(916) 555-0199"
    )
    book.notice(consumer, datetime(2026, 11, 22, 18, tzinfo=UTC))
    run_daily_summary(sessions, date(2026, 11, 23), delivery)


async def test_the_mailbox_lists_digests_and_shows_one_only_to_its_owner(
    ana, people, sessions, digest, caplog
):
    caplog.set_level(logging.DEBUG)
    await link(ana, sessions, "0A11111")
    _, listing = await ana.command("mailbox")
    assert "Daily Summary - 11/23/2026" in listing and "(1 alert)" in listing
    message_id = re.search(r"`(\d+)`", listing).group(1)
    _, shown = await ana.command_reply(f"mailbox {message_id}")
    assert "Zelda" in str(shown["blocks"]) and "(916) 555-0199" in str(shown["blocks"])
    assert "Zelda" not in shown["text"]  # the notification text carries no consumer PII
    max_user = ana.as_user("U0MAX")
    await link(max_user, sessions, "0A" + "00002")
    _, other = await max_user.command(f"mailbox {message_id}")
    assert "Zelda" not in other and f"no message {message_id}" in other
    non_ephemeral = [c for c in ana.slack.calls if c.method in ("chat.postMessage",)]
    assert non_ephemeral == []
    assert "Zelda" not in caplog.text and "555-0199" not in caplog.text


async def test_the_home_tab_shows_the_mailbox_newest_first(ana, people, sessions, digest):
    assert await ana.open_home() == 200
    first = await ana.slack.wait_for(lambda: ana.slack.named("views.publish"))
    assert "/bob link" in first[0].text
    await link(ana, sessions, "0A11111")
    await ana.open_home()
    views = await ana.slack.wait_for(
        lambda: len(ana.slack.named("views.publish")) == 2 and ana.slack.named("views.publish")
    )
    view = views[1].params
    assert view["user_id"] == "U0ANA"
    assert "Daily Summary - 11/23/2026" in views[1].text
    assert "Zelda" not in views[1].text


async def test_the_bot_will_not_start_without_its_secrets(sessions):
    with pytest.raises(BobError, match="BOB_SLACK_SIGNING_SECRET"):
        await start_bot(
            BotDeps(
                sessions,
                SlackConfig(bot_token="xoxb-test", signing_secret=""),
                exports_config=None,
                from_address="bob@agency.test",
            )
        )
