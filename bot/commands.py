"""What the user typed after `/bob`, turned into a typed command (or a helpful refusal).

Parsing is a pure function of the text, so every reply to a typo is tested without Slack.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from typing import Literal

from store.models import HelpStatus

USAGE = (
    "`/bob export [agency | agent <name or license>] [--masked] [--snapshot] [--changes]`"
    " - your Book of Business as an encrypted workbook\n"
    "`/bob exports` - your exports; `/bob exports get <token>` sends one again until it expires\n"
    "`/bob mailbox [<id>]` - your secure mailbox, or one digest in it\n"
    "`/bob crw` - your Consumer Retention Workspace tiles; "
    "`/bob crw list [--risk N] [--aging N] [--agency]` - the cases\n"
    "`/bob crw show <case>` / `note <case> <text>` / `close <case>` - work one CRW case; "
    "managers: `/bob crw agency` - every enroller's activity\n"
    "`/bob transfer <case> <agent name or license>` - managers: move a case to an Agent Level 2\n"
    "`/bob help-request <number>` / `list [open]` / `new` - your help requests; support staff: "
    "`/bob help-request update <number> <status> [note]`\n"
    "`/bob link <license number or email>` - link your Slack account; "
    "`/bob link <code>` finishes it\n"
    "`/bob help` - this list"
)

EXPORT_FLAGS = ("--masked", "--snapshot", "--changes")
_CODE = re.compile(r"^\d{3}[- ]?\d{3}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
# A person's name or a license number: letters, digits, spaces, hyphens, apostrophes, periods.
_AGENT_QUERY = re.compile(r"^\w[\w .'-]{0,99}$")
# CRW case and help-request numbers, e.g. CRW-0001234 or HR-2026-000123.
_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
# A note is free text, quotes and all, so it is cut from the raw text rather than split.
_RAW_NOTE = re.compile(r"^\s*crw\s+note(?=\s|$)\s*(\S*)(.*)$", re.IGNORECASE | re.DOTALL)
MAX_NOTE_CHARS = 4000
MAX_AGING_DAYS = 3650
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
class CrwTilesCommand:
    """The enroller's own Consumer Retention Workspace tiles."""


@dataclass(frozen=True)
class CrwListCommand:
    risk: int | None = None
    aging_days: int | None = None
    agency: bool = False


@dataclass(frozen=True)
class CrwShowCommand:
    case_number: str


@dataclass(frozen=True)
class CrwNoteCommand:
    case_number: str
    text: str


@dataclass(frozen=True)
class CrwCloseCommand:
    case_number: str


@dataclass(frozen=True)
class CrwAgencyCommand:
    """A manager's view of every enroller's CRW activity."""


@dataclass(frozen=True)
class TransferCommand:
    case_number: str
    to: str


@dataclass(frozen=True)
class HelpRequestShowCommand:
    number: str


@dataclass(frozen=True)
class HelpRequestListCommand:
    open_only: bool = False


@dataclass(frozen=True)
class HelpRequestNewCommand:
    """Open the form for a new help request."""


@dataclass(frozen=True)
class HelpRequestUpdateCommand:
    number: str
    status: HelpStatus
    note: str | None = None


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
    | CrwTilesCommand
    | CrwListCommand
    | CrwShowCommand
    | CrwNoteCommand
    | CrwCloseCommand
    | CrwAgencyCommand
    | TransferCommand
    | HelpRequestShowCommand
    | HelpRequestListCommand
    | HelpRequestNewCommand
    | HelpRequestUpdateCommand
    | BadCommand
)


def parse_command(text: str) -> Command:
    """Turn the text after `/bob` into a command; never raises."""
    note = _RAW_NOTE.match(text)
    if note:
        return _crw_note(note.group(1), note.group(2))
    try:
        words = _words(text)
    except ValueError:
        return BadCommand('A quote is not closed; write a name as `"Ana Agent"`.')
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
                'Say which agent: `/bob export agent "Ana Agent"` (full first and last name) '
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
        "Use `/bob exports` to list your exports, or `/bob exports get <token>` with a token from that list."
    )


def _parse_mailbox(words: list[str]) -> Command:
    if not words:
        return MailboxCommand()
    if len(words) == 1 and words[0].isdigit():
        return MailboxCommand(message_id=int(words[0]))
    return BadCommand("Use `/bob mailbox` for the list, or `/bob mailbox <id>` with a number from it.")


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


CRW_USAGE = (
    "`/bob crw` shows your tiles; `/bob crw list [--risk 1-5] [--aging <days>] [--agency]`, "
    "`/bob crw show <case>`, `/bob crw note <case> <text>`, `/bob crw close <case>`; "
    "managers: `/bob crw agency`."
)


def _number(word: str) -> str | None:
    """A case or help-request number as stored (upper case), or None if it cannot be one."""
    number = word.upper()
    return number if _NUMBER.match(number) else None


def _parse_crw(words: list[str]) -> Command:
    if not words:
        return CrwTilesCommand()
    action, rest = words[0].lower(), words[1:]
    if action == "list":
        return _parse_crw_list(rest)
    if action == "agency" and not rest:
        return CrwAgencyCommand()
    if action in ("show", "close"):
        number = _number(rest[0]) if len(rest) == 1 else None
        if number is None:
            return BadCommand(
                f"Say which case: `/bob crw {action} <case number>`, with a number from `/bob crw list`."
            )
        return CrwShowCommand(number) if action == "show" else CrwCloseCommand(number)
    return BadCommand(CRW_USAGE)


def _crw_note(case_word: str, text: str) -> Command:
    number = _number(case_word.translate(_SMART_QUOTES).strip('"'))
    if number is None:
        return BadCommand(
            "Say which case: `/bob crw note <case number> <text>`, with a number from `/bob crw list`."
        )
    text = text.strip()
    if not text:
        return BadCommand(
            "Write the note after the case number: `/bob crw note <case> Called, left a voicemail`."
        )
    if len(text) > MAX_NOTE_CHARS:
        return BadCommand(f"A note holds at most {MAX_NOTE_CHARS:,} characters; this one has {len(text):,}.")
    return CrwNoteCommand(number, text)


def _parse_crw_list(words: list[str]) -> Command:
    options: dict[str, int] = {}
    agency = False
    rest = list(words)
    while rest:
        flag = rest.pop(0).lower()
        if flag == "--agency":
            agency = True
            continue
        if flag not in ("--risk", "--aging"):
            return BadCommand(
                f"`/bob crw list` has no option `{_shown(flag)}`; "
                "the options are `--risk 1-5`, `--aging <days>` and `--agency`."
            )
        value = rest.pop(0) if rest else ""
        if not (value.isascii() and value.isdigit() and len(value) <= 6):
            return BadCommand(f"`{flag}` needs a number, e.g. `/bob crw list {flag} 4`.")
        options[flag] = int(value)
    risk = options.get("--risk")
    if risk is not None and not 1 <= risk <= 5:
        return BadCommand("Risk goes from 1 (Very Low) to 5 (Very High): `/bob crw list --risk 5`.")
    aging = options.get("--aging")
    if aging is not None and aging > MAX_AGING_DAYS:
        return BadCommand(f"`--aging` counts days, at most {MAX_AGING_DAYS:,}.")
    return CrwListCommand(risk=risk, aging_days=aging, agency=agency)


def _parse_transfer(words: list[str]) -> Command:
    number = _number(words[0]) if words else None
    query = " ".join(" ".join(words[1:]).split())
    if number is None or not query:
        return BadCommand(
            "Transfer a case with `/bob transfer <case> <agent full name or "
            "license>`; it may go only to an Agent Level 2 of your agency."
        )
    if not _AGENT_QUERY.match(query):
        return BadCommand(
            "An agent is found by full first and last name or license number, using letters, "
            "digits, spaces, hyphens and apostrophes only."
        )
    return TransferCommand(number, query)


HELP_REQUEST_USAGE = (
    "`/bob help-request <number>` shows one, `/bob help-request list [open]` lists them, "
    "`/bob help-request new` files one; support staff: "
    "`/bob help-request update <number> <status> [note]`."
)
HELP_STATUS_WORDS = ", ".join(f"`{status.value}`" for status in HelpStatus)


def _parse_help_request(words: list[str]) -> Command:
    if not words:
        return HelpRequestListCommand()
    action, rest = words[0].lower(), words[1:]
    if action == "list" and len(rest) <= 1:
        if not rest:
            return HelpRequestListCommand()
        if rest[0].lower() == "open":
            return HelpRequestListCommand(open_only=True)
    if action == "new" and not rest:
        return HelpRequestNewCommand()
    if action == "update":
        return _parse_help_request_update(rest)
    if len(words) == 1 and action not in ("list", "new") and (number := _number(words[0])):
        return HelpRequestShowCommand(number)
    return BadCommand(HELP_REQUEST_USAGE)


def _parse_help_request_update(words: list[str]) -> Command:
    number = _number(words[0]) if words else None
    if number is None or len(words) < 2:
        return BadCommand(
            "Update a help request with `/bob help-request update <number> "
            f"<status> [note]`; the statuses are {HELP_STATUS_WORDS}."
        )
    word = words[1].lower().replace("-", "_")
    status = next((s for s in HelpStatus if s.value == word), None)
    if status is None:
        return BadCommand(
            f"`{_shown(words[1])}` is not a help-request status; use one of {HELP_STATUS_WORDS}."
        )
    note = " ".join(" ".join(words[2:]).split()) or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        return BadCommand(f"A note holds at most {MAX_NOTE_CHARS:,} characters; this one has {len(note):,}.")
    return HelpRequestUpdateCommand(number, status, note)


_PARSERS = {
    "export": _parse_export,
    "exports": _parse_exports,
    "mailbox": _parse_mailbox,
    "link": _parse_link,
    "help": _parse_help,
    "crw": _parse_crw,
    "transfer": _parse_transfer,
    "help-request": _parse_help_request,
}
