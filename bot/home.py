"""The App Home tab: the user's secure mailbox, each digest with an "Open digest" button (the
whole digest, paged, in a modal), then their CRW tiles, recent exports and open help requests
(bot.home_sections). Only its owner ever sees a Home tab."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.deps import BotDeps
from bot.digest_blocks import OPEN_DIGEST
from bot.home_sections import work_sections
from bot.identity import LINK_HOWTO
from bot.mailbox_command import mailbox_line
from bot.web_button import open_in_browser
from rules.access import Via
from rules.mailbox import mailbox_listing
from store.mailbox import MailboxEntry


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _entry(entry: MailboxEntry) -> dict[str, Any]:
    button = {
        "type": "button",
        "action_id": OPEN_DIGEST,
        "text": {"type": "plain_text", "text": "Open digest"},
        "value": str(entry.id),
    }
    return {**_section(mailbox_line(entry)), "accessory": button}


def home_view(deps: BotDeps, slack_user_id: str) -> dict[str, Any]:
    reader_id = linked_enroller_id(deps.sessions, slack_user_id)
    entries = mailbox_listing(deps.sessions, reader_id, deps.clock()) if reader_id is not None else []
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your secure mailbox"}}
    ]
    if reader_id is None:
        blocks.append(_section(LINK_HOWTO))
    elif not entries:
        blocks.append(_section("Your secure mailbox is empty."))
    else:
        blocks.append(_section("Newest first. Open a digest here or with `/bob mailbox <id>`."))
        blocks.append({"type": "divider"})
        blocks.extend(_entry(entry) for entry in entries)
    button = open_in_browser(deps, reader_id) if reader_id is not None else None
    if button is not None:
        blocks.insert(1, button)
    if reader_id is not None:
        via = Via("slack", slack_user_id=slack_user_id)
        blocks.extend(work_sections(deps, reader_id, deps.clock(), via))
    return {"type": "home", "blocks": blocks}


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def show_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        view = await asyncio.to_thread(home_view, deps, user)
        await client.views_publish(user_id=user, view=view)

    app.event("app_home_opened")(show_home)
