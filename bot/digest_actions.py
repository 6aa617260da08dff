"""The digest's buttons: "Open full digest" in the morning DM and "Open digest" on the Home
tab, and Previous/Next on each page.

A button carries only a mailbox id (and a page number); whoever presses it is looked up again
and reads through :func:`rules.mailbox.open_message`, exactly as `/bob mailbox <id>` does, so a
digest shows only to its owner and any other try is refused and audited as that command's is.
A page opened from a message answers below it (the response URL); one opened from the Home
tab, which has no response URL, is a modal whose Previous/Next update it in place.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import linked_reply
from bot.block_kit import Reply, modal, section
from bot.deps import BotDeps
from bot.digest_blocks import NEXT_PAGE, OPEN_DIGEST, OPEN_IN_BROWSER, PREVIOUS_PAGE, digest_page
from bot.parsing import whole_number
from bot.replies import sentence
from rules.access import Via, record_read
from rules.mailbox import open_message
from store.mailbox import NotFound

log = logging.getLogger(__name__)

DIGEST_MODAL = "digest_page"
STALE_BUTTON = "This button no longer points at a digest; type `/bob mailbox` for the list."


def page_reply(deps: BotDeps, slack_user_id: str, message_id: int, page: int) -> Reply:
    """Page ``page`` of digest ``message_id`` for its owner, each page shown audited as a
    read; anyone else is refused."""

    def read(reader_id: int, now: datetime) -> Reply:
        via = Via("slack", slack_user_id=slack_user_id)
        try:
            document = open_message(deps.sessions, reader_id, message_id, now, via)
        except NotFound as exc:
            return Reply(f"{sentence(exc)} Type `/bob mailbox` for the list.")
        record_read(deps.sessions, reader_id, "mailbox.read", f"message:{message_id}", now, via)
        return digest_page(document, page)

    return linked_reply(deps, slack_user_id, read)


def button_target(value: object) -> tuple[int, int] | None:
    """(mailbox id, page) from a button's value, ``"<id>"`` or ``"<id>:<page>"``; None if it
    is anything else (the value comes back from Slack and is read as hostile)."""
    if not isinstance(value, str):
        return None
    word, _, page = value.partition(":")
    message_id = whole_number(word)
    page_number = whole_number(page, max_digits=6) if page else 1
    if message_id is None or page_number is None:
        return None
    return message_id, page_number


def digest_modal(reply: Reply) -> dict[str, Any]:
    """A page (or a refusal) as a modal, for the Home tab."""
    blocks = reply.blocks or [section(reply.text)]
    return modal(DIGEST_MODAL, "Your digest", blocks)


async def _in_modal(client: AsyncWebClient, body: dict[str, Any], reply: Reply) -> None:
    view = digest_modal(reply)
    try:
        if body.get("view", {}).get("type") == "modal":
            await client.views_update(view_id=body["view"]["id"], view=view)
        else:
            await client.views_open(trigger_id=body["trigger_id"], view=view)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the digest modal did not open (%s)", type(exc).__name__)


async def _show(
    deps: BotDeps, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, replace: bool
) -> None:
    actions = body.get("actions") or [{}]
    target = button_target(actions[0].get("value"))
    reply = Reply(STALE_BUTTON)
    if target is not None:
        reply = await asyncio.to_thread(page_reply, deps, body["user"]["id"], *target)
    if body.get("container", {}).get("type") == "view" or not body.get("response_url"):
        await _in_modal(client, body, reply)
        return
    await respond(
        text=reply.text,
        blocks=reply.blocks or None,
        response_type="ephemeral",
        replace_original=replace if target is not None else False,
    )


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def open_digest(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await _show(deps, body, respond, client, replace=False)

    async def turn_page(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await _show(deps, body, respond, client, replace=True)

    async def open_in_browser(ack: AsyncAck) -> None:
        await ack()  # a link button: Slack opens the page, bob only acknowledges

    app.action(OPEN_DIGEST)(open_digest)
    app.action(PREVIOUS_PAGE)(turn_page)
    app.action(NEXT_PAGE)(turn_page)
    app.action(OPEN_IN_BROWSER)(open_in_browser)
