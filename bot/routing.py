"""Every `/bob` subcommand is its own Bolt listener; this matcher picks the right one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands import parse_command


def command_is(*kinds: type) -> Callable[..., Awaitable[bool]]:
    """A Bolt listener matcher: true when the `/bob` text parses into one of ``kinds``."""

    async def matches(body: dict[str, Any]) -> bool:
        return isinstance(parse_command(body.get("text", "")), kinds)

    return matches
