"""`/bob followups [--due N] [--overdue] [--agency] [--page N]`: the outstanding DMI, SVI and
document follow-ups, soonest due first, answered only to the person who asked (ephemeral).

Lines show case numbers, never consumer names, as `/bob crw list` does; who may list what
is :mod:`rules.casework.follow_up_queue`'s business, and a refusal becomes the reply. A long
list comes in pages with Previous/Next buttons; a button carries the command's own words
(`followups --overdue --page 2`), read back through the same parser and answered for
whoever pressed it, so it reaches no more than typing the command would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.answers import answer_in_time, linked_reply
from bot.block_kit import Block, Reply, context, header, lines_sections, plain
from bot.blocks_crw import days
from bot.deps import BotDeps
from bot.parsing import BadCommand, SubCommand, shown, whole_number
from bot.routing import command_is
from bot.slack_text import code, inert
from rules.access import Via, record_read
from rules.casework.follow_up_queue import (
    MAX_DUE_DAYS,
    MAX_PAGE,
    FollowUpFilter,
    FollowUpPage,
    FollowUpRow,
    list_follow_ups,
)

USAGE = (
    "`/bob followups [--due <days>] [--overdue] [--agency] [--page N]`"
    " - DMI, SVI and document follow-ups with their due dates"
)
OPTIONS = "`--due <days>`, `--overdue`, `--agency` and `--page N`"
PREVIOUS_PAGE, NEXT_PAGE = "followups_previous", "followups_next"
STALE_BUTTON = "This button no longer points at a page of follow-ups; type `/bob followups`."


@dataclass(frozen=True)
class FollowUpsCommand:
    due_within: int | None = None
    overdue: bool = False
    agency: bool = False
    page: int = 1

    @property
    def wanted(self) -> FollowUpFilter:
        return FollowUpFilter(self.due_within, self.overdue, self.agency)


def _parse_followups(words: list[str]) -> FollowUpsCommand | BadCommand:
    numbers: dict[str, int] = {}
    switches: set[str] = set()
    rest = list(words)
    while rest:
        word = rest.pop(0).lower()
        if word in ("--overdue", "--agency"):
            switches.add(word)
            continue
        if word not in ("--due", "--page"):
            return BadCommand(f"`/bob followups` has no option `{shown(word)}`; the options are {OPTIONS}.")
        number = whole_number(rest.pop(0) if rest else "", max_digits=6)
        if number is None:
            return BadCommand(f"`{word}` needs a number, e.g. `/bob followups {word} 5`.")
        numbers[word] = number
    due = numbers.get("--due")
    if due is not None and due > MAX_DUE_DAYS:
        return BadCommand(f"`--due` counts days from today, at most {MAX_DUE_DAYS}.")
    page = numbers.get("--page", 1)
    if not 1 <= page <= MAX_PAGE:
        return BadCommand("Pages are numbered from 1: `/bob followups --page 2`.")
    return FollowUpsCommand(due, "--overdue" in switches, "--agency" in switches, page)


SUBCOMMAND = SubCommand("followups", USAGE, _parse_followups)


def followups_reply(deps: BotDeps, slack_user_id: str, command: FollowUpsCommand) -> Reply:
    """The page of follow-ups for the linked enroller (or the link instructions)."""
    return linked_reply(deps, slack_user_id, partial(_answer, deps, Via("slack", slack_user_id), command))


def _answer(deps: BotDeps, via: Via, command: FollowUpsCommand, actor_id: int, now: datetime) -> Reply:
    found = list_follow_ups(deps.sessions, actor_id, now, command.wanted, command.page)
    record_read(deps.sessions, actor_id, "followups.list", command.wanted.reach, now, via)
    return page_reply(found, command)


def page_reply(found: FollowUpPage, command: FollowUpsCommand) -> Reply:
    """One page: a line per follow-up, headed by whose they are and which, with the command
    that shows the next page when there is one."""
    whose = "Agency follow-ups" if command.agency else "Your follow-ups"
    which = _which(command)
    if found.total == 0:
        return Reply(text=f"{whose}: none {which}.")
    if not found.rows:  # a page past the end (typed, or a button after the list shrank)
        return Reply(
            text=f"{whose}: {found.total:,} {which}, on {_pages(found.pages)}; "
            f"there is no page {command.page:,}."
        )
    lines = [_line(row, command.agency) for row in found.rows]
    where = f"page {found.page:,} of {found.pages:,} · " if found.pages > 1 else ""
    more = ""
    if found.page < found.pages:
        more = f" · {code('/bob ' + _command_words(command, found.page + 1))} shows the next page"
    blocks = [
        header(f"{whose}: {found.total:,} {which}"),
        *lines_sections(lines),
        context(f"{where}soonest due first · today is {found.today:%m/%d/%Y}{more}"),
    ]
    if found.pages > 1:
        blocks.append(_page_buttons(command, found))
    return Reply(text=f"{whose}: {found.total:,} {which}.", blocks=blocks)


def _page_buttons(command: FollowUpsCommand, found: FollowUpPage) -> Block:
    buttons = []
    if found.page > 1:
        buttons.append((PREVIOUS_PAGE, "Previous", found.page - 1))
    if found.page < found.pages:
        buttons.append((NEXT_PAGE, "Next", found.page + 1))
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": action,
                "text": plain(label),
                "value": _command_words(command, page),
            }
            for action, label, page in buttons
        ],
    }


def _which(command: FollowUpsCommand) -> str:
    if command.overdue and command.due_within is not None:
        return f"overdue or due within {days(command.due_within)}"
    if command.overdue:
        return "overdue"
    if command.due_within is not None:
        return f"due within {days(command.due_within)}"
    return "outstanding"


def _pages(n: int) -> str:
    return "1 page" if n == 1 else f"{n:,} pages"


def _line(row: FollowUpRow, with_agent: bool) -> str:
    when = f"*{row.when}*" if row.days_left <= 0 else row.when
    line = (
        f"{code(row.case_number)}  {row.kind} · {inert(row.needed)} · due {row.due_on:%m/%d/%Y} "
        f"({when}) · {row.status}"
    )
    return f"{line} · {inert(row.agent)}" if with_agent else line


def _command_words(command: FollowUpsCommand, page: int) -> str:
    """The command that shows ``page`` of the same list, as typed after `/bob`."""
    words = ["followups"]
    if command.due_within is not None:
        words.append(f"--due {command.due_within}")
    if command.overdue:
        words.append("--overdue")
    if command.agency:
        words.append("--agency")
    words.append(f"--page {page}")
    return " ".join(words)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, FollowUpsCommand)
        await answer_in_time(ack, respond, asyncio.to_thread(followups_reply, deps, body["user_id"], command))

    async def turn_page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        actions = body.get("actions") or [{}]
        value = actions[0].get("value")
        command = SUBCOMMAND.read(value) if isinstance(value, str) and len(value) <= 200 else None
        reply = Reply(STALE_BUTTON)
        if isinstance(command, FollowUpsCommand):
            reply = await asyncio.to_thread(followups_reply, deps, body["user"]["id"], command)
        await respond(
            text=reply.text, blocks=reply.blocks or None, response_type="ephemeral", replace_original=True
        )

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, FollowUpsCommand)])(answer)
    app.action(PREVIOUS_PAGE)(turn_page)
    app.action(NEXT_PAGE)(turn_page)
