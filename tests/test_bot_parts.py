"""Small parts of the bot tested alone: the signature and replay check, handlers with a mocked
ack."""

from __future__ import annotations

from unittest.mock import AsyncMock

from slack_sdk.signature import SignatureVerifier

from bot import help_command
from bot.help_command import help_reply
from bot.parsing import BadCommand
from bot.registry import HelpCommand
from bot.verification import SignedRequests
from tests.bot_people import SECRET


class Ticks:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def signed(ticks: Ticks, text: str, ahead: int = 0) -> tuple[dict[str, str], bytes]:
    timestamp = int(ticks.now) + ahead
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=str(timestamp), body=text)
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}, text.encode()


def test_a_signed_request_is_accepted_once_within_five_minutes():
    ticks = Ticks()
    requests = SignedRequests(SECRET, clock=ticks)
    abc, other = signed(ticks, "text=abc"), signed(ticks, "text=def")
    assert requests.refusal(*abc) is None
    assert requests.refusal(*abc) == "replayed"
    assert requests.refusal(*other) is None
    ticks.now += 301
    assert requests.refusal(*abc) == "stale"


def test_signatures_are_forgotten_only_when_their_window_closes():
    ticks = Ticks()
    requests = SignedRequests(SECRET, clock=ticks)
    for n in range(2_000):  # a busy window
        assert requests.refusal(*signed(ticks, f"text=early{n}")) is None
    ticks.now += 250
    late = signed(ticks, "text=late")
    assert requests.refusal(*late) is None
    ticks.now += 60  # the early ones' window closed 10 s ago, the late one is 60 s old
    assert requests.refusal(*signed(ticks, "text=new")) is None
    assert requests.refusal(*late) == "replayed"
    assert len(requests._seen) == 2  # noqa: SLF001 - the expired ones are gone, not just ignored


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
