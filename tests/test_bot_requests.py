"""Hostile requests at the bot's HTTP endpoint: nothing from a body reaches a log, a bad
signature or timestamp is a 401 (never a 500), a body is bounded before it is read, a signed
request is accepted once over the whole window its timestamp is valid in, and signed but
malformed payloads get a clear answer or a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from aiohttp import ClientSession

from bot.verification import MAX_BODY_BYTES, WINDOW_SECONDS, SignedRequests
from tests.bot_people import SECRET
from tests.fake_slack import TEAM, SlackUser

FORM = "application/x-www-form-urlencoded"
SSN = "078-05-1120"
FORGED = "\nERROR bob.forged: the admin password is hunter2"


@pytest.fixture(autouse=True)
def logs(caplog):
    """Every log record at DEBUG, from before the bot starts (as with `bob serve -v`)."""
    caplog.set_level(logging.DEBUG)
    return caplog


def signed_headers(body: bytes, timestamp: int) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (``SlackUser`` signs text)."""
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


def crw_note_body(user: SlackUser) -> str:
    return user.command_body(f"crw note CRW-000101 called Zelda at (916) 555-0199, SSN {SSN}{FORGED}")


def assert_nothing_of_the_body_in(logs) -> None:
    assert SSN not in logs.text
    assert "555-0199" not in logs.text and "Zelda" not in logs.text
    assert "forged" not in logs.text and "hunter2" not in logs.text


async def test_a_signed_but_stale_request_is_refused_without_logging_its_body(bot_user, logs):
    body = crw_note_body(bot_user)
    headers = bot_user.signed_headers(body, timestamp=int(time.time()) - WINDOW_SECONDS - 1)
    status, _ = await bot_user.post(body, headers, FORM)
    assert status == 401
    assert_nothing_of_the_body_in(logs)


async def test_an_unsigned_request_is_refused_without_logging_its_body(bot_user, logs):
    status, _ = await bot_user.post(crw_note_body(bot_user), {}, FORM)
    assert status == 401
    assert_nothing_of_the_body_in(logs)


async def test_a_body_signed_with_another_secret_is_refused_without_logging_it(bot_user, logs):
    body = crw_note_body(bot_user)
    forged = SlackUser(bot_user.bot_url, bot_user.slack, "not-the-secret").signed_headers(body)
    status, _ = await bot_user.post(body, forged, FORM)
    assert status == 401
    assert_nothing_of_the_body_in(logs)


async def test_a_one_megabyte_unsigned_body_is_refused_before_it_is_read_or_logged(bot_user, logs):
    body = (crw_note_body(bot_user) + "&padding=" + "x" * 1_000_000).encode()
    async with ClientSession() as http:
        for _ in range(3):
            async with http.post(
                bot_user.bot_url, data=io.BytesIO(body), headers={"Content-Type": FORM}
            ) as response:
                assert response.status == 413
    assert_nothing_of_the_body_in(logs)
    assert len(logs.text) < 2_000


async def test_a_non_numeric_timestamp_is_a_401_not_a_500(bot_user, logs):
    body = crw_note_body(bot_user)
    for timestamp in ("soon", "", "1e9", "١٢٣", "99999999999999999999999999"):
        headers = {**bot_user.signed_headers(body), "X-Slack-Request-Timestamp": timestamp}
        status, _ = await bot_user.post(body, headers, FORM)
        assert status == 401, timestamp
    assert "Traceback" not in logs.text
    assert_nothing_of_the_body_in(logs)


async def test_a_request_signed_in_the_future_is_accepted_once(bot_user):
    body = bot_user.command_body("help")
    headers = bot_user.signed_headers(body, timestamp=int(time.time()) + 290)
    first, _ = await bot_user.post(body, headers, FORM)
    again, _ = await bot_user.post(body, headers, FORM)
    assert (first, again) == (200, 401)


def test_a_request_signed_290_s_ahead_cannot_be_replayed_302_s_later():
    now = [1_800_000_000.0]
    requests = SignedRequests(SECRET, clock=lambda: now[0])
    body = b"command=%2Fbob&text=help"
    headers = signed_headers(body, int(now[0]) + 290)
    assert requests.refusal(headers, body) is None
    now[0] += 302
    assert requests.refusal(headers, body) == "replayed"
    now[0] += 300
    assert requests.refusal(headers, body) == "stale"


def test_the_body_limit_leaves_room_for_the_largest_slack_payload():
    assert 256 * 1024 <= MAX_BODY_BYTES < 1024 * 1024


# Signed but malformed payloads


def payload_body(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


async def signed_post(user: SlackUser, body: str, content_type: str = FORM):
    return await user.post(body, user.signed_headers(body), content_type)


async def test_signed_bad_json_is_a_400(bot_user, logs):
    for body, content_type in (
        ('{"type": "event_callback", "event": ', "application/json"),
        (urlencode({"payload": "{not json"}), FORM),
        (urlencode({"payload": '"just a string"'}), FORM),
        ("[1, 2, 3]", "application/json"),
        (payload_body({"type": "view_submission", "user": {"id": "U0ANA"}, "view": {"id": "V1"}}), FORM),
        (payload_body({"type": "view_submission", "user": {"id": "U0ANA"}, "view": "V1"}), FORM),
        (payload_body({"type": "block_actions", "user": {"id": "U0ANA"}, "actions": "press"}), FORM),
        (payload_body({"type": "block_actions", "user": {"id": "U0ANA"}, "actions": [None]}), FORM),
        (json.dumps({"type": "event_callback", "event": ["app_home_opened"]}), "application/json"),
    ):
        status, _ = await signed_post(bot_user, body, content_type)
        assert status == 400, body
    assert "Traceback" not in logs.text


async def test_a_signed_body_that_is_not_utf8_is_a_400(bot_user):
    body = b"command=%2Fbob&text=\xff\xfe"
    headers = {**signed_headers(body, int(time.time())), "Content-Type": FORM}
    async with ClientSession() as http, http.post(bot_user.bot_url, data=body, headers=headers) as response:
        assert response.status == 400


async def test_signed_block_actions_without_actions_is_answered(bot_user, logs):
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U0ANA"},
        "api_app_id": "A0BOB",
        "trigger_id": "trigger-1",
    }
    status, _ = await signed_post(bot_user, payload_body(payload))
    assert status == 400
    assert "Traceback" not in logs.text


async def test_signed_unknown_view_callback_is_answered(bot_user, logs):
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": "U0ANA"},
        "api_app_id": "A0BOB",
        "view": {"id": "V1", "type": "modal", "callback_id": f"nobody_knows {SSN}", "state": {"values": {}}},
    }
    status, _ = await signed_post(bot_user, payload_body(payload))
    assert status == 400
    assert "Traceback" not in logs.text
    assert SSN not in logs.text


async def test_a_signed_command_without_user_id_gets_a_clear_reply(bot_user, logs):
    for text in ("mailbox", "crw list", "help-request list", "exports", "link 0A11111", "export"):
        body = urlencode(
            {"team_id": TEAM, "command": "/bob", "text": text, "response_url": bot_user.slack.response_url()}
        )
        status, answer = await signed_post(bot_user, body)
        assert status in (200, 400), text
        if status == 200:
            assert "Slack user" in str(answer), text
    assert "Traceback" not in logs.text
