"""`/bob export`: answer at once with the row count, build the encrypted workbook in the
background, upload it to the user's DM and send its password by another path.

The password goes as an ephemeral message where the command was typed (only the requester
sees it, and it is not kept in the channel's history), or by email when the config says so,
or when the command was typed in the very DM that receives the file.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import ExportCommand, parse_command
from bot.deliver import fail_delivery, open_dm, upload_file
from bot.deps import BotDeps
from bot.handoff import Handoff
from bot.identity import LINK_HOWTO, linked_enroller
from bot.replies import sentence
from bot.routing import command_is
from exports.building import run_export
from exports.errors import ExportRefused
from exports.planning import ExportPlan, ExportRequest, plan_export
from store.db import transaction
from store.errors import BobError
from store.models import Enroller
from store.outbox import QueuedEmail, queue_emails

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedExport:
    plan: ExportPlan
    requester_id: int
    slack_user_id: str
    channel_id: str


def plan_reply(
    deps: BotDeps, slack_user_id: str, channel_id: str, command: ExportCommand
) -> tuple[str, PlannedExport | None]:
    """Authorize and count (fast): the immediate reply, and the plan when there is one."""
    with deps.sessions() as session:
        enroller = linked_enroller(session, slack_user_id)
        if enroller is None:
            return LINK_HOWTO, None
        requester_id = enroller.id
    request = ExportRequest(
        requester_id=requester_id,
        target=command.target,
        agent_query=command.agent_query,
        masked=command.masked,
        snapshot=command.snapshot,
        include_changes=command.include_changes,
        via="slack",
    )
    try:
        plan = plan_export(deps.sessions, deps.exports_config, request, deps.clock())
    except ExportRefused as exc:
        return sentence(exc), None
    consumers = "1 consumer" if plan.row_estimate == 1 else f"{plan.row_estimate:,} consumers"
    text = (
        f"Preparing your Book of Business: {consumers}… ({plan.scope_label}). The encrypted "
        "workbook will arrive in your direct messages with bob; its password comes separately."
    )
    return text, PlannedExport(plan, requester_id, slack_user_id, channel_id)


def email_password(deps: BotDeps, requester_id: int, export_id: int, file_name: str, password: str) -> None:
    """Queue the password to the requester's email on file (never logged, never in Slack)."""
    with transaction(deps.sessions) as session:
        enroller = session.get(Enroller, requester_id)
        assert enroller is not None
        email = QueuedEmail(
            message_key=f"export-password-{export_id}",
            to_address=enroller.email,
            subject="Your bob export password",
            body_text=(
                f"The password for {file_name} is:\n\n    {password}\n\n"
                "The workbook itself was sent to you in Slack. Delete this email once the "
                "file is open.\n"
            ),
            recipient_id=enroller.id,
        )
        queue_emails(session, [email], deps.settings.from_address)


async def deliver(
    deps: BotDeps, planned: PlannedExport, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """Build, upload to the DM, then send the password by a different path."""
    export_id = planned.plan.export_id
    try:
        result = await asyncio.to_thread(
            run_export, deps.sessions, deps.exports_config, planned.plan, deps.clock()
        )
    except BobError as exc:
        await respond(text=sentence(exc), response_type="ephemeral")
        return
    except Exception as exc:
        # The message of an unexpected error may quote row values, so only its type is logged.
        log.error("export %s failed unexpectedly (%s)", export_id, type(exc).__name__)
        await respond(
            text="Your export failed unexpectedly; `/bob exports` shows it as failed. "
            "Please tell your bob administrator.",
            response_type="ephemeral",
        )
        return
    try:
        dm = await open_dm(client, planned.slack_user_id)
        await upload_file(
            client,
            dm,
            result.path,
            result.file_name,
            comment=(
                f"Your Book of Business: {result.row_count:,} consumers, encrypted with a "
                "password that was sent to you separately. You can fetch it again until it "
                f"expires with `/bob exports get {result.token}`."
            ),
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("export %s could not be uploaded to Slack (%s)", export_id, type(exc).__name__)
        reason = f"Slack refused the upload ({_slack_error(exc)})"
        await asyncio.to_thread(fail_delivery, deps, export_id, reason)
        await respond(
            text=f"Your export was built but could not be sent to your DM: {reason}. "
            "Try `/bob export` again in a few minutes.",
            response_type="ephemeral",
        )
        return
    if deps.settings.password_delivery == "email" or dm == planned.channel_id:
        await asyncio.to_thread(
            email_password,
            deps,
            planned.requester_id,
            export_id,
            result.file_name,
            result.password,
        )
        text = f"{result.file_name} is in your DM with bob. Its password was emailed to the address on file."
    else:
        text = (
            f"Password for {result.file_name} (sent to your DM with bob): `{result.password}`\n"
            "Only you can see this message, and it disappears when you reload Slack."
        )
    await respond(text=text, response_type="ephemeral", replace_original=False)


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


def register(app: AsyncApp, deps: BotDeps) -> None:
    planned_exports: Handoff[PlannedExport] = Handoff()

    async def acknowledge(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = parse_command(body.get("text", ""))
        assert isinstance(command, ExportCommand)
        text, planned = None, None
        try:
            text, planned = await asyncio.to_thread(
                plan_reply, deps, body["user_id"], body["channel_id"], command
            )
        finally:
            planned_exports.give(body["trigger_id"], planned)
        await ack(text)

    async def build_and_send(body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        planned = await planned_exports.take(body["trigger_id"])
        if planned is not None:
            await deliver(deps, planned, client, respond)

    app.command("/bob", matchers=[command_is(ExportCommand)])(ack=acknowledge, lazy=[build_and_send])
