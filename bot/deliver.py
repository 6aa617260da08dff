"""Putting a finished export in the user's DM, and recording when Slack would not take it."""

from __future__ import annotations

from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import BotDeps
from exports.history import fail_export


async def open_dm(client: AsyncWebClient, slack_user_id: str) -> str:
    """The id of the direct-message channel between bob and the user."""
    response = await client.conversations_open(users=slack_user_id)
    return str(response["channel"]["id"])


async def upload_file(
    client: AsyncWebClient, channel_id: str, path: Path, file_name: str, comment: str
) -> None:
    await client.files_upload_v2(
        channel=channel_id,
        file=str(path),
        filename=file_name,
        title=file_name,
        initial_comment=comment,
    )


def fail_delivery(deps: BotDeps, export_id: int, reason: str) -> None:
    """Record that the export never reached the user and remove its file: the history then
    says failed, and `/bob exports get` has nothing to hand out."""
    fail_export(deps.sessions, export_id, reason, deps.clock())
