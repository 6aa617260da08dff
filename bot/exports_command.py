"""`/bob exports` lists the user's export history; `/bob exports get <token>` sends a finished
export to their DM again until it expires (same file, same password).

`/bob exports get` acknowledges at once and answers by ``respond``: finding the export reads
and audits in the database, which can outlast the 3 s Slack waits for an acknowledgement."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import answer_in_time
from bot.block_kit import Reply
from bot.deliver import open_dm, upload_file
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO, linked_enroller
from bot.parsing import BadCommand, SubCommand
from bot.replies import sentence
from bot.routing import command_is
from bot.slack_text import inert
from exports.history import ExportHistoryEntry, fetch_export, list_exports
from rules.access import Via
from store.errors import BobError

log = logging.getLogger(__name__)

NOT_FETCHED = "Your export could not be fetched just now; please try again in a few minutes."
USAGE = "`/bob exports` - your exports; `/bob exports get <token>` sends one again until it expires"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


@dataclass(frozen=True)
class ExportsCommand:
    """List the user's export history."""


@dataclass(frozen=True)
class ExportFetchCommand:
    token: str


def _parse_exports(words: list[str]) -> ExportsCommand | ExportFetchCommand | BadCommand:
    if not words:
        return ExportsCommand()
    if words[0].lower() == "get" and len(words) == 2 and is_export_token(words[1]):
        return ExportFetchCommand(token=words[1])
    return BadCommand(
        "Use `/bob exports` to list your exports, or `/bob exports get <token>` with a token from that list."
    )


SUBCOMMAND = SubCommand("exports", USAGE, _parse_exports)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%m/%d/%Y %I:%M %p") if moment else "-"


def history_line(entry: ExportHistoryEntry, now: datetime, zone: ZoneInfo) -> str:
    rows = f"{entry.row_count:,} rows" if entry.row_count is not None else "rows: -"
    line = (
        f"{_when(entry.requested_at, zone)}  {inert(entry.scope_label)}  *{entry.status}*  {rows}  "
        f"expires {_when(entry.expires_at, zone)}"
    )
    if entry.error:
        line += f"\n    reason: {inert(entry.error)}"
    if entry.available(now):
        line += f"\n    `/bob exports get {entry.token}`"
    return line


def history_reply(deps: BotDeps, slack_user_id: str) -> str:
    with deps.sessions() as session:
        enroller = linked_enroller(session, slack_user_id)
        if enroller is None:
            return LINK_HOWTO
        requester_id = enroller.id
    now = deps.clock()
    entries = list_exports(deps.sessions, requester_id, now)
    if not entries:
        return "You have no exports yet; `/bob export` makes one."
    lines = "\n".join(history_line(entry, now, deps.zone) for entry in entries)
    return f"*Your exports* (newest first)\n{lines}"


def fetch_reply(deps: BotDeps, slack_user_id: str, token: str) -> tuple[str, Path | None]:
    with deps.sessions() as session:
        enroller = linked_enroller(session, slack_user_id)
        if enroller is None:
            return LINK_HOWTO, None
        requester_id = enroller.id
    try:
        via = Via("slack", slack_user_id=slack_user_id)
        path = fetch_export(deps.sessions, requester_id, token, deps.clock(), via)
    except BobError as exc:
        return sentence(exc), None
    return (
        f"Sending {path.name} to your DM with bob again; it opens with the password you "
        "received the first time.",
        path,
    )


def is_export_token(value: object) -> bool:
    """Whether ``value`` (typed, or carried back by a button) has the shape of an export token."""
    return isinstance(value, str) and _TOKEN.match(value) is not None


async def send_file_again(
    client: AsyncWebClient, slack_user_id: str, path: Path, respond: AsyncRespond
) -> None:
    """Upload a fetched export to the user's DM again (`/bob exports get` and "Fetch again")."""
    try:
        dm = await open_dm(client, slack_user_id)
        await upload_file(client, dm, path, path.name, comment="Your export, sent again.")
    except (SlackApiError, SlackClientError, OSError):
        await respond(
            text="Slack would not take the file just now; try again in a few minutes.",
            response_type="ephemeral",
        )


async def fetch_and_send(
    deps: BotDeps, slack_user_id: str, token: str, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """Say whether the export can be sent again (one ephemeral answer), then send it:
    `/bob exports get` after its acknowledgement, and the Home tab's "Fetch again"."""
    try:
        text, path = await asyncio.to_thread(fetch_reply, deps, slack_user_id, token)
    except Exception as exc:
        # After the empty acknowledgement this answer is the only one the user gets; the
        # message of an unexpected error may quote row values, so only its type is logged.
        log.error("an export could not be fetched (%s)", type(exc).__name__)
        text, path = NOT_FETCHED, None
    await respond(text=text, response_type="ephemeral", replace_original=False)
    if path is not None:
        await send_file_again(client, slack_user_id, path, respond)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_history(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        async def history() -> Reply:
            return Reply(await asyncio.to_thread(history_reply, deps, body["user_id"]))

        await answer_in_time(ack, respond, history())

    async def answer_fetch(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()  # first and empty: Slack's 3 s run out while the fetch waits for the database
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, ExportFetchCommand)
        await fetch_and_send(deps, body["user_id"], command.token, client, respond)

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, ExportsCommand)])(answer_history)
    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, ExportFetchCommand)])(answer_fetch)
