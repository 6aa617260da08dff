"""`/bob help-request …`: file help requests with the exchange and follow their status.

Agents read their own, managers their agency's, support staff every request and only they
update a status. `/bob help-request new` opens the portal's form (category, topic, details);
its submission files the request. Replies are ephemeral: details may describe a consumer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
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
    status_words,
)
from bot.commands import (
    HelpRequestListCommand,
    HelpRequestNewCommand,
    HelpRequestShowCommand,
    HelpRequestUpdateCommand,
    parse_command,
)
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.replies import sentence
from bot.routing import command_is
from rules.casework.help_requests import (
    HelpRefused,
    HelpRequestView,
    create_request,
    list_requests,
    show_request,
    update_request,
)
from store.errors import BobError
from store.models import HelpCategory

log = logging.getLogger(__name__)

HelpRequestCommand = HelpRequestShowCommand | HelpRequestListCommand | HelpRequestUpdateCommand
FIELD_ERROR_CHARS = 150


def help_request_reply(deps: BotDeps, slack_user_id: str, command: HelpRequestCommand) -> Reply:
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return Reply(LINK_HOWTO)
    now = deps.clock()
    try:
        match command:
            case HelpRequestShowCommand():
                shown = show_request(deps.sessions, actor_id, command.number, now)
                return request_detail_reply(shown, deps.zone)
            case HelpRequestListCommand():
                listed = list_requests(deps.sessions, actor_id, now, open_only=command.open_only)
                return request_list_reply(listed, command.open_only)
            case HelpRequestUpdateCommand():
                updated = update_request(
                    deps.sessions, actor_id, command.number, command.status, command.note, now
                )
                return Reply(
                    f"Help request {updated.number} is now "
                    f"{status_words(updated.status)}" + (" with your note." if command.note else ".")
                )
    except BobError as exc:
        return Reply(sentence(exc))


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
        return {DETAILS_BLOCK: sentence(exc)[:FIELD_ERROR_CHARS]}


async def open_new_request_form(deps: BotDeps, client: AsyncWebClient, body: dict[str, Any]) -> str | None:
    """Open the form on the command's trigger; None when it opened, else the reply."""
    if await asyncio.to_thread(linked_enroller_id, deps.sessions, body["user_id"]) is None:
        return LINK_HOWTO
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=new_request_modal())
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the help-request form did not open (%s)", type(exc).__name__)
        return "Slack did not open the form; please try `/bob help-request new` again."
    return None


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_help_request(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        command = parse_command(body.get("text", ""))
        if isinstance(command, HelpRequestNewCommand):
            refusal = await open_new_request_form(deps, client, body)
            if refusal is None:
                await ack()
            else:
                await ack(refusal, response_type="ephemeral")
            return
        assert isinstance(command, HelpRequestCommand)
        reply = await asyncio.to_thread(help_request_reply, deps, body["user_id"], command)
        await ack(reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    async def answer_new_request_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        filed = await asyncio.to_thread(submit_new_request, deps, body["user"]["id"], submitted_values(view))
        if isinstance(filed, dict):
            await ack(response_action="errors", errors=filed)
        else:
            await ack(response_action="update", view=filed_view(filed))

    kinds = (HelpRequestShowCommand, HelpRequestListCommand, HelpRequestUpdateCommand, HelpRequestNewCommand)
    app.command("/bob", matchers=[command_is(*kinds)])(answer_help_request)
    app.view(NEW_CALLBACK)(answer_new_request_form)
