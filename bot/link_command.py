"""`/bob link <license or email>` emails a one-time code; `/bob link <code>` completes the link."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.commands import LinkCodeCommand, LinkStartCommand, parse_command
from bot.deps import BotDeps
from bot.identity import complete_link, request_link_code
from bot.routing import command_is
from store.db import transaction


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
    async def answer_link(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = parse_command(body.get("text", ""))
        assert isinstance(command, LinkStartCommand | LinkCodeCommand)
        await ack(await asyncio.to_thread(link_reply, deps, body["user_id"], command))

    app.command("/bob", matchers=[command_is(LinkStartCommand, LinkCodeCommand)])(answer_link)
