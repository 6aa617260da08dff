"""`/bob help-request` over signed HTTP: the new-request form, status, lists and updates, for
every role of the authorization matrix."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.help_request_command import (
    HelpRequestListCommand,
    HelpRequestNewCommand,
    HelpRequestShowCommand,
    HelpRequestUpdateCommand,
)
from bot.parsing import BadCommand
from bot.registry import parse_command
from rules.casework.help_requests import create_request, update_request
from store.models import AuditEntry, HelpCategory, HelpRequest, HelpStatus
from tests.bot_people import NOW
from tests.fake_slack import SlackUser

LINK_HINT = "/bob link <your license number or email on file>"


def seen(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


async def ask(user: SlackUser, text: str) -> dict[str, Any]:
    status, reply = await user.command_reply(text)
    assert status == 200
    assert reply.get("response_type") == "ephemeral", "help-request replies are only for the asker"
    return reply


@pytest.fixture
def requests(cast, sessions) -> dict[str, str]:
    """Ana's open request, Lee's resolved one, and one from Moonrise."""

    def file(who: str, category: str, topic: str, at: datetime) -> str:
        return create_request(sessions, cast.ids[who], category, topic, f"Details from {who}.", at).number

    numbers = {
        "ana": file(
            "ana", HelpCategory.CONSUMER_CASE, "Application stuck in review", NOW - timedelta(days=3)
        ),
        "lee": file("lee", HelpCategory.CONTRACTS, "Certification renewal", NOW - timedelta(days=2)),
        "omar": file("omar", HelpCategory.PROFILE, "Agency address change", NOW - timedelta(days=1)),
    }
    update_request(
        sessions, cast.ids["sue"], numbers["lee"], HelpStatus.RESOLVED, "Renewed.", NOW - timedelta(days=1)
    )
    return numbers


# Parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help-request", HelpRequestListCommand()),
        ("help-request list", HelpRequestListCommand()),
        ("help-request list open", HelpRequestListCommand(open_only=True)),
        ("help-request hr-2026-000001", HelpRequestShowCommand("HR-2026-000001")),
        ("help-request new", HelpRequestNewCommand()),
        (
            "help-request update HR-2026-000001 in-progress called the team",
            HelpRequestUpdateCommand("HR-2026-000001", HelpStatus.IN_PROGRESS, "called the team"),
        ),
        (
            "help-request update HR-2026-000001 resolved",
            HelpRequestUpdateCommand("HR-2026-000001", HelpStatus.RESOLVED),
        ),
    ],
)
def test_it_understands_the_help_request_commands(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("help-request list closed", "/bob help-request list [open]"),
        ("help-request new now", "/bob help-request new"),
        ("help-request <@U1>", "/bob help-request <number>"),
        ("help-request update", "/bob help-request update <number> <status>"),
        ("help-request update HR-2026-000001 done", "`done` is not a help-request status"),
    ],
)
def test_it_says_what_to_type_instead(text, hint):
    command = parse_command(text)
    assert isinstance(command, BadCommand)
    assert hint in command.message


# The new-request form


def form_values(category: str | None, topic: str | None, details: str | None) -> dict[str, Any]:
    chosen = {"text": {"type": "plain_text", "text": category}, "value": category}
    return {
        "category": {"value": {"type": "static_select", "selected_option": chosen if category else None}},
        "topic": {"value": {"type": "plain_text_input", "value": topic}},
        "details": {"value": {"type": "plain_text_input", "value": details}},
    }


async def test_new_opens_a_form_and_its_submission_files_a_routed_request(cast, sessions):
    ana = cast.as_("ana")
    status, reply = await ana.command_reply("help-request new", answered=False)
    assert (status, reply) == (200, {})
    [opened] = await ana.slack.wait_for(lambda: ana.slack.named("views.open"))
    view = opened.params["view"]
    assert view["callback_id"] == "help_request_new"
    categories = [
        o["value"] for b in view["blocks"] if b["block_id"] == "category" for o in b["element"]["options"]
    ]
    assert categories == [c.value for c in HelpCategory]

    _, answer = await ana.submit_view(view, form_values(None, " ", None))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"category", "topic", "details"}
    _, answer = await ana.submit_view(view, form_values("Not a category", "Topic", "Details"))
    assert set(answer["errors"]) == {"category"}
    with sessions() as s:
        assert s.scalars(select(HelpRequest)).all() == []

    _, answer = await ana.submit_view(
        view,
        form_values(HelpCategory.CONTRACTS.value, "Certification renewal", "My certificate expires soon."),
    )
    assert answer["response_action"] == "update"
    with sessions() as s:
        filed = s.scalars(select(HelpRequest)).one()
    assert (filed.enroller_id, filed.category, filed.status, filed.routed_team) == (
        cast.ids["ana"],
        HelpCategory.CONTRACTS,
        HelpStatus.SUBMITTED,
        "Agent Contracts and Certification Services",
    )
    assert filed.number == f"HR-2026-{filed.id:06d}"
    assert f"*{filed.number}* is filed and routed to Agent Contracts" in seen(answer["view"])


async def test_an_unlinked_user_cannot_open_the_form(cast):
    nobody = cast.as_("nobody")
    _, reply = await nobody.command_reply("help-request new")
    assert LINK_HINT in reply["text"]
    assert nobody.slack.named("views.open") == []


# Status: who may read which request


@pytest.mark.parametrize("who", ["ana", "max", "sue"])
async def test_the_filer_their_manager_and_support_staff_see_a_request(cast, requests, who):
    number = requests["ana"]
    reply = await ask(cast.as_(who), f"help-request {number.lower()}")
    shown = seen(reply["blocks"])
    assert f"Help request {number}" in shown and "Application stuck in review" in shown
    assert "Consumer Case Team" in shown and "Ana Agent (License 0A11111)" in shown
    assert reply["text"] == f"Help request {number}: submitted."


@pytest.mark.parametrize("who", ["lee", "omar"])
async def test_anyone_else_cannot_tell_it_from_a_missing_number(cast, requests, sessions, who):
    number = requests["ana"]
    reply = await ask(cast.as_(who), f"help-request {number}")
    missing = await ask(cast.as_(who), "help-request HR-2026-999999")
    assert reply["text"].startswith(f"No help request {number} that you can see")
    assert reply["text"].replace(number, "HR-2026-999999") == missing["text"]
    assert "blocks" not in reply
    with sessions() as s:
        outcomes = s.execute(
            select(AuditEntry.target, AuditEntry.outcome).where(AuditEntry.action == "help.show")
        ).all()
    assert (number, "refused") in outcomes


@pytest.mark.parametrize(
    "text", ["help-request", "help-request HR-2026-000001", "help-request update HR-2026-000001 closed"]
)
async def test_an_unlinked_user_gets_only_link_instructions(cast, requests, text):
    _, reply = await cast.as_("nobody").command_reply(text)
    assert LINK_HINT in reply["text"] and "blocks" not in reply


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("ana", {"ana"}),
        ("lee", {"lee"}),
        ("max", {"ana", "lee"}),
        ("omar", {"omar"}),
        ("sue", {"ana", "lee", "omar"}),
    ],
)
async def test_each_role_lists_what_it_may_read(cast, requests, who, visible):
    listed = seen(await ask(cast.as_(who), "help-request list"))
    assert {filer for filer, number in requests.items() if number in listed} == visible


async def test_list_open_leaves_resolved_requests_out(cast, requests):
    listed = seen(await ask(cast.as_("max"), "help-request list open"))
    assert requests["ana"] in listed and requests["lee"] not in listed
    empty = await ask(cast.as_("lee"), "help-request list open")
    assert empty["text"] == "Open help requests: none. File one with `/bob help-request new`."


# Updates


async def test_support_staff_update_the_status_with_a_note(cast, requests, clock):
    number = requests["ana"]
    reply = await ask(
        cast.as_("sue"), f"help-request update {number} pending-information Need the consumer's notice"
    )
    assert reply["text"] == f"Help request {number} is now pending information with your note."
    shown = seen((await ask(cast.as_("ana"), f"help-request {number}"))["blocks"])
    assert "Sue Support: pending information - Need the consumer's notice" in shown


@pytest.mark.parametrize("who", ["ana", "lee", "max", "omar"])
async def test_only_support_staff_may_update(cast, requests, sessions, who):
    number = requests["ana"]
    reply = await ask(cast.as_(who), f"help-request update {number} closed")
    assert reply["text"] == "Only support staff can update a help request's status."
    with sessions() as s:
        assert s.scalar(select(HelpRequest.status).where(HelpRequest.number == number)) == (
            HelpStatus.SUBMITTED
        )


async def test_updating_a_missing_request_says_so(cast, requests):
    reply = await ask(cast.as_("sue"), "help-request update HR-2026-999999 closed")
    assert reply["text"].startswith("No help request HR-2026-999999")
