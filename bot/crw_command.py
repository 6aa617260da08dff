"""`/bob crw …`: the Consumer Retention Workspace in chat, answered only to the person who
asked. `/bob crw close <case>` opens a form whose submission closes the case.

The domain (rules.casework) decides who may see and do what; a refusal is a BobError whose
message is safe to show, so it becomes the reply.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.block_kit import Reply, submitted_values
from bot.blocks_crw import (
    CLOSE_CALLBACK,
    REASON_BLOCK,
    STEPS_BLOCK,
    agency_reply,
    case_detail_reply,
    case_list_reply,
    close_modal,
    closed_view,
    tiles_reply,
)
from bot.commands import (
    CrwAgencyCommand,
    CrwCloseCommand,
    CrwListCommand,
    CrwNoteCommand,
    CrwShowCommand,
    CrwTilesCommand,
    parse_command,
)
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.replies import sentence
from bot.routing import command_is
from rules.casework.crw_cases import RESOLUTION_REASONS, add_note, close_case
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles, show_case
from rules.casework.crw_reach import CrwRefused
from store.errors import BobError

log = logging.getLogger(__name__)

CrwCommand = CrwTilesCommand | CrwAgencyCommand | CrwListCommand | CrwShowCommand | CrwNoteCommand
# Slack shows a form field's error on one or two lines.
FIELD_ERROR_CHARS = 150


def crw_reply(deps: BotDeps, slack_user_id: str, command: CrwCommand) -> Reply:
    """The answer to one CRW command, for the linked enroller (or the link instructions)."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return Reply(LINK_HOWTO)
    now = deps.clock()
    try:
        match command:
            case CrwTilesCommand():
                return tiles_reply(my_tiles(deps.sessions, actor_id, now), now, deps.zone)
            case CrwAgencyCommand():
                tiles, activity = agency_overview(deps.sessions, actor_id, now)
                return agency_reply(tiles, activity, now, deps.zone)
            case CrwListCommand():
                rows = list_cases(
                    deps.sessions,
                    actor_id,
                    now,
                    risk=command.risk,
                    aging_days=command.aging_days,
                    agency=command.agency,
                )
                return case_list_reply(rows, command)
            case CrwShowCommand():
                detail = show_case(deps.sessions, actor_id, command.case_number, now)
                return case_detail_reply(detail, deps.zone)
            case CrwNoteCommand():
                add_note(deps.sessions, actor_id, command.case_number, command.text, now)
                return Reply(
                    f"Noted on CRW case {command.case_number}. "
                    f"`/bob crw show {command.case_number}` shows its notes."
                )
    except BobError as exc:
        return Reply(sentence(exc))


def close_refusal(deps: BotDeps, slack_user_id: str, case_number: str) -> str | None:
    """Why the close form should not open (unlinked, unknown or closed case), or None."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return LINK_HOWTO
    try:
        detail = show_case(deps.sessions, actor_id, case_number, deps.clock())
    except BobError as exc:
        return sentence(exc)
    if detail.status == "closed":
        return f"CRW case {case_number} is closed already."
    return None


def submit_close(
    deps: BotDeps, slack_user_id: str, case_number: str, answers: dict[str, str]
) -> dict[str, str]:
    """Close the case from the form's answers; the errors to show on the form (none when it
    was closed)."""
    reason, steps = answers.get(REASON_BLOCK), answers.get(STEPS_BLOCK)
    errors = {}
    if reason not in RESOLUTION_REASONS:
        errors[REASON_BLOCK] = "Choose a resolution reason; it is required."
    if not steps:
        errors[STEPS_BLOCK] = "Write the steps taken; they are required."
    if errors:
        return errors
    assert reason is not None and steps is not None
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return {REASON_BLOCK: "Link your Slack account first with `/bob link`."}
    try:
        close_case(deps.sessions, actor_id, case_number, reason, steps, deps.clock())
    except CrwRefused as exc:
        return {REASON_BLOCK: sentence(exc)[:FIELD_ERROR_CHARS]}
    return {}


async def open_close_form(
    deps: BotDeps, client: AsyncWebClient, body: dict[str, Any], case_number: str
) -> str | None:
    """Open the close form on the command's trigger; None when it opened, else the reply."""
    refusal = await asyncio.to_thread(close_refusal, deps, body["user_id"], case_number)
    if refusal is not None:
        return refusal
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=close_modal(case_number))
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the close form for a CRW case did not open (%s)", type(exc).__name__)
        return "Slack did not open the close form; please try `/bob crw close` again."
    return None


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_crw(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        command = parse_command(body.get("text", ""))
        if isinstance(command, CrwCloseCommand):
            refusal = await open_close_form(deps, client, body, command.case_number)
            if refusal is None:
                await ack()
            else:
                await ack(refusal, response_type="ephemeral")
            return
        assert isinstance(command, CrwCommand)
        reply = await asyncio.to_thread(crw_reply, deps, body["user_id"], command)
        await ack(reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    async def answer_close_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_number = str(view.get("private_metadata", ""))
        answers = submitted_values(view)
        errors = await asyncio.to_thread(submit_close, deps, body["user"]["id"], case_number, answers)
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack(response_action="update", view=closed_view(case_number, answers[REASON_BLOCK]))

    crw_kinds = (
        CrwTilesCommand,
        CrwAgencyCommand,
        CrwListCommand,
        CrwShowCommand,
        CrwNoteCommand,
        CrwCloseCommand,
    )
    app.command("/bob", matchers=[command_is(*crw_kinds)])(answer_crw)
    app.view(CLOSE_CALLBACK)(answer_close_form)
