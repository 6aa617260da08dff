"""Putting a finished export in the user's DM, and recording when Slack would not take it."""

from __future__ import annotations

from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select, update

from bot.deps import BotDeps
from store.db import transaction
from store.models import AuditEntry, ExportRecord, ExportStatus


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
    now = deps.clock()
    with transaction(deps.sessions) as session:
        file_path = session.scalar(
            select(ExportRecord.file_path).where(ExportRecord.id == export_id)
        )
        session.execute(
            update(ExportRecord)
            .where(ExportRecord.id == export_id)
            .values(status=ExportStatus.FAILED, error=reason[:500], finished_at=now, deleted_at=now)
        )
        session.add(AuditEntry(at=now, action="export.deliver", target=f"export:{export_id}",
                               outcome="failed", detail={"reason": reason}))
    if file_path:
        Path(file_path).unlink(missing_ok=True)
