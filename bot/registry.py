"""The one list of `/bob` sub-commands. `/bob help`, the parser and the Bolt listeners all
follow it: a new command is its own module (dataclasses, parser, usage, handler) plus one line
in ``COMMAND_MODULES``.

`/bob help` is declared here rather than in its module: it lists this registry, so
``bot.help_command`` (its listener) imports the registry, and the registry cannot import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from slack_bolt.async_app import AsyncApp

from bot import (
    crw_command,
    export_command,
    exports_command,
    help_request_command,
    link_command,
    mailbox_command,
    settings_command,
    transfer_command,
)
from bot.deps import BotDeps
from bot.parsing import BadCommand, SubCommand, shown, words


class ListenerModule(Protocol):
    """A module that adds its Bolt listeners to the app."""

    def register(self, app: AsyncApp, deps: BotDeps) -> None: ...


class CommandModule(ListenerModule, Protocol):
    """A sub-command's module: what it parses, and the Bolt listeners it registers."""

    SUBCOMMAND: SubCommand


# In the order `/bob help` lists them.
COMMAND_MODULES: tuple[CommandModule, ...] = (
    export_command,
    exports_command,
    mailbox_command,
    crw_command,
    transfer_command,
    help_request_command,
    settings_command,
    link_command,
)


@dataclass(frozen=True)
class HelpCommand:
    """List the commands."""


HELP = SubCommand("help", "`/bob help` - this list", lambda _words: HelpCommand())
SUBCOMMANDS = (*(module.SUBCOMMAND for module in COMMAND_MODULES), HELP)
USAGE = "\n".join(subcommand.usage for subcommand in SUBCOMMANDS)
_BY_WORD = {subcommand.word: subcommand for subcommand in SUBCOMMANDS}


def parse_command(text: str) -> object:
    """Turn the text after `/bob` into a command (one of the sub-commands' dataclasses,
    HelpCommand or BadCommand); never raises."""
    for subcommand in SUBCOMMANDS:
        if subcommand.parse_raw is not None and (command := subcommand.parse_raw(text)) is not None:
            return command
    try:
        typed = words(text)
    except ValueError:
        return BadCommand('A quote is not closed; write a name as `"Ana Agent"`.')
    if not typed:
        return HelpCommand()
    name = typed[0].lower()
    named = _BY_WORD.get(name)
    if named is None:
        return BadCommand(f"I don't know `{shown(name)}`. These are the commands:\n{USAGE}")
    return named.parse(typed[1:])
