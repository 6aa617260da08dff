"""The CRW lists' and case view's controls: each case of `/bob crw list` has Show, Add note,
Close and (for those who may transfer) Transfer buttons, as the case view has the last three;
the Home tab's "Open CRW case" menu shows the case picked. Add note and Close open the note
and close forms; Transfer opens a form listing the agency's eligible Agent Level 2s. A long
list's Previous/Next replace it with the page before or after.

Each is its slash command's twin: Show and the menu answer exactly as `/bob crw show <case>`
(same reach checks, same audit), the note form adds the note as `/bob crw note` does, and the
close button checks and opens exactly what `/bob crw close <case>` opens, the transfer form
moves the case through `/bob transfer`'s own code, and a page button carries the list command's
own words (`crw list --agency --page 2`), read back through its parser for whoever pressed it;
so a press from someone without the right gets the command's refusal, audited as the command
audits it. A case closed since the list was shown gets a clear "closed already" instead of a form.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.answers import FIELD_ERROR_CHARS, field_error, open_form
from bot.block_kit import Reply, submitted_values
from bot.blocks_crw import ADD_NOTE, CLOSE_CASE, NEXT_PAGE, OPEN_CASE, PREVIOUS_PAGE, TRANSFER, close_modal
from bot.blocks_crw_forms import (
    NOTE_BLOCK,
    NOTE_CALLBACK,
    TRANSFER_BLOCK,
    TRANSFER_CALLBACK,
    note_modal,
    noted_view,
    transfer_modal,
    transferred_view,
)
from bot.crw_command import SUBCOMMAND, CrwListCommand, CrwShowCommand, close_refusal, crw_reply
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.parsing import record_number
from bot.press_answers import press_respond
from bot.replies import sentence
from bot.transfer_command import AssigneeMessage, TransferCommand, transfer_reply
from rules.casework.crw_cases import add_note
from rules.casework.crw_transfer import transfer_choices
from store.errors import BobError

log = logging.getLogger(__name__)

NOT_A_CASE = "That control no longer points at a CRW case; type `/bob crw list` for the list."
STALE_PAGE = "This button no longer points at a page of CRW cases; type `/bob crw list`."
PAGE_VALUE_CHARS = 200
FORM_FAILED = "Slack did not open the close form; please try `/bob crw close` again."


def picked_case(action: dict[str, Any]) -> str | None:
    """The case number a menu pick or a button carries (read as hostile), or None."""
    chosen = action.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else action.get("value")
    return record_number(value) if isinstance(value, str) else None


async def _ephemeral(respond: AsyncRespond, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def listed_page(action: dict[str, Any]) -> CrwListCommand | None:
    """The list command a page button carries (read as hostile: only words `/bob crw list`
    itself accepts), or None."""
    value = action.get("value")
    if not isinstance(value, str) or len(value) > PAGE_VALUE_CHARS:
        return None
    command = SUBCOMMAND.read(value)
    return command if isinstance(command, CrwListCommand) else None


def submit_note(deps: BotDeps, slack_user_id: str, case_number: str, text: str) -> dict[str, str]:
    """Add the form's note; the errors to show on the form (none when it was added)."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return {NOTE_BLOCK: "Link your Slack account first with /bob link."}
    try:
        add_note(deps.sessions, actor_id, case_number, text, deps.clock())
    except BobError as exc:
        return {NOTE_BLOCK: field_error(exc)}
    return {}


async def _open_form(
    deps: BotDeps, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, form: Any
) -> None:
    """Open ``form(case)`` for the button's case, or say why not (the close command's checks)."""
    case_number = picked_case((body.get("actions") or [{}])[0])
    if case_number is None:
        await _ephemeral(respond, NOT_A_CASE)
        return
    refusal = await asyncio.to_thread(close_refusal, deps, body["user"]["id"], case_number)
    if refusal is None:
        refusal = await open_form(client, body, form(case_number), FORM_FAILED)
    if refusal is not None:
        await _ephemeral(respond, refusal)


def transfer_form(deps: BotDeps, slack_user_id: str, case_number: str) -> dict[str, Any] | str:
    """The transfer form for the case, or the reply that says why not (refusals audited as
    `/bob transfer` audits them)."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return LINK_HOWTO
    try:
        choices = transfer_choices(deps.sessions, actor_id, case_number, deps.clock())
    except BobError as exc:
        return sentence(exc)
    if not choices:
        return f"No other active Agent Level 2 of your agency can take CRW case {case_number}."
    return transfer_modal(case_number, choices)


async def _tell(client: AsyncWebClient, message: AssigneeMessage | None) -> None:
    if message is None:
        return
    try:
        await client.chat_postMessage(channel=message.slack_user_id, text=message.text)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the transfer DM was not delivered (%s)", type(exc).__name__)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def open_case(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        respond = press_respond(body, respond, client)  # the Home tab's menu has no response URL
        case_number = picked_case((body.get("actions") or [{}])[0])
        if case_number is None:
            await _ephemeral(respond, NOT_A_CASE)
            return
        reply = await asyncio.to_thread(crw_reply, deps, body["user"]["id"], CrwShowCommand(case_number))
        await _ephemeral(respond, reply.text, reply.blocks or None)

    async def turn_page(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        respond = press_respond(body, respond, client)
        command = listed_page((body.get("actions") or [{}])[0])
        reply = Reply(STALE_PAGE)
        if command is not None:
            reply = await asyncio.to_thread(crw_reply, deps, body["user"]["id"], command)
        await respond(
            text=reply.text,
            blocks=reply.blocks or None,
            response_type="ephemeral",
            replace_original=command is not None,
        )

    async def close_case(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await _open_form(deps, body, respond, client, close_modal)

    async def note_case(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await _open_form(deps, body, respond, client, note_modal)

    async def answer_note_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_number = str(view.get("private_metadata", ""))
        text = submitted_values(view).get(NOTE_BLOCK, "")
        errors = await asyncio.to_thread(submit_note, deps, body["user"]["id"], case_number, text)
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack(response_action="update", view=noted_view(case_number))

    async def transfer_case(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        case_number = picked_case((body.get("actions") or [{}])[0])
        if case_number is None:
            await _ephemeral(respond, NOT_A_CASE)
            return
        form = await asyncio.to_thread(transfer_form, deps, body["user"]["id"], case_number)
        refusal = form if isinstance(form, str) else await open_form(client, body, form, FORM_FAILED)
        if refusal is not None:
            await _ephemeral(respond, refusal)

    async def answer_transfer_form(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        command = TransferCommand(
            str(view.get("private_metadata", "")), submitted_values(view).get(TRANSFER_BLOCK, "")
        )
        reply = await asyncio.to_thread(transfer_reply, deps, body["user"]["id"], command)
        if not reply.moved:
            await ack(response_action="errors", errors={TRANSFER_BLOCK: reply.text[:FIELD_ERROR_CHARS]})
            return
        await ack(response_action="update", view=transferred_view(reply.text))
        await _tell(client, reply.message)

    app.action(TRANSFER)(transfer_case)
    app.view(TRANSFER_CALLBACK)(answer_transfer_form)
    app.action(OPEN_CASE)(open_case)
    app.action(PREVIOUS_PAGE)(turn_page)
    app.action(NEXT_PAGE)(turn_page)
    app.action(CLOSE_CASE)(close_case)
    app.action(ADD_NOTE)(note_case)
    app.view(NOTE_CALLBACK)(answer_note_form)
