"""`/bob link <license or email>` emails a one-time code; `/bob link <code>` completes the link."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.answers import answer_in_time
from bot.block_kit import Reply
from bot.deps import BotDeps
from bot.identity import complete_link, request_link_code
from bot.parsing import BadCommand, SubCommand
from bot.routing import command_is
from store.db import transaction

USAGE = "`/bob link <license number or email>` - link your Slack account; `/bob link <code>` finishes it"
_CODE = re.compile(r"^\d{3}[- ]?\d{3}$")


@dataclass(frozen=True)
class LinkStartCommand:
    license_or_email: str


@dataclass(frozen=True)
class LinkCodeCommand:
    code: str


def _parse_link(words: list[str]) -> LinkStartCommand | LinkCodeCommand | BadCommand:
    joined = " ".join(words)
    if _CODE.match(joined):
        return LinkCodeCommand(code=re.sub(r"\D", "", joined))
    if len(words) == 1 and len(words[0]) <= 254:
        return LinkStartCommand(license_or_email=words[0])
    return BadCommand(
        "Link your Slack account with `/bob link <your license number or email on file>`; "
        "we email you a code, then type `/bob link <code>`."
    )


SUBCOMMAND = SubCommand("link", USAGE, _parse_link)


def link_reply(deps: BotDeps, slack_user_id: str, command: LinkStartCommand | LinkCodeCommand) -> str:
    """Do the linking step in one transaction (wrong tries are counted even though they fail)."""
    with transaction(deps.sessions) as session:
        if isinstance(command, LinkCodeCommand):
            reply = complete_link(session, slack_user_id, command.code, deps.clock(), deps.pepper)
        else:
            reply = request_link_code(
                session,
                slack_user_id,
                command.license_or_email,
                deps.clock(),
                deps.pepper,
                deps.from_address,
            )
    return reply.text


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_link(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, LinkStartCommand | LinkCodeCommand)

        async def linked() -> Reply:
            return Reply(await asyncio.to_thread(link_reply, deps, body["user_id"], command))

        await answer_in_time(ack, respond, linked())

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, LinkStartCommand, LinkCodeCommand)])(
        answer_link
    )
