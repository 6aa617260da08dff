"""Random command texts never crash the parser or the handlers, and always get an answer.

The handler test dispatches correctly signed requests straight into the Bolt app (no HTTP, so
it runs in seconds) as each person of the authorization matrix, including one who is not
linked. An answer is a non-empty ephemeral reply (in the acknowledgement, or through the response URL
after an empty one), or the form Slack was asked to open.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app
from bot.parsing import BadCommand
from bot.registry import parse_command
from exports.settings import ExportsConfig
from tests.bot_people import CONSUMER_NAME, CONSUMER_PHONE, SLACK_IDS

# Commands as people type them; each {slot} is filled with something that may or may not fit.
TEMPLATES = [
    "crw",
    "crw list",
    "crw list --risk {number}",
    "crw list --aging {number}",
    "crw list --agency {junk}",
    "crw show {case}",
    "crw note {case} {junk}",
    "crw close {case}",
    "crw agency",
    "transfer {case} {agent}",
    "help-request",
    "help-request list open",
    "help-request {request}",
    "help-request new",
    "help-request update {request} {status} {junk}",
    "mailbox {number}",
    "exports",
    "help {junk}",
    "link {agent}",
]
SLOTS = {
    "number": st.sampled_from(["1", "5", "0", "-1", "30", "99999999", "x"]),
    "case": st.sampled_from(
        ["CRW-000101", "crw-000104", "CRW-000105", "CRW-000103", "CRW-999999", "<@U1>", '"']
    ),
    "agent": st.sampled_from(
        ['"Lee Levelto"', "0A22222", "0A33333", "0A44444", "Ana Agent", "Max Manager", "Lee; DROP TABLE", ""]
    ),
    "request": st.sampled_from(["HR-2026-000001", "hr-2026-000002", "HR-1999-000000", "*"]),
    "status": st.sampled_from(["in_progress", "pending-information", "resolved", "done"]),
    "junk": st.text(max_size=30),
}
typed_commands = st.sampled_from(TEMPLATES).flatmap(
    lambda template: st.fixed_dictionaries(
        {slot: strategy for slot, strategy in SLOTS.items() if "{" + slot + "}" in template}
    ).map(lambda filled: template.format(**filled))
)
# `export` is left out: it builds a workbook in the background, which has its own tests.
command_words = st.sampled_from(sorted({template.split(" {")[0] for template in TEMPLATES}))
command_texts = st.one_of(
    # Mostly well-formed commands, so the handlers (not just the parser) do the work.
    typed_commands,
    typed_commands,
    typed_commands,
    st.lists(st.one_of(command_words, st.text(max_size=12)), max_size=5).map(" ".join),
    st.text(max_size=200),
).filter(lambda text: not text.strip().lower().startswith("export"))


@settings(max_examples=400, deadline=timedelta(milliseconds=200))
@given(st.one_of(command_texts, st.text(max_size=400)))
def test_the_parser_answers_every_text_with_a_command(text):
    command = parse_command(text)
    assert is_dataclass(command)
    if isinstance(command, BadCommand):
        assert command.message.strip()
    for field in fields(command):
        value = getattr(command, field.name)
        assert not isinstance(value, str) or len(value) <= 4000


@pytest.fixture
def app(deps, tmp_path) -> AsyncApp:
    """One Bolt app for all of a test's examples (Hypothesis shares the test's fixtures)."""
    exports = ExportsConfig(directory=str(tmp_path / "exports"))
    return build_app(replace(deps, exports_config=exports))


@settings(
    max_examples=150,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(who=st.sampled_from(sorted(SLACK_IDS)), text=command_texts)
async def test_every_text_from_anyone_gets_an_answer(app, cast, slack, who, text):
    event(type(parse_command(text)).__name__)  # --hypothesis-show-statistics shows the mix
    user = cast.as_(who)
    body = user.command_body(text)
    request = AsyncBoltRequest(
        body=body, headers={"content-type": "application/x-www-form-urlencoded", **user.signed_headers(body)}
    )
    response = await app.async_dispatch(request)
    assert response.status == 200, response.body
    sent = parse_qs(body)
    [trigger], [response_url] = sent["trigger_id"], sent["response_url"]
    if not response.body:  # acknowledged first: the form opens, or the answer follows
        later = await slack.wait_for(
            lambda: (
                [c for c in slack.named("views.open") if c.params.get("trigger_id") == trigger]
                or slack.answers_to(response_url)
            )
        )
        assert later, f"no reply and no form for {text!r}"
        if later[0].method == "views.open":
            return
        reply = later[0].params
        assert reply["response_type"] == "ephemeral" and reply["text"].strip()
        assert CONSUMER_NAME not in reply["text"] and CONSUMER_PHONE not in reply["text"]
    elif response.body.startswith("{"):
        reply = json.loads(response.body)
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        assert reply["text"].strip()
        assert CONSUMER_NAME not in reply["text"] and CONSUMER_PHONE not in reply["text"]
    for message in slack.named("chat.postMessage"):
        assert CONSUMER_NAME not in message.text and CONSUMER_PHONE not in message.text
