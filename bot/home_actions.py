"""The Home tab's export buttons: "Export my book" runs `/bob export` and "Fetch again" runs
`/bob exports get <token>`, through those commands' own functions, so the checks, the audit
and the way the file and its password travel are theirs.

The Home tab has no channel: answers go as ephemeral messages in the user's DM with bob, the
workbook goes to that DM, and so its password goes by email, as for `/bob export` typed in
that DM (never beside the file). A "Fetch again" for an export expired since the tab was drawn
gets the command's "has expired" answer; a token that is not the presser's own is refused and
audited as the command refuses it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliver import open_dm
from bot.deps import BotDeps
from bot.export_command import ExportCommand, plan_and_deliver
from bot.exports_command import fetch_and_send, is_export_token
from bot.home import home_view
from bot.home_sections import EXPORT_MY_BOOK, FETCH_AGAIN
from bot.press_answers import press_respond

log = logging.getLogger(__name__)

NOT_AN_EXPORT = "That button no longer points at an export; type `/bob exports` for the list."


async def export_my_book(
    deps: BotDeps, body: dict[str, Any], client: AsyncWebClient, answer: AsyncRespond
) -> None:
    """`/bob export` (the presser's own book), as if typed in their DM with bob."""
    slack_user_id = body["user"]["id"]
    try:
        dm = await open_dm(client, slack_user_id)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the export DM did not open (%s)", type(exc).__name__)
        return
    await plan_and_deliver(deps, slack_user_id, dm, ExportCommand(), client, answer)


async def fetch_again(
    deps: BotDeps, body: dict[str, Any], client: AsyncWebClient, answer: AsyncRespond
) -> None:
    """`/bob exports get <token>` for the token the button carries (read as hostile)."""
    token = (body.get("actions") or [{}])[0].get("value")
    if not is_export_token(token):
        await answer(text=NOT_AN_EXPORT, response_type="ephemeral", replace_original=False)
        return
    await fetch_and_send(deps, body["user"]["id"], token, client, answer)


async def refresh_home(deps: BotDeps, body: dict[str, Any], client: AsyncWebClient) -> None:
    """Draw the Home tab again after a press on it, so it shows the new export (or no longer
    offers one that expired)."""
    if body.get("view", {}).get("type") != "home":
        return
    slack_user_id = body["user"]["id"]
    view = await asyncio.to_thread(home_view, deps, slack_user_id)
    try:
        await client.views_publish(user_id=slack_user_id, view=view)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("the Home tab was not redrawn (%s)", type(exc).__name__)


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def on_export(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await export_my_book(deps, body, client, press_respond(body, respond, client))
        await refresh_home(deps, body, client)

    async def on_fetch(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await fetch_again(deps, body, client, press_respond(body, respond, client))
        await refresh_home(deps, body, client)

    app.action(EXPORT_MY_BOOK)(on_export)
    app.action(FETCH_AGAIN)(on_fetch)
