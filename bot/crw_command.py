"""`/bob crw …`: the Consumer Retention Workspace in chat, answered only to the person who
asked. `/bob crw close <case>` opens a form whose submission closes the case; `/bob crw list`
answers a page of cases at a time, and its Previous/Next buttons carry `crw list … --page N`.

The domain (rules.casework) decides who may see and do what; a refusal is a BobError whose
message is safe to show, so it becomes the reply.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.answers import ack_and_open_form, answer_in_time, field_error, linked_reply
from bot.block_kit import Reply, submitted_values
from bot.blocks_crw import (
    CLOSE_CALLBACK,
    PAGE_CASES,
    REASON_BLOCK,
    STEPS_BLOCK,
    ListPage,
    agency_reply,
    case_detail_reply,
    case_list_reply,
    close_modal,
    closed_view,
    tiles_reply,
)
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.parsing import (
    SMART_QUOTES,
    BadCommand,
    SubCommand,
    note_too_long,
    record_number,
    shown,
    whole_number,
)
from bot.replies import sentence
from bot.routing import command_is
from rules.access import Action, Via, may, record_read
from rules.casework.crw_cases import RESOLUTION_REASONS, add_note, close_case
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles, show_case
from rules.casework.crw_reach import CrwRefused
from store.errors import BobError
from store.models import Enroller

USAGE = (
    "`/bob crw` - your Consumer Retention Workspace tiles; "
    "`/bob crw list [--risk N] [--aging N] [--agency] [--page N]` - the cases\n"
    "`/bob crw show <case>` / `note <case> <text>` / `close <case>` - work one CRW case; "
    "managers: `/bob crw agency` - every enroller's activity"
)
# The answer to a `/bob crw …` that cannot be read.
CRW_USAGE = (
    "`/bob crw` shows your tiles; `/bob crw list [--risk 1-5] [--aging <days>] [--agency] [--page N]`, "
    "`/bob crw show <case>`, `/bob crw note <case> <text>`, `/bob crw close <case>`; "
    "managers: `/bob crw agency`."
)
MAX_AGING_DAYS = 3650
MAX_PAGE = 10_000  # keeps the OFFSET a small integer
# A note is free text, quotes and all, so it is cut from the raw text rather than split.
_RAW_NOTE = re.compile(r"^\s*crw\s+note(?=\s|$)\s*(\S*)(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CrwTilesCommand:
    """The enroller's own Consumer Retention Workspace tiles."""


@dataclass(frozen=True)
class CrwListCommand:
    risk: int | None = None
    aging_days: int | None = None
    agency: bool = False
    page: int = 1

    def words(self, page: int) -> str:
        """The command that shows ``page`` of the same list, as typed after `/bob`: what a
        Previous/Next button carries, read back through the parser when pressed."""
        words = ["crw list"]
        if self.risk is not None:
            words.append(f"--risk {self.risk}")
        if self.aging_days is not None:
            words.append(f"--aging {self.aging_days}")
        if self.agency:
            words.append("--agency")
        return " ".join([*words, f"--page {page}"])


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


def _parse_crw(
    words: list[str],
) -> CrwTilesCommand | CrwAgencyCommand | CrwListCommand | CrwShowCommand | CrwCloseCommand | BadCommand:
    if not words:
        return CrwTilesCommand()
    action, rest = words[0].lower(), words[1:]
    if action == "list":
        return _parse_crw_list(rest)
    if action == "agency" and not rest:
        return CrwAgencyCommand()
    if action in ("show", "close"):
        number = record_number(rest[0]) if len(rest) == 1 else None
        if number is None:
            return BadCommand(
                f"Say which case: `/bob crw {action} <case number>`, with a number from `/bob crw list`."
            )
        return CrwShowCommand(number) if action == "show" else CrwCloseCommand(number)
    return BadCommand(CRW_USAGE)


def _parse_crw_note(text: str) -> CrwNoteCommand | BadCommand | None:
    """`/bob crw note <case> <text>` read from the raw text; None for any other text."""
    note = _RAW_NOTE.match(text)
    if note is None:
        return None
    number = record_number(note.group(1).translate(SMART_QUOTES).strip('"'))
    if number is None:
        return BadCommand(
            "Say which case: `/bob crw note <case number> <text>`, with a number from `/bob crw list`."
        )
    text = note.group(2).strip()
    if not text:
        return BadCommand(
            "Write the note after the case number: `/bob crw note <case> Called, left a voicemail`."
        )
    return note_too_long(text) or CrwNoteCommand(number, text)


def _parse_crw_list(words: list[str]) -> CrwListCommand | BadCommand:
    options: dict[str, int] = {}
    agency = False
    rest = list(words)
    while rest:
        flag = rest.pop(0).lower()
        if flag == "--agency":
            agency = True
            continue
        if flag not in ("--risk", "--aging", "--page"):
            return BadCommand(
                f"`/bob crw list` has no option `{shown(flag)}`; "
                "the options are `--risk 1-5`, `--aging <days>`, `--agency` and `--page N`."
            )
        number = whole_number(rest.pop(0) if rest else "", max_digits=6)
        if number is None:
            return BadCommand(f"`{flag}` needs a number, e.g. `/bob crw list {flag} 4`.")
        options[flag] = number
    risk = options.get("--risk")
    if risk is not None and not 1 <= risk <= 5:
        return BadCommand("Risk goes from 1 (Very Low) to 5 (Very High): `/bob crw list --risk 5`.")
    aging = options.get("--aging")
    if aging is not None and aging > MAX_AGING_DAYS:
        return BadCommand(f"`--aging` counts days, at most {MAX_AGING_DAYS:,}.")
    page = options.get("--page", 1)
    if not 1 <= page <= MAX_PAGE:
        return BadCommand("Pages are numbered from 1: `/bob crw list --page 2`.")
    return CrwListCommand(risk=risk, aging_days=aging, agency=agency, page=page)


SUBCOMMAND = SubCommand("crw", USAGE, _parse_crw, parse_raw=_parse_crw_note)

CrwCommand = CrwTilesCommand | CrwAgencyCommand | CrwListCommand | CrwShowCommand | CrwNoteCommand


def crw_reply(deps: BotDeps, slack_user_id: str, command: CrwCommand) -> Reply:
    """The answer to one CRW command, for the linked enroller (or the link instructions)."""
    return linked_reply(deps, slack_user_id, partial(_answer, deps, Via("slack", slack_user_id), command))


def _answer(deps: BotDeps, via: Via, command: CrwCommand, actor_id: int, now: datetime) -> Reply:
    match command:
        case CrwTilesCommand():
            return tiles_reply(my_tiles(deps.sessions, actor_id, now), now, deps.zone)
        case CrwAgencyCommand():
            tiles, activity = agency_overview(deps.sessions, actor_id, now)
            return agency_reply(tiles, activity, now, deps.zone)
        case CrwListCommand():
            return _list_page(deps, via, command, actor_id, now)
        case CrwShowCommand():
            detail = show_case(deps.sessions, actor_id, command.case_number, now)
            record_read(deps.sessions, actor_id, "crw.show", detail.case_number, now, via)
            return case_detail_reply(detail, deps.zone, _may_transfer(deps, actor_id))
        case CrwNoteCommand():
            add_note(deps.sessions, actor_id, command.case_number, command.text, now)
            return Reply(
                f"Noted on CRW case {command.case_number}. "
                f"`/bob crw show {command.case_number}` shows its notes."
            )


def _list_page(deps: BotDeps, via: Via, command: CrwListCommand, actor_id: int, now: datetime) -> Reply:
    """Page ``command.page`` of the list; one case more than a page is read to learn whether
    a next page exists."""
    rows = list_cases(
        deps.sessions,
        actor_id,
        now,
        risk=command.risk,
        aging_days=command.aging_days,
        agency=command.agency,
        offset=(command.page - 1) * PAGE_CASES,
        limit=PAGE_CASES + 1,
    )
    record_read(deps.sessions, actor_id, "crw.list", "agency" if command.agency else "own", now, via)
    page = ListPage(
        command.page,
        previous=command.words(command.page - 1) if command.page > 1 else None,
        next=command.words(command.page + 1) if len(rows) > PAGE_CASES else None,
    )
    return case_list_reply(
        rows, command.risk, command.aging_days, command.agency, page, _may_transfer(deps, actor_id)
    )


def _may_transfer(deps: BotDeps, actor_id: int) -> bool:
    with deps.sessions() as session:
        actor = session.get(Enroller, actor_id)
        return actor is not None and may(actor, Action.TRANSFER_CRW_CASE)


def close_refusal(deps: BotDeps, slack_user_id: str, case_number: str) -> str | None:
    """Why the close form should not open (unlinked, unknown or closed case), or None."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return LINK_HOWTO
    try:
        detail = show_case(deps.sessions, actor_id, case_number, deps.clock())
    except BobError as exc:
        return sentence(exc)
    if detail.status == "closed":
        return f"CRW case {case_number} is closed already."
    return None


def submit_close(
    deps: BotDeps, slack_user_id: str, case_number: str, answers: dict[str, str]
) -> dict[str, str]:
    """Close the case from the form's answers; the errors to show on the form (none when it
    was closed)."""
    reason, steps = answers.get(REASON_BLOCK), answers.get(STEPS_BLOCK)
    errors = {}
    if reason not in RESOLUTION_REASONS:
        errors[REASON_BLOCK] = "Choose a resolution reason; it is required."
    if not steps:
        errors[STEPS_BLOCK] = "Write the steps taken; they are required."
    if errors:
        return errors
    assert reason is not None and steps is not None
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return {REASON_BLOCK: "Link your Slack account first with `/bob link`."}
    try:
        close_case(deps.sessions, actor_id, case_number, reason, steps, deps.clock())
    except CrwRefused as exc:
        return {REASON_BLOCK: field_error(exc)}
    return {}


def close_form(deps: BotDeps, slack_user_id: str, case_number: str) -> dict[str, Any] | str:
    """The close form for ``case_number``, or the sentence that says why it should not open."""
    return close_refusal(deps, slack_user_id, case_number) or close_modal(case_number)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_crw(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        if isinstance(command, CrwCloseCommand):
            form = asyncio.to_thread(close_form, deps, body["user_id"], command.case_number)
            failure = "Slack did not open the close form; please try `/bob crw close` again."
            await ack_and_open_form(ack, respond, client, body, form, failure)
            return
        assert isinstance(command, CrwCommand)
        await answer_in_time(ack, respond, asyncio.to_thread(crw_reply, deps, body["user_id"], command))

    async def answer_close_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_number = str(view.get("private_metadata", ""))
        answers = submitted_values(view)
        errors = await asyncio.to_thread(submit_close, deps, body["user"]["id"], case_number, answers)
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack(response_action="update", view=closed_view(case_number, answers[REASON_BLOCK]))

    crw_kinds = (
        CrwTilesCommand,
        CrwAgencyCommand,
        CrwListCommand,
        CrwShowCommand,
        CrwNoteCommand,
        CrwCloseCommand,
    )
    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, *crw_kinds)])(answer_crw)
    app.view(CLOSE_CALLBACK)(answer_close_form)
