"""What the user typed after `/bob`, turned into a typed command (or a helpful refusal).

Parsing is a pure function of the text, so every reply to a typo is tested without Slack.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from typing import Literal

USAGE = (
    "`/bob export [agency | agent <name or license>] [--masked] [--snapshot] [--changes]`"
    " - your Book of Business as an encrypted workbook\n"
    "`/bob exports` - your exports; `/bob exports get <token>` sends one again until it expires\n"
    "`/bob mailbox [<id>]` - your secure mailbox, or one digest in it\n"
    "`/bob link <license number or email>` - link your Slack account; "
    "`/bob link <code>` finishes it\n"
    "`/bob help` - this list"
)

EXPORT_FLAGS = ("--masked", "--snapshot", "--changes")
_CODE = re.compile(r"^\d{3}[- ]?\d{3}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
# A person's name or a license number: letters, digits, spaces, hyphens, apostrophes, periods.
_AGENT_QUERY = re.compile(r"^\w[\w .'-]{0,99}$")
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"})


@dataclass(frozen=True)
class ExportCommand:
    target: Literal["self", "agency", "agent"] = "self"
    agent_query: str | None = None
    masked: bool | None = None
    snapshot: bool = False
    include_changes: bool = False


@dataclass(frozen=True)
class ExportsCommand:
    """List the user's export history."""


@dataclass(frozen=True)
class ExportFetchCommand:
    token: str


@dataclass(frozen=True)
class MailboxCommand:
    message_id: int | None = None


@dataclass(frozen=True)
class LinkStartCommand:
    license_or_email: str


@dataclass(frozen=True)
class LinkCodeCommand:
    code: str


@dataclass(frozen=True)
class HelpCommand:
    """List the commands."""


@dataclass(frozen=True)
class BadCommand:
    """The text could not be understood; ``message`` says why and what to type instead."""

    message: str


Command = (
    ExportCommand
    | ExportsCommand
    | ExportFetchCommand
    | MailboxCommand
    | LinkStartCommand
    | LinkCodeCommand
    | HelpCommand
    | BadCommand
)


def parse_command(text: str) -> Command:
    """Turn the text after `/bob` into a command; never raises."""
    try:
        words = _words(text)
    except ValueError:
        return BadCommand("A quote is not closed; write a name as `\"Ana Agent\"`.")
    if not words:
        return HelpCommand()
    name, rest = words[0].lower(), words[1:]
    parser = _PARSERS.get(name)
    if parser is None:
        return BadCommand(f"I don't know `{_shown(name)}`. These are the commands:\n{USAGE}")
    return parser(rest)


def _words(text: str) -> list[str]:
    """Split on spaces; only double quotes group words, as apostrophes occur in names."""
    lexer = shlex.shlex(text.translate(_SMART_QUOTES), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    return list(lexer)


def _shown(word: str) -> str:
    """A user's word echoed back safely: short and without Slack markup characters."""
    return re.sub(r"[`<>*_~]", "", word)[:30]


def _parse_export(words: list[str]) -> Command:
    flags = [w.lower() for w in words if w.startswith("-")]
    plain = [w for w in words if not w.startswith("-")]
    unknown = [f for f in flags if f not in EXPORT_FLAGS]
    if unknown:
        return BadCommand(
            f"`/bob export` has no option `{_shown(unknown[0])}`; "
            f"the options are {', '.join(f'`{f}`' for f in EXPORT_FLAGS)}."
        )
    own_book = ExportCommand(
        masked=True if "--masked" in flags else None,
        snapshot="--snapshot" in flags,
        include_changes="--changes" in flags,
    )
    if not plain:
        return own_book
    scope, names = plain[0].lower(), plain[1:]
    if scope == "agency" and not names:
        return replace(own_book, target="agency")
    if scope == "agent":
        query = " ".join(" ".join(names).split())
        if not query:
            return BadCommand(
                "Say which agent: `/bob export agent \"Ana Agent\"` (full first and last name) "
                "or `/bob export agent <license number>`."
            )
        if not _AGENT_QUERY.match(query):
            return BadCommand(
                "An agent is found by full first and last name or license number, using letters, "
                "digits, spaces, hyphens and apostrophes only."
            )
        return replace(own_book, target="agent", agent_query=query)
    return BadCommand(
        "Export your own book with `/bob export`, the whole agency with `/bob export agency`, "
        "or one agent with `/bob export agent <name or license>`."
    )


def _parse_exports(words: list[str]) -> Command:
    if not words:
        return ExportsCommand()
    if words[0].lower() == "get" and len(words) == 2 and _TOKEN.match(words[1]):
        return ExportFetchCommand(token=words[1])
    return BadCommand(
        "Use `/bob exports` to list your exports, or `/bob exports get <token>` with a token "
        "from that list."
    )


def _parse_mailbox(words: list[str]) -> Command:
    if not words:
        return MailboxCommand()
    if len(words) == 1 and words[0].isdigit():
        return MailboxCommand(message_id=int(words[0]))
    return BadCommand(
        "Use `/bob mailbox` for the list, or `/bob mailbox <id>` with a number from it."
    )


def _parse_link(words: list[str]) -> Command:
    joined = " ".join(words)
    if _CODE.match(joined):
        return LinkCodeCommand(code=re.sub(r"\D", "", joined))
    if len(words) == 1 and len(words[0]) <= 254:
        return LinkStartCommand(license_or_email=words[0])
    return BadCommand(
        "Link your Slack account with `/bob link <your license number or email on file>`; "
        "we email you a code, then type `/bob link <code>`."
    )


def _parse_help(words: list[str]) -> Command:
    return HelpCommand()


_PARSERS = {
    "export": _parse_export,
    "exports": _parse_exports,
    "mailbox": _parse_mailbox,
    "link": _parse_link,
    "help": _parse_help,
}
