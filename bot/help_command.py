"""`/bob help`, and the answer to anything `/bob` does not understand."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.deps import BotDeps
from bot.parsing import BadCommand
from bot.registry import USAGE, HelpCommand, parse_command
from bot.routing import command_is


def help_reply(command: HelpCommand | BadCommand) -> str:
    if isinstance(command, BadCommand):
        return command.message
    return (
        "*bob* keeps your Book of Business, your Daily Summary, your Consumer Retention "
        f"Workspace cases and your help requests.\n{USAGE}"
    )


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_help(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = parse_command(body.get("text", ""))
        assert isinstance(command, HelpCommand | BadCommand)
        await ack(help_reply(command))

    app.command("/bob", matchers=[command_is(parse_command, HelpCommand, BadCommand)])(answer_help)
