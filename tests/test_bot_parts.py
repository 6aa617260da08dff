"""Small parts of the bot tested alone: the replay guard, the ack-to-lazy hand-off, handlers
with a mocked ack."""

from __future__ import annotations

import asyncio
from unittest.mock import AsyncMock

from bot import help_command
from bot.handoff import Handoff
from bot.help_command import help_reply
from bot.parsing import BadCommand
from bot.registry import HelpCommand
from bot.replay import ReplayGuard


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_replay_guard_accepts_a_signature_once_within_five_minutes():
    ticks = Ticks()
    guard = ReplayGuard(clock=ticks)
    assert guard.first_time("v0=abc")
    assert not guard.first_time("v0=abc")
    assert guard.first_time("v0=def")
    ticks.now += 301
    assert guard.first_time("v0=abc"), "forgotten after the window; Bolt's timestamp check rules"


def test_the_replay_guard_forgets_only_what_is_older_than_the_window():
    ticks = Ticks()
    guard = ReplayGuard(window=300, clock=ticks)
    for n in range(10_000):  # a busy window
        ticks.now += 0.01
        assert guard.first_time(f"v0=early{n}")
    ticks.now += 250
    assert guard.first_time("v0=late")
    ticks.now += 60  # the early ones are 310+ s old, the late one 60 s
    assert guard.first_time("v0=early0")
    assert not guard.first_time("v0=late")
    assert len(guard._seen) == 2  # noqa: SLF001 - the expired ones are gone, not just ignored


async def test_the_lazy_part_gets_what_the_ack_part_gave_in_either_order():
    handoff: Handoff[int] = Handoff(timeout=1)
    handoff.give("t1", 7)
    assert await handoff.take("t1") == 7
    waiting = asyncio.ensure_future(handoff.take("t2"))
    await asyncio.sleep(0.01)
    handoff.give("t2", 8)
    assert await waiting == 8


async def test_the_lazy_part_gives_up_when_the_ack_part_never_answers():
    handoff: Handoff[int] = Handoff(timeout=0.05)
    assert await handoff.take("lost") is None


def test_help_lists_the_commands_and_a_bad_command_says_what_to_type():
    assert "/bob exports get <token>" in help_reply(HelpCommand())
    assert help_reply(BadCommand("Say which agent")) == "Say which agent"


class Registrar:
    """Stands in for the Bolt app to capture what a module registers."""

    def __init__(self) -> None:
        self.listeners: dict[str, object] = {}

    def command(self, name, matchers):
        def keep(func):
            self.listeners[name] = func

        return keep


async def test_the_help_listener_acks_with_the_reply():
    registrar = Registrar()
    help_command.register(registrar, deps=None)
    ack = AsyncMock()
    await registrar.listeners["/bob"](ack=ack, body={"text": "nonsense"})
    ack.assert_awaited_once()
    assert "I don't know `nonsense`" in ack.await_args.args[0]
