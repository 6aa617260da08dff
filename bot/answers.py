"""How bob's slash commands answer in Slack: an ephemeral Block Kit reply for the linked
enroller, or a modal form opened on the command's trigger.

Slack waits 3 s for a command's acknowledgement and then shows the user an error. A reply that
reads the database is usually ready in milliseconds, and then it travels in the acknowledgement
(one round trip); when the database is slow it follows through the command's response URL
instead, so the user gets it exactly once either way. A form is acknowledged at once, before
the database is read, so the trigger it opens on is still fresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from slack_bolt.async_app import AsyncAck, AsyncRespond
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

# How long a reply may take and still travel in the acknowledgement (Slack waits 3 s).
REPLY_WITHIN = 2.0
NOT_ANSWERED = "bob could not answer that just now; please try again in a few minutes."


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


async def _or_apology(reply: Awaitable[Reply]) -> Reply:
    """``reply``, or a clear apology when it failed unexpectedly; the log gets only the error's
    type (its message may quote what the user typed)."""
    try:
        return await reply
    except Exception as exc:
        log.error("a slash command could not answer (%s)", type(exc).__name__)
        return Reply(NOT_ANSWERED)


async def answer_in_time(ack: AsyncAck, respond: AsyncRespond, reply: Awaitable[Reply]) -> Reply:
    """Acknowledge with ``reply`` when it is ready within ``REPLY_WITHIN`` seconds, else
    acknowledge empty and send it through the response URL once ready; returns it."""
    work = asyncio.ensure_future(_or_apology(reply))
    await asyncio.wait({work}, timeout=REPLY_WITHIN)
    if work.done():
        answer = work.result()
        await ack_reply(ack, answer)
        return answer
    await ack()
    answer = await work
    await respond(text=answer.text, blocks=answer.blocks or None, response_type="ephemeral")
    return answer


async def ack_and_open_form(
    ack: AsyncAck,
    respond: AsyncRespond,
    client: AsyncWebClient,
    body: dict[str, Any],
    form: Awaitable[dict[str, Any] | str],
    failure: str,
) -> None:
    """Acknowledge at once, then open ``form`` on the command's trigger; when ``form`` turns
    out to be a refusal (a sentence), or Slack will not open it, the user is told so."""
    await ack()
    try:
        view = await form
        refusal = view if isinstance(view, str) else await open_form(client, body, view, failure)
    except Exception as exc:
        log.error("a form could not be opened (%s)", type(exc).__name__)
        refusal = NOT_ANSWERED
    if refusal is not None:
        await respond(text=refusal, response_type="ephemeral")


async def open_form(
    client: AsyncWebClient, body: dict[str, Any], view: dict[str, object], failure: str
) -> str | None:
    """Open ``view`` on the command's trigger; None when it opened, else ``failure`` (the
    reply that says Slack did not open it)."""
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except (SlackApiError, SlackClientError, ClientError, TimeoutError) as exc:
        log.warning("the form %s did not open (%s)", view.get("callback_id"), type(exc).__name__)
        return failure
    return None
