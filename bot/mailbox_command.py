"""`/bob mailbox [<id>]`: the secure mailbox, answered only to the person who asked (ephemeral)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.actor import linked_enroller_id
from bot.block_kit import section
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.parsing import BadCommand, SubCommand, whole_number
from bot.routing import command_is
from bot.slack_text import code_block, inert
from bot.web_button import open_in_browser
from rules.mailbox import mailbox_listing, open_message
from store.mailbox import MailboxEntry, NotFound

# Slack shows about 4,000 characters of a message comfortably; longer digests are cut there.
MAX_BODY_CHARS = 3500
MAX_BODY_BESIDE_BUTTON = 2800
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


def _reader_reply(deps: BotDeps, reader_id: int, command: MailboxCommand, max_body: int) -> str:
    if command.message_id is None:
        entries = mailbox_listing(deps.sessions, reader_id, deps.clock())
        if not entries:
            return "Your secure mailbox is empty."
        lines = "\n".join(mailbox_line(e) for e in entries)
        return f"*Your secure mailbox* (newest first; open one with `/bob mailbox <id>`)\n{lines}"
    try:
        message = open_message(deps.sessions, reader_id, command.message_id, deps.clock())
    except NotFound as exc:
        return f"{exc}; `/bob mailbox` lists the ids."
    body = message.body_text
    if len(body) > max_body:
        cut = len(body) - max_body
        body = f"{body[:max_body]}\n… ({cut:,} more characters not shown)"
    return f"*{inert(message.subject)}*\n{code_block(body)}"


def mailbox_answer(deps: BotDeps, slack_user_id: str, command: MailboxCommand) -> dict[str, Any]:
    """The reply; for a linked user, when the web mailbox has an address, with an "Open in
    browser" button under it (to the digest asked for, or the mailbox). A Block Kit section
    holds 3,000 characters, so a digest shown above the button is cut shorter."""
    reader_id = linked_enroller_id(deps.sessions, slack_user_id)
    if reader_id is None:
        return {"text": LINK_HOWTO}
    next_path = f"/mailbox/{command.message_id}" if command.message_id is not None else "/mailbox"
    button = open_in_browser(deps, reader_id, next_path)
    if button is None:
        return {"text": _reader_reply(deps, reader_id, command, MAX_BODY_CHARS)}
    text = _reader_reply(deps, reader_id, command, MAX_BODY_BESIDE_BUTTON)
    return {"text": text, "blocks": [section(text), button]}


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_mailbox(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, MailboxCommand)
        await ack(**await asyncio.to_thread(mailbox_answer, deps, body["user_id"], command))

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, MailboxCommand)])(answer_mailbox)
