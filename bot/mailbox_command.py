"""`/bob mailbox [<id>]`: the secure mailbox, answered only to the person who asked (ephemeral)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.actor import linked_enroller_id
from bot.answers import answer_in_time
from bot.block_kit import Reply, section
from bot.deps import BotDeps
from bot.digest_actions import page_reply
from bot.identity import LINK_HOWTO
from bot.parsing import BadCommand, SubCommand, whole_number
from bot.routing import command_is
from bot.slack_text import inert
from bot.web_button import open_in_browser
from rules.access import Via, record_read
from rules.mailbox import mailbox_listing
from store.mailbox import MailboxEntry

USAGE = "`/bob mailbox [<id>]` - your secure mailbox, or one digest in it"


@dataclass(frozen=True)
class MailboxCommand:
    message_id: int | None = None


def _parse_mailbox(words: list[str]) -> MailboxCommand | BadCommand:
    if not words:
        return MailboxCommand()
    message_id = whole_number(words[0]) if len(words) == 1 else None
    if message_id is not None:
        return MailboxCommand(message_id=message_id)
    return BadCommand("Use `/bob mailbox` for the list, or `/bob mailbox <id>` with a number from it.")


SUBCOMMAND = SubCommand("mailbox", USAGE, _parse_mailbox)


def mailbox_line(entry: MailboxEntry) -> str:
    unread = "  *new*" if entry.read_at is None else ""
    alerts = "1 alert" if entry.alert_count == 1 else f"{entry.alert_count} alerts"
    return f"`{entry.id}`  {entry.business_date:%m/%d/%Y}  {inert(entry.subject)}  ({alerts}){unread}"


def mailbox_reply(deps: BotDeps, slack_user_id: str, command: MailboxCommand) -> Reply:
    """The list of the user's digests, or one digest whole: its first page, with buttons to
    the others."""
    reader_id = linked_enroller_id(deps.sessions, slack_user_id)
    if command.message_id is not None:
        reply = page_reply(deps, slack_user_id, command.message_id, 1)
        return _with_browser_button(deps, reader_id, reply, f"/mailbox/{command.message_id}")
    if reader_id is None:
        return Reply(LINK_HOWTO)
    now = deps.clock()
    entries = mailbox_listing(deps.sessions, reader_id, now)
    record_read(
        deps.sessions, reader_id, "mailbox.list", "own", now, Via("slack", slack_user_id=slack_user_id)
    )
    if not entries:
        return Reply("Your secure mailbox is empty.")
    lines = "\n".join(mailbox_line(e) for e in entries)
    text = f"*Your secure mailbox* (newest first; open one with `/bob mailbox <id>`)\n{lines}"
    button = open_in_browser(deps, reader_id, "/mailbox")
    return Reply(text) if button is None else Reply(text, [section(text), button])


def _with_browser_button(deps: BotDeps, reader_id: int | None, reply: Reply, next_path: str) -> Reply:
    """``reply`` with an "Open in browser" button (a one-time sign-in link to ``next_path``)
    under it, for a linked reader shown a page (never under a refusal); as it was without a
    web address."""
    if reader_id is None or not reply.blocks:
        return reply
    button = open_in_browser(deps, reader_id, next_path)
    return reply if button is None else Reply(reply.text, [*reply.blocks, button])


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_mailbox(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, MailboxCommand)
        await answer_in_time(ack, respond, asyncio.to_thread(mailbox_reply, deps, body["user_id"], command))

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, MailboxCommand)])(answer_mailbox)
