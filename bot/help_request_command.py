"""`/bob help-request …`: file help requests with the exchange and follow their status.

Agents read their own, managers their agency's, support staff every request and only they
update a status. `/bob help-request new` opens the portal's form (category, topic, details);
its submission files the request. Replies are ephemeral: details may describe a consumer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.answers import ack_and_open_form, answer_in_time, field_error, linked_reply
from bot.block_kit import Reply, submitted_values
from bot.blocks_help_requests import (
    CATEGORY_BLOCK,
    DETAILS_BLOCK,
    NEW_CALLBACK,
    TOPIC_BLOCK,
    filed_view,
    new_request_modal,
    request_detail_reply,
    request_list_reply,
)
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.parsing import BadCommand, SubCommand, joined, note_too_long, record_number, shown
from bot.replies import status_words
from bot.routing import command_is
from rules.access import Via, record_read
from rules.casework.help_requests import (
    HelpRefused,
    HelpRequestView,
    create_request,
    list_requests,
    show_request,
    update_request,
)
from store.models import HelpCategory, HelpStatus

USAGE = (
    "`/bob help-request <number>` / `list [open]` / `new` - your help requests; support staff: "
    "`/bob help-request update <number> <status> [note]`"
)
# The answer to a `/bob help-request …` that cannot be read.
HELP_REQUEST_USAGE = (
    "`/bob help-request <number>` shows one, `/bob help-request list [open]` lists them, "
    "`/bob help-request new` files one; support staff: "
    "`/bob help-request update <number> <status> [note]`."
)
HELP_STATUS_WORDS = ", ".join(f"`{status.value}`" for status in HelpStatus)


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


def _parse_help_request(
    words: list[str],
) -> (
    HelpRequestShowCommand
    | HelpRequestListCommand
    | HelpRequestNewCommand
    | HelpRequestUpdateCommand
    | BadCommand
):
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
    if len(words) == 1 and action not in ("list", "new") and (number := record_number(words[0])):
        return HelpRequestShowCommand(number)
    return BadCommand(HELP_REQUEST_USAGE)


def _parse_help_request_update(words: list[str]) -> HelpRequestUpdateCommand | BadCommand:
    number = record_number(words[0]) if words else None
    if number is None or len(words) < 2:
        return BadCommand(
            "Update a help request with `/bob help-request update <number> "
            f"<status> [note]`; the statuses are {HELP_STATUS_WORDS}."
        )
    word = words[1].lower().replace("-", "_")
    status = next((s for s in HelpStatus if s.value == word), None)
    if status is None:
        return BadCommand(
            f"`{shown(words[1])}` is not a help-request status; use one of {HELP_STATUS_WORDS}."
        )
    note = joined(words[2:]) or None
    if note is not None and (refusal := note_too_long(note)):
        return refusal
    return HelpRequestUpdateCommand(number, status, note)


SUBCOMMAND = SubCommand("help-request", USAGE, _parse_help_request)

HelpRequestCommand = HelpRequestShowCommand | HelpRequestListCommand | HelpRequestUpdateCommand


def help_request_reply(deps: BotDeps, slack_user_id: str, command: HelpRequestCommand) -> Reply:
    return linked_reply(deps, slack_user_id, partial(_answer, deps, Via("slack", slack_user_id), command))


def _answer(deps: BotDeps, via: Via, command: HelpRequestCommand, actor_id: int, now: datetime) -> Reply:
    match command:
        case HelpRequestShowCommand():
            shown = show_request(deps.sessions, actor_id, command.number, now)
            record_read(deps.sessions, actor_id, "help.show", shown.number, now, via)
            return request_detail_reply(shown, deps.zone)
        case HelpRequestListCommand():
            listed = list_requests(deps.sessions, actor_id, now, open_only=command.open_only)
            record_read(
                deps.sessions, actor_id, "help.list", "open" if command.open_only else "all", now, via
            )
            return request_list_reply(listed, command.open_only)
        case HelpRequestUpdateCommand():
            updated = update_request(
                deps.sessions, actor_id, command.number, command.status, command.note, now
            )
            return Reply(
                f"Help request {updated.number} is now "
                f"{status_words(updated.status)}" + (" with your note." if command.note else ".")
            )


def submit_new_request(
    deps: BotDeps, slack_user_id: str, answers: dict[str, str]
) -> HelpRequestView | dict[str, str]:
    """File the request from the form's answers, or the errors to show on the form."""
    category = next((c for c in HelpCategory if c.value == answers.get(CATEGORY_BLOCK)), None)
    topic, details = answers.get(TOPIC_BLOCK), answers.get(DETAILS_BLOCK)
    errors = {}
    if category is None:
        errors[CATEGORY_BLOCK] = "Choose a category; it decides which team gets the request."
    if not topic:
        errors[TOPIC_BLOCK] = "Give the request a topic."
    if not details:
        errors[DETAILS_BLOCK] = "Describe the problem; the team needs the details."
    if errors:
        return errors
    assert category is not None and topic is not None and details is not None
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return {CATEGORY_BLOCK: "Link your Slack account first with `/bob link`."}
    try:
        return create_request(deps.sessions, actor_id, category, topic, details, deps.clock())
    except HelpRefused as exc:
        return {DETAILS_BLOCK: field_error(exc)}


def new_request_form(deps: BotDeps, slack_user_id: str) -> dict[str, Any] | str:
    """The new request form, or the link instructions for someone not linked."""
    if linked_enroller_id(deps.sessions, slack_user_id) is None:
        return LINK_HOWTO
    return new_request_modal()


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_help_request(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        command = SUBCOMMAND.read(body.get("text", ""))
        if isinstance(command, HelpRequestNewCommand):
            form = asyncio.to_thread(new_request_form, deps, body["user_id"])
            failure = "Slack did not open the form; please try `/bob help-request new` again."
            await ack_and_open_form(ack, respond, client, body, form, failure)
            return
        assert isinstance(command, HelpRequestCommand)
        reply = asyncio.to_thread(help_request_reply, deps, body["user_id"], command)
        await answer_in_time(ack, respond, reply)

    async def answer_new_request_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        filed = await asyncio.to_thread(submit_new_request, deps, body["user"]["id"], submitted_values(view))
        if isinstance(filed, dict):
            await ack(response_action="errors", errors=filed)
        else:
            await ack(response_action="update", view=filed_view(filed))

    kinds = (HelpRequestShowCommand, HelpRequestListCommand, HelpRequestUpdateCommand, HelpRequestNewCommand)
    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, *kinds)])(answer_help_request)
    app.view(NEW_CALLBACK)(answer_new_request_form)
