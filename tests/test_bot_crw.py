"""`/bob crw` and `/bob transfer` over signed HTTP: tiles, lists, one case, notes, the close
form, the agency view and transfers, for every role of the authorization matrix."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.crw_command import (
    CrwAgencyCommand,
    CrwCloseCommand,
    CrwListCommand,
    CrwNoteCommand,
    CrwShowCommand,
    CrwTilesCommand,
)
from bot.parsing import BadCommand
from bot.registry import parse_command
from bot.transfer_command import TransferCommand
from rules.casework.crw_cases import RESOLUTION_REASONS
from store.models import AuditEntry, CrwCase, CrwNote, CrwStatus
from tests.bot_people import CONSUMER_NAME, CONSUMER_PHONE
from tests.fake_slack import SlackUser

LINK_HINT = "/bob link <your license number or email on file>"


def seen(reply: dict[str, Any]) -> str:
    """Everything the person sees in a reply (text and blocks), as one string."""
    return json.dumps(reply, ensure_ascii=False)


async def ask(user: SlackUser, text: str) -> dict[str, Any]:
    status, reply = await user.command_reply(text)
    assert status == 200
    assert reply.get("response_type") == "ephemeral", "CRW replies are only for the asker"
    return reply


def case_row(sessions, number: str) -> CrwCase:
    with sessions() as s:
        return s.scalars(select(CrwCase).where(CrwCase.case_number == number)).one()


def audit(sessions, action: str) -> list[tuple[str, str, Any]]:
    with sessions() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(AuditEntry.target, AuditEntry.outcome, AuditEntry.detail).where(
                    AuditEntry.action == action
                )
            )
        ]


# Parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crw", CrwTilesCommand()),
        ("CRW list", CrwListCommand()),
        ("crw list --risk 5 --aging 30", CrwListCommand(risk=5, aging_days=30)),
        ("crw list --agency", CrwListCommand(agency=True)),
        ("crw list --agency --risk 4 --page 3", CrwListCommand(risk=4, agency=True, page=3)),
        ("crw show crw-000101", CrwShowCommand("CRW-000101")),
        (
            'crw note CRW-000101 Called; she said "call back Friday"',
            CrwNoteCommand("CRW-000101", 'Called; she said "call back Friday"'),
        ),
        ("crw close CRW-000101", CrwCloseCommand("CRW-000101")),
        ("crw agency", CrwAgencyCommand()),
        ('transfer CRW-000101 "Lee Levelto"', TransferCommand("CRW-000101", "Lee Levelto")),
        ("transfer CRW-000101 0A22222", TransferCommand("CRW-000101", "0A22222")),
    ],
)
def test_it_understands_the_crw_commands(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("crw list --risk 9", "Risk goes from 1 (Very Low) to 5 (Very High)"),
        ("crw list --risk", "`--risk` needs a number"),
        ("crw list --aging soon", "`--aging` needs a number"),
        ("crw list --everything", "has no option `--everything`"),
        ("crw list --page 0", "Pages are numbered from 1"),
        ("crw list --page", "`--page` needs a number"),
        ("crw show", "Say which case"),
        ("crw show <@U123>", "Say which case"),
        ("crw note CRW-000101", "Write the note after the case number"),
        ("crw close", "Say which case"),
        ("crw frobnicate", "/bob crw list"),
        ("transfer CRW-000101", "/bob transfer <case>"),
        ("transfer CRW-000101 Lee; DROP TABLE", "letters, digits, spaces"),
    ],
)
def test_it_says_what_to_type_instead(text, hint):
    command = parse_command(text)
    assert isinstance(command, BadCommand)
    assert hint in command.message


# Tiles and lists


async def test_crw_shows_the_enrollers_tiles_in_block_kit(cast):
    reply = await ask(cast.as_("ana"), "crw")
    blocks = seen(reply["blocks"])
    assert "Your Consumer Retention Workspace" in blocks
    assert "*Open cases*\\n2" in blocks
    assert "*5 Very High Risk*\\n1" in blocks and "*2 Low Risk*\\n1" in blocks
    assert "*<7 days*\\n1" in blocks and "*<45 days*\\n1" in blocks
    assert "Premium increase: 2" in blocks and "Plan discontinued: 1" in blocks
    assert "20.0 days over 1 closed" in blocks
    assert CONSUMER_NAME not in seen(reply)


async def test_crw_list_shows_number_risk_reason_and_age_but_no_consumer(cast):
    reply = await ask(cast.as_("ana"), "crw list")
    text = seen(reply)
    assert text.index("CRW-000101") < text.index("CRW-000102"), "riskiest first"
    assert "5 Very High Risk · Premium increase · 40 days · open" in text
    assert "CRW-000103" not in text, "closed cases are left out"
    assert "CRW-000104" not in text, "Lee's case is not Ana's"
    assert CONSUMER_NAME.split()[0] not in text and CONSUMER_PHONE not in text


async def test_crw_list_filters_by_risk_and_aging(cast):
    by_risk = seen(await ask(cast.as_("ana"), "crw list --risk 2"))
    assert "CRW-000102" in by_risk and "CRW-000101" not in by_risk
    aged = seen(await ask(cast.as_("ana"), "crw list --aging 30"))
    assert "CRW-000101" in aged and "CRW-000102" not in aged
    none = await ask(cast.as_("ana"), "crw list --risk 1")
    assert none["text"] == "Your CRW cases: none open matching risk 1 Very Low Risk."


async def test_a_manager_lists_the_agency_and_an_agent_may_not(cast):
    agency = seen(await ask(cast.as_("max"), "crw list --agency"))
    assert "CRW-000101" in agency and "CRW-000104" in agency and "CRW-000105" not in agency
    assert "Ana Agent (License 0A11111)" in agency
    refused = await ask(cast.as_("ana"), "crw list --agency")
    assert "Only an Agency Manager" in refused["text"]


# One case


async def test_the_assignee_sees_the_consumers_contact_ephemerally(cast, caplog):
    caplog.set_level(logging.DEBUG)
    reply = await ask(cast.as_("ana"), "crw show crw-000101")
    blocks = seen(reply["blocks"])
    assert "CRW case CRW-000101" in blocks
    assert CONSUMER_NAME in blocks and CONSUMER_PHONE in blocks and "zelda@consumer.test" in blocks
    assert CONSUMER_NAME not in reply["text"], "the notification text carries no PII"
    assert CONSUMER_NAME not in caplog.text and CONSUMER_PHONE not in caplog.text


async def test_a_manager_sees_the_case_without_the_consumers_contact(cast):
    reply = await ask(cast.as_("max"), "crw show CRW-000101")
    text = seen(reply)
    assert "CRW case CRW-000101" in text and "Ana Agent (License 0A11111)" in text
    assert CONSUMER_NAME not in text and CONSUMER_PHONE not in text
    assert "shown only to the assigned enroller" in text


@pytest.mark.parametrize("who", ["lee", "sue", "omar"])
async def test_anyone_else_is_told_there_is_no_such_case(cast, sessions, who):
    reply = await ask(cast.as_(who), "crw show CRW-000101")
    unknown = await ask(cast.as_(who), "crw show CRW-999999")
    assert reply["text"].startswith("No CRW case CRW-000101 in your book")
    assert reply["text"].replace("000101", "999999") == unknown["text"], "no probing"
    assert "blocks" not in reply and CONSUMER_NAME not in seen(reply)
    assert ("CRW-000101", "refused", {"reason": "unknown_case"}) in audit(sessions, "crw.show")


@pytest.mark.parametrize(
    "text",
    [
        "crw",
        "crw list",
        "crw show CRW-000101",
        "crw agency",
        "crw note CRW-000101 hi",
        "crw close CRW-000101",
        "transfer CRW-000101 0A22222",
    ],
)
async def test_an_unlinked_user_gets_only_link_instructions(cast, sessions, text):
    status, reply = await cast.as_("nobody").command_reply(text)
    assert status == 200
    assert LINK_HINT in reply["text"]
    assert "CRW-000101" not in reply["text"] and "blocks" not in reply
    assert cast.user.slack.named("views.open") == []
    assert case_row(sessions, "CRW-000101").assigned_enroller_id == cast.ids["ana"]


# Notes


async def test_a_note_is_recorded_and_moves_the_case_in_progress(cast, sessions):
    reply = await ask(cast.as_("ana"), 'crw note CRW-000101 Called, she asked "call Friday"')
    assert reply["text"].startswith("Noted on CRW case CRW-000101.")
    assert case_row(sessions, "CRW-000101").status == CrwStatus.IN_PROGRESS
    shown = seen(await ask(cast.as_("ana"), "crw show CRW-000101"))
    assert 'Called, she asked \\"call Friday\\"' in shown and "in progress" in shown


async def test_a_note_with_a_nul_gets_a_clear_reply_on_every_database(cast, sessions, caplog):
    reply = await ask(cast.as_("ana"), "crw note CRW-000101 Called\x00 SSN 900-12-3456")
    assert "control character" in reply["text"]
    assert case_row(sessions, "CRW-000101").status == CrwStatus.OPEN
    assert "900-12-3456" not in seen(reply) + caplog.text


async def test_a_note_from_another_agency_changes_nothing(cast, sessions):
    reply = await ask(cast.as_("omar"), "crw note CRW-000101 sneaky")
    assert reply["text"].startswith("No CRW case CRW-000101")
    with sessions() as s:
        assert s.scalars(select(CrwNote)).all() == []
    assert case_row(sessions, "CRW-000101").status == CrwStatus.OPEN


# Agency view


async def test_a_manager_sees_every_enrollers_activity(cast):
    reply = await ask(cast.as_("max"), "crw agency")
    blocks = seen(reply["blocks"])
    assert "Agency Consumer Retention Workspace" in blocks
    assert "*Open cases*\\n3" in blocks
    assert "Ana Agent (License 0A11111): 2 open · 1 closed · avg 20.0 days to resolve" in blocks
    assert "Lee Levelto (License 0A22222): 1 open" in blocks
    assert "Olga" not in blocks and CONSUMER_NAME not in blocks


async def test_a_manager_of_another_agency_sees_only_their_own(cast):
    blocks = seen((await ask(cast.as_("omar"), "crw agency"))["blocks"])
    assert "Olga Otherlevel" in blocks and "Ana Agent" not in blocks


@pytest.mark.parametrize("who", ["ana", "lee", "sue"])
async def test_the_agency_view_is_for_managers_only(cast, who):
    reply = await ask(cast.as_(who), "crw agency")
    assert "Only an Agency Manager, Primary Contact or Admin Staff Level 2" in reply["text"]
    assert "blocks" not in reply


# The close form


def close_values(reason: str | None, steps: str | None) -> dict[str, dict[str, dict[str, Any]]]:
    chosen = {"text": {"type": "plain_text", "text": reason}, "value": reason} if reason else None
    return {
        "resolution_reason": {"value": {"type": "static_select", "selected_option": chosen}},
        "resolution_steps": {"value": {"type": "plain_text_input", "value": steps}},
    }


async def open_close_form(user: SlackUser, number: str) -> dict[str, Any]:
    status, reply = await user.command_reply(f"crw close {number}", answered=False)
    assert (status, reply) == (200, {}), "the form opens instead of a reply"
    [opened] = await user.slack.wait_for(lambda: user.slack.named("views.open"))
    assert opened.params["trigger_id"].startswith("trigger-")
    return opened.params["view"]


async def test_close_opens_a_form_that_requires_reason_and_steps(cast, sessions):
    ana = cast.as_("ana")
    view = await open_close_form(ana, "CRW-000101")
    assert view["callback_id"] == "crw_close" and view["private_metadata"] == "CRW-000101"
    reasons = [
        o["value"]
        for b in view["blocks"]
        if b.get("block_id") == "resolution_reason"
        for o in b["element"]["options"]
    ]
    assert reasons == list(RESOLUTION_REASONS)

    status, answer = await ana.submit_view(view, close_values(None, "   "))
    assert status == 200 and answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"resolution_reason", "resolution_steps"}
    status, answer = await ana.submit_view(view, close_values("Renewed - new plan", None))
    assert set(answer["errors"]) == {"resolution_steps"}
    assert case_row(sessions, "CRW-000101").status == CrwStatus.OPEN

    status, answer = await ana.submit_view(
        view, close_values("Renewed - new plan", "Called twice; renewed into Silver 70.")
    )
    assert answer["response_action"] == "update"
    assert "CRW-000101* is closed: Renewed - new plan" in seen(answer["view"])
    closed = case_row(sessions, "CRW-000101")
    assert (closed.status, closed.resolution_reason, closed.resolution_steps) == (
        CrwStatus.CLOSED,
        "Renewed - new plan",
        "Called twice; renewed into Silver 70.",
    )
    assert ("CRW-000101", "ok", {"reason": "closed"}) in audit(sessions, "crw.close")

    again = await ask(ana, "crw close CRW-000101")
    assert again["text"] == "CRW case CRW-000101 is closed already."
    assert len(ana.slack.named("views.open")) == 1


async def test_a_forged_reason_is_refused_on_the_form(cast, sessions):
    ana = cast.as_("ana")
    view = await open_close_form(ana, "CRW-000101")
    _, answer = await ana.submit_view(view, close_values("Because I said so", "steps"))
    assert set(answer["errors"]) == {"resolution_reason"}
    assert case_row(sessions, "CRW-000101").status == CrwStatus.OPEN


async def test_another_agency_can_neither_open_nor_submit_the_close_form(cast, sessions):
    omar = cast.as_("omar")
    reply = await ask(omar, "crw close CRW-000101")
    assert reply["text"].startswith("No CRW case CRW-000101")
    assert omar.slack.named("views.open") == []
    view = await open_close_form(cast.as_("ana"), "CRW-000101")
    _, answer = await omar.submit_view(view, close_values("Other", "closing someone else's"))
    assert answer["response_action"] == "errors"
    assert answer["errors"]["resolution_reason"].startswith("No CRW case CRW-000101")
    assert case_row(sessions, "CRW-000101").status == CrwStatus.OPEN


async def test_when_slack_will_not_open_the_form_the_user_is_told(cast):
    ana = cast.as_("ana")
    ana.slack.fail("views.open", "expired_trigger_id")
    reply = await ask(ana, "crw close CRW-000101")
    assert "Slack did not open the close form" in reply["text"]


# Transfers


async def test_a_manager_transfers_to_a_level_2_agent_who_gets_a_dm(cast, sessions):
    reply = await ask(cast.as_("max"), 'transfer CRW-000101 "Lee Levelto"')
    assert reply["text"] == (
        "CRW case CRW-000101 moved from Ana Agent (License 0A11111) to Lee Levelto "
        "(License 0A22222). They were told in a direct message."
    )
    slack = cast.user.slack
    [dm] = await slack.wait_for(lambda: slack.named("chat.postMessage"))
    assert dm.params["channel"] == "U0LEE"
    assert "Max Manager transferred CRW case CRW-000101 to you" in dm.params["text"]
    assert CONSUMER_NAME not in dm.text and CONSUMER_PHONE not in dm.text
    moved = case_row(sessions, "CRW-000101")
    assert moved.assigned_enroller_id == cast.ids["lee"]
    [(target, outcome, detail)] = audit(sessions, "crw.transfer")
    assert (target, outcome, detail["to_enroller_id"]) == ("CRW-000101", "ok", cast.ids["lee"])
    lees = seen(await ask(cast.as_("lee"), "crw show CRW-000101"))
    assert CONSUMER_PHONE in lees, "the new assignee may now reach the consumer"


async def test_a_transfer_to_someone_without_slack_says_to_tell_them(cast, sessions):
    reply = await ask(cast.as_("max"), "transfer CRW-000101 0A33333")
    assert reply["text"].endswith("They have not linked Slack to bob, so please tell them yourself.")
    assert case_row(sessions, "CRW-000101").assigned_enroller_id == cast.ids["nia"]
    assert cast.user.slack.named("chat.postMessage") == []


@pytest.mark.parametrize(
    ("who", "text", "says", "reason"),
    [
        ("max", 'transfer CRW-000104 "Ana Agent"', "is not an Agent Level 2", "not_level_2"),
        ("max", "transfer CRW-000104 0A22222", "is already assigned", "same_assignee"),
        ("max", "transfer CRW-000101 0A44444", "No agent '0A44444' in your agency", "other_agency"),
        ("max", 'transfer CRW-000101 "Nobody Known"', "in your agency", "unknown_agent"),
        ("max", "transfer CRW-000103 0A22222", "is closed", "case_closed"),
        ("omar", "transfer CRW-000101 0A44444", "No CRW case CRW-000101", "unknown_case"),
        ("ana", "transfer CRW-000101 0A22222", "Only an Agency Manager", "not_manager"),
        ("lee", "transfer CRW-000101 0A22222", "Only an Agency Manager", "not_manager"),
        ("sue", "transfer CRW-000101 0A22222", "Only an Agency Manager", "not_manager"),
    ],
)
async def test_a_refused_transfer_says_why_changes_nothing_and_is_audited(
    cast, sessions, who, text, says, reason
):
    number = text.split()[1]
    before = case_row(sessions, number).assigned_enroller_id
    reply = await ask(cast.as_(who), text)
    assert says in reply["text"]
    assert case_row(sessions, number).assigned_enroller_id == before
    refused = [r for r in audit(sessions, "crw.transfer") if r[1] == "refused"]
    assert [(number, {"reason": reason})] == [(r[0], r[2]) for r in refused]
    assert cast.user.slack.named("chat.postMessage") == []


async def test_when_the_dm_fails_the_manager_hears_so(cast, sessions):
    slack = cast.user.slack
    slack.fail("chat.postMessage", "channel_not_found")
    await ask(cast.as_("max"), "transfer CRW-000101 0A22222")
    [told] = await slack.wait_for(
        lambda: [c for c in slack.named("response_url") if "direct message" in c.params.get("text", "")]
    )
    assert "did not deliver the direct message" in told.params["text"]
    assert told.params["response_type"] == "ephemeral"
    assert case_row(sessions, "CRW-000101").assigned_enroller_id == cast.ids["lee"]
