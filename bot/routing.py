"""Every `/bob` sub-command is its own Bolt listener; this matcher picks the right one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


def command_is(read: Callable[[str], object], *kinds: type) -> Callable[..., Awaitable[bool]]:
    """A Bolt listener matcher: true when ``read`` turns the `/bob` text into one of ``kinds``
    (``read`` is a sub-command's ``SubCommand.read``, or the registry's ``parse_command``)."""

    async def matches(body: dict[str, Any]) -> bool:
        return isinstance(read(body.get("text", "")), kinds)

    return matches
