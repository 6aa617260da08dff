"""The CRW lists' and case view's controls: the case list's "Open a case" menu shows the case
picked, and the case view's "Close case" button opens the close form.

Each is its slash command's twin: the menu answers exactly as `/bob crw show <case>` (same
reach checks, same audit) and the button checks and opens exactly what `/bob crw close <case>`
opens, so a press from someone without the right gets the command's refusal. A case closed
since the list was shown gets a clear "closed already" instead of a form.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import open_form
from bot.blocks_crw import CLOSE_CASE, OPEN_CASE, close_modal
from bot.crw_command import CrwShowCommand, close_refusal, crw_reply
from bot.deps import BotDeps
from bot.parsing import record_number

NOT_A_CASE = "That control no longer points at a CRW case; type `/bob crw list` for the list."
FORM_FAILED = "Slack did not open the close form; please try `/bob crw close` again."


def picked_case(action: dict[str, Any]) -> str | None:
    """The case number a menu pick or a button carries (read as hostile), or None."""
    chosen = action.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else action.get("value")
    return record_number(value) if isinstance(value, str) else None


async def _ephemeral(respond: AsyncRespond, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def open_case(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        case_number = picked_case((body.get("actions") or [{}])[0])
        if case_number is None:
            await _ephemeral(respond, NOT_A_CASE)
            return
        reply = await asyncio.to_thread(crw_reply, deps, body["user"]["id"], CrwShowCommand(case_number))
        await _ephemeral(respond, reply.text, reply.blocks or None)

    async def close_case(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        case_number = picked_case((body.get("actions") or [{}])[0])
        if case_number is None:
            await _ephemeral(respond, NOT_A_CASE)
            return
        refusal = await asyncio.to_thread(close_refusal, deps, body["user"]["id"], case_number)
        if refusal is None:
            refusal = await open_form(client, body, close_modal(case_number), FORM_FAILED)
        if refusal is not None:
            await _ephemeral(respond, refusal)

    app.action(OPEN_CASE)(open_case)
    app.action(CLOSE_CASE)(close_case)
