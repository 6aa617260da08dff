"""`/bob transfer <case> <agent>`: a manager moves a CRW case to an Agent Level 2 of the same
agency. The manager gets an ephemeral confirmation (or the reason it was refused); the new
assignee is told in a direct message when their Slack account is linked. The domain audits
every transfer and every refusal.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import answer_in_time
from bot.block_kit import Reply
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO, linked_enroller
from bot.parsing import BAD_AGENT_QUERY, BadCommand, SubCommand, is_agent_query, joined, record_number
from bot.replies import sentence
from bot.routing import command_is
from bot.slack_text import inert
from rules.casework.crw_transfer import transfer_case
from store.errors import BobError

log = logging.getLogger(__name__)


USAGE = "`/bob transfer <case> <agent name or license>` - managers: move a case to an Agent Level 2"


@dataclass(frozen=True)
class TransferCommand:
    case_number: str
    to: str


def _parse_transfer(words: list[str]) -> TransferCommand | BadCommand:
    number = record_number(words[0]) if words else None
    query = joined(words[1:])
    if number is None or not query:
        return BadCommand(
            "Transfer a case with `/bob transfer <case> <agent full name or "
            "license>`; it may go only to an Agent Level 2 of your agency."
        )
    if not is_agent_query(query):
        return BAD_AGENT_QUERY
    return TransferCommand(number, query)


SUBCOMMAND = SubCommand("transfer", USAGE, _parse_transfer)


@dataclass(frozen=True)
class AssigneeMessage:
    """The direct message to the case's new assignee (case number only, no consumer PII)."""

    slack_user_id: str
    text: str


@dataclass(frozen=True)
class TransferReply:
    text: str
    message: AssigneeMessage | None = None
    moved: bool = False


def transfer_reply(deps: BotDeps, slack_user_id: str, command: TransferCommand) -> TransferReply:
    with deps.sessions() as session:
        manager = linked_enroller(session, slack_user_id)
        if manager is None:
            return TransferReply(LINK_HOWTO)
        manager_id, manager_name = manager.id, inert(f"{manager.first_name} {manager.last_name}")
    try:
        moved = transfer_case(deps.sessions, manager_id, command.case_number, command.to, deps.clock())
    except BobError as exc:
        return TransferReply(sentence(exc))
    number = moved.case_number
    done = f"CRW case {number} moved from {inert(moved.from_enroller)} to {inert(moved.to_enroller)}."
    if moved.to_slack_user_id is None:
        return TransferReply(
            f"{done} They have not linked Slack to bob, so please tell them yourself.", moved=True
        )
    message = AssigneeMessage(
        moved.to_slack_user_id,
        f"{manager_name} transferred CRW case {number} to you. "
        f"`/bob crw show {number}` shows the case and how to reach the consumer.",
    )
    return TransferReply(f"{done} They were told in a direct message.", message, moved=True)


async def tell_assignee(client: AsyncWebClient, respond: AsyncRespond, message: AssigneeMessage) -> None:
    """DM the new assignee; if Slack refuses, the manager hears so."""
    try:
        await client.chat_postMessage(channel=message.slack_user_id, text=message.text)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the transfer DM was not delivered (%s)", type(exc).__name__)
        await respond(
            text="The case was transferred, but Slack did not deliver the direct message to "
            "the new assignee; please tell them yourself.",
            response_type="ephemeral",
            replace_original=False,
        )


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_transfer(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, TransferCommand)
        transfer = asyncio.ensure_future(asyncio.to_thread(transfer_reply, deps, body["user_id"], command))

        async def told() -> Reply:
            return Reply((await transfer).text)

        await answer_in_time(ack, respond, told())
        done = transfer.result() if transfer.exception() is None else None
        if done is not None and done.message is not None:
            await tell_assignee(client, respond, done.message)

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, TransferCommand)])(answer_transfer)
