"""Socket Mode: with an app token, bob connects out to Slack (here the fake's WebSocket, at
the URL apps.connections.open gives) and answers commands, buttons and events over it."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from bot.app import start_bot
from bot.deps import BotDeps
from bot.settings import SlackConfig
from mailer.daily_summary import run_daily_summary
from tests.bot_people import SECRET
from tests.fake_slack import TEAM
from tests.slack_dm_helpers import DAY, digest_book


@pytest.fixture
async def socket_bot(sessions, slack, clock):
    config = SlackConfig(
        bot_token="xoxb-test", signing_secret=SECRET, app_token="xapp-test", api_base_url=slack.api_url
    )
    running = await start_bot(
        BotDeps(sessions, config, exports_config=None, from_address="bob@agency.test", clock=clock)
    )
    yield running
    await running.stop()


def command(user_id: str, text: str, response_url: str) -> dict:
    return {
        "token": "legacy-unused",
        "team_id": TEAM,
        "channel_id": "C0GENERAL",
        "user_id": user_id,
        "command": "/bob",
        "text": text,
        "api_app_id": "A0BOB",
        "response_url": response_url,
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
    }


async def test_bob_connects_over_socket_mode_and_answers_a_command(socket_bot, slack):
    assert socket_bot.url is None  # no inbound URL in Socket Mode
    [opened] = slack.named("apps.connections.open")
    ack = await slack.send_envelope("slash_commands", command("U0ANA", "help", slack.response_url()))
    assert "/bob export" in ack["payload"]["text"] and "/bob link" in ack["payload"]["text"]
    assert opened.method == "apps.connections.open"


async def test_socket_mode_serves_the_digest_button_and_the_home_tab(
    socket_bot, slack, book, sessions, delivery
):
    digest_book(book)
    run_daily_summary(sessions, DAY, delivery)
    response_url = slack.response_url()
    ack = await slack.send_envelope("slash_commands", command("U0ANA", "mailbox", response_url))
    if "payload" in ack:
        reply = ack["payload"]
    else:  # a reply later than Slack waits comes through the response URL
        reply = (await slack.wait_for(lambda: slack.answers_to(response_url)))[0].params
    message_id = re.search(r"`(\d+)`", reply["text"]).group(1)
    press = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U0ANA", "team_id": TEAM},
        "api_app_id": "A0BOB",
        "trigger_id": "trigger-1",
        "response_url": slack.response_url("button"),
        "actions": [
            {
                "type": "button",
                "action_id": "digest_open",
                "block_id": "d",
                "value": message_id,
                "action_ts": "1",
            }
        ],
    }
    await slack.send_envelope("interactive", press)
    [page] = await slack.wait_for(lambda: slack.answers_to(press["response_url"]))
    assert "Page 1 of 1" in json.dumps(page.params["blocks"])
    event = {
        "token": "legacy-unused",
        "team_id": TEAM,
        "api_app_id": "A0BOB",
        "type": "event_callback",
        "event_id": "Ev0001",
        "event_time": int(time.time()),
        "event": {
            "type": "app_home_opened",
            "user": "U0ANA",
            "tab": "home",
            "channel": "D0ANA",
            "event_ts": "1.0",
        },
    }
    await slack.send_envelope("events_api", event)
    [home] = await slack.wait_for(lambda: slack.named("views.publish"))
    assert "Daily Summary - 11/23/2026" in home.text
