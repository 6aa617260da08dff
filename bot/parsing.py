"""What every `/bob` sub-command's parser shares: the shape of a sub-command, how the text is
split into words, and the pieces several commands read (case numbers, agent names, notes).

Parsing is a pure function of the text, so every reply to a typo is tested without Slack. Each
sub-command's module holds its own parser and usage; ``bot.registry`` lists them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from rules.casework.crw_cases import NOTE_LIMIT

SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"})
# A person's name or a license number: letters, digits, spaces, hyphens, apostrophes, periods.
_AGENT_QUERY = re.compile(r"^\w[\w .'-]{0,99}$")
# CRW case and help-request numbers, e.g. CRW-0001234 or HR-2026-000123.
_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")


@dataclass(frozen=True)
class BadCommand:
    """The text could not be understood; ``message`` says why and what to type instead."""

    message: str


BAD_AGENT_QUERY = BadCommand(
    "An agent is found by full first and last name or license number, using letters, "
    "digits, spaces, hyphens and apostrophes only."
)


@dataclass(frozen=True)
class SubCommand:
    """One `/bob <word> …` sub-command.

    ``parse`` turns the words after ``word`` into the command's dataclass or a BadCommand.
    ``parse_raw``, when given, reads the whole text before it is split into words, for free text
    (a note, quotes and all); it answers None when the text is not its business. ``usage`` is
    the sub-command's entry in `/bob help`.
    """

    word: str
    usage: str
    parse: Callable[[list[str]], object]
    parse_raw: Callable[[str], object | None] | None = None

    def read(self, text: str) -> object | None:
        """The command ``text`` (everything after `/bob`) asks for when it is this
        sub-command; None when it is another one."""
        if self.parse_raw is not None and (command := self.parse_raw(text)) is not None:
            return command
        try:
            typed = words(text)
        except ValueError:
            return None
        if not typed or typed[0].lower() != self.word:
            return None
        return self.parse(typed[1:])


def words(text: str) -> list[str]:
    """Split on spaces; only double quotes group words, as apostrophes occur in names.
    Raises ValueError when a quote is not closed."""
    lexer = shlex.shlex(text.translate(SMART_QUOTES), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    return list(lexer)


def joined(typed: list[str]) -> str:
    """Words as one string with single spaces (a name, a note)."""
    return " ".join(" ".join(typed).split())


def shown(word: str) -> str:
    """A user's word echoed back safely: short and without Slack markup characters."""
    return re.sub(r"[`<>*_~]", "", word)[:30]


def whole_number(word: str, max_digits: int = 9) -> int | None:
    """A plain ASCII number of at most ``max_digits`` digits (so it fits any database
    integer), or None: ``²``, ``٣`` and ``99999999999999999999999`` are not numbers here."""
    return int(word) if word.isascii() and word.isdigit() and len(word) <= max_digits else None


def record_number(word: str) -> str | None:
    """A case or help-request number as stored (upper case), or None if it cannot be one."""
    number = word.upper()
    return number if _NUMBER.match(number) else None


def is_agent_query(query: str) -> bool:
    """Whether ``query`` can be an agent's full name or license number."""
    return bool(_AGENT_QUERY.match(query))


def note_too_long(note: str) -> BadCommand | None:
    """The refusal of a note over the limit, or None when it fits."""
    if len(note) > NOTE_LIMIT:
        return BadCommand(f"A note holds at most {NOTE_LIMIT:,} characters; this one has {len(note):,}.")
    return None
