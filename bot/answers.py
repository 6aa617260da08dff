"""How the casework commands (`/bob crw`, `/bob help-request`) answer in Slack: an ephemeral
Block Kit reply for the linked enroller, or a modal form opened on the command's trigger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.block_kit import Reply
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.replies import plain_sentence, sentence
from store.errors import BobError

log = logging.getLogger(__name__)

# Slack shows a form field's error on one or two lines.
FIELD_ERROR_CHARS = 150


def linked_reply(deps: BotDeps, slack_user_id: str, answer: Callable[[int, datetime], Reply]) -> Reply:
    """``answer(actor_id, now)`` for the linked enroller, the link instructions for anyone
    else; a refusal (a BobError, whose message is safe to show) becomes the reply."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return Reply(LINK_HOWTO)
    now = deps.clock()
    try:
        return answer(actor_id, now)
    except BobError as exc:
        return Reply(sentence(exc))


def field_error(exc: Exception) -> str:
    """A refusal as a form field's error: plain text (not mrkdwn), short enough for Slack."""
    return plain_sentence(exc)[:FIELD_ERROR_CHARS]


async def ack_reply(ack: AsyncAck, reply: Reply) -> None:
    """Answer the command with ``reply``, seen only by the person who asked."""
    await ack(reply.text, blocks=reply.blocks or None, response_type="ephemeral")


async def open_form(
    client: AsyncWebClient, body: dict[str, Any], view: dict[str, object], failure: str
) -> str | None:
    """Open ``view`` on the command's trigger; None when it opened, else ``failure`` (the
    reply that says Slack did not open it)."""
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the form %s did not open (%s)", view.get("callback_id"), type(exc).__name__)
        return failure
    return None


async def ack_form(ack: AsyncAck, refusal: str | None) -> None:
    """Answer a command that opens a form: silently when it opened, else with ``refusal``."""
    if refusal is None:
        await ack()
    else:
        await ack(refusal, response_type="ephemeral")
