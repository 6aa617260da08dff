"""From Slack to the browser: `/bob mailbox` and the App Home carry an "Open in browser"
button whose URL is a one-time sign-in link minted for the linked user who asked."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from bot.app import start_bot
from bot.block_limits import limit_problems
from bot.deps import BotDeps
from bot.settings import SlackConfig
from tests.bot_people import SECRET
from tests.fake_slack import SlackUser
from tests.web_fixtures import audit_log

BASE = "http://bob.agency.test"


async def slack_user(sessions, slack, clock, web_base_url: str, user_id: str):
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    deps = BotDeps(
        sessions, config, exports_config=None, from_address="bob@agency.test", clock=clock,
        web_base_url=web_base_url,
    )  # fmt: skip
    running = await start_bot(deps)
    return running, SlackUser(running.url, slack, SECRET, user_id=user_id)


@pytest.fixture
async def max_on_slack(web_people, book, sessions, slack, clock):
    from sqlalchemy import update

    from store.db import transaction
    from store.models import Enroller

    with transaction(sessions) as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["max"]).values(slack_user_id="U0MAX"))
    running, user = await slack_user(sessions, slack, clock, BASE, "U0MAX")
    yield user
    await running.stop()


def button_url(reply: dict) -> str:
    """The "Open in browser" button's URL (a paged digest also has its Previous/Next block)."""
    actions = [b for b in reply.get("blocks", []) if b["type"] == "actions"]
    (button,) = [e for b in actions for e in b["elements"] if e["text"]["text"] == "Open in browser"]
    return button["url"]


async def test_the_mailbox_reply_opens_the_mailbox_in_the_browser(
    max_on_slack, browser, sessions, web_people
):
    status, reply = await max_on_slack.command_reply("mailbox")
    assert status == 200 and "Daily Manager Summary" in reply["text"]
    url = button_url(reply)
    assert url.startswith(f"{BASE}/signin/link?token=")
    token = url.split("token=", 1)[1]
    assert await browser.use_token(token) == "/mailbox"
    assert "Signed in as Max Manager" in await browser.page("/mailbox")
    minted = audit_log(sessions, "web.signin_link_minted")
    assert [(e.actor_id, e.outcome) for e in minted] == [(web_people.ids["max"], "minted")]


async def test_the_reply_to_one_digest_opens_that_digest(max_on_slack, browser, web_people):
    digest = web_people.digests["max:manager_summary"]
    _, reply = await max_on_slack.command_reply(f"mailbox {digest}")
    token = button_url(reply).split("token=", 1)[1]
    assert await browser.use_token(token) == f"/mailbox/{digest}"
    assert "Lee Level" in await browser.page(f"/mailbox/{digest}")


async def test_no_button_for_an_unlinked_user_or_without_a_web_address(web_people, sessions, slack, clock):
    running, stranger = await slack_user(sessions, slack, clock, BASE, "U0NOBODY")
    try:
        _, reply = await stranger.command_reply("mailbox")
        assert "blocks" not in reply and "/bob link" in reply["text"]
    finally:
        await running.stop()
    from sqlalchemy import update

    from store.db import transaction
    from store.models import Enroller

    with transaction(sessions) as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["ana"]).values(slack_user_id="U0ANA"))
    running, ana = await slack_user(sessions, slack, clock, "", "U0ANA")
    try:
        _, reply = await ana.command_reply("mailbox")
        assert "Daily Summary - 11/23/2026" in reply["text"] and "blocks" not in reply
    finally:
        await running.stop()
    assert audit_log(sessions, "web.signin_link_minted") == []


async def test_the_home_tab_carries_the_button(max_on_slack, browser):
    assert await max_on_slack.open_home() == 200
    (call,) = await max_on_slack.slack.wait_for(lambda: max_on_slack.slack.named("views.publish"))
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    token = button_url(view).split("token=", 1)[1]
    assert await browser.use_token(token) == "/mailbox"


async def test_pressing_the_button_is_acknowledged(max_on_slack):
    payload = {
        "type": "block_actions",
        "team": {"id": "T0BOB", "domain": "bob-test"},
        "user": {"id": "U0MAX", "username": "max", "team_id": "T0BOB"},
        "api_app_id": "A0BOB",
        "token": "legacy-unused",
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "container": {"type": "message", "message_ts": f"{time.time():.6f}"},
        "actions": [
            {
                "type": "button",
                "action_id": "open_in_browser",
                "block_id": "b1",
                "action_ts": f"{time.time():.6f}",
            }
        ],
        "response_url": max_on_slack.slack.response_url(),
    }
    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await max_on_slack.post(
        body, max_on_slack.signed_headers(body), "application/x-www-form-urlencoded"
    )
    assert status == 200


async def test_a_long_digest_beside_the_button_stays_within_block_kits_limits(
    max_on_slack, sessions, web_people
):
    from datetime import date

    from store.db import transaction
    from store.models import DigestKind, MailboxMessage

    with transaction(sessions) as s:
        row = MailboxMessage(
            recipient_id=web_people.ids["max"],
            kind=DigestKind.MANAGER_SUMMARY,
            business_date=date(2026, 11, 20),
            subject="Daily Manager Summary - 11/20/2026",
            alert_count=500,
            body_text="x" * 20_000,
            body_html="",
        )
        s.add(row)
        s.flush()
        long_id = row.id
    _, reply = await max_on_slack.command_reply(f"mailbox {long_id}")
    assert limit_problems(reply["blocks"]) == []  # the digest is paged, never cut
    button_url(reply)
