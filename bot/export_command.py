"""`/bob export`: acknowledge at once, then answer with the row count (or why not), build the
encrypted workbook in a process of its own (exports.worker), upload it to the user's DM and
send its password by another path.

Slack waits 3 s for a command's acknowledgement, and planning reads the database (who asks,
may they, how many rows), which took longer than that under load; so the acknowledgement is
empty and every answer, refusals included, goes by ``respond`` as an ephemeral message.

What can be exported is :mod:`exports.kinds`' business: the Book of Business (`/bob export`),
follow-ups (`/bob export followups [dmi|svi] [agency]`), delegations at risk
(`/bob export at-risk [agency]`) and, for managers, the roster (`/bob export roster`).

The password goes as an ephemeral message where the command was typed (only the requester
sees it, and it is not kept in the channel's history), or by email when the config says so,
or when the command was typed in the very DM that receives the file.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any, Literal

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliver import fail_delivery, open_dm, upload_file
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO, linked_enroller
from bot.parsing import BAD_AGENT_QUERY, BadCommand, SubCommand, is_agent_query, joined, shown
from bot.replies import plain_sentence, sentence
from bot.routing import command_is
from bot.slack_text import inert
from exports.building import ExportResult
from exports.errors import ExportRefused
from exports.kinds import KIND_WORDS, read_kind
from exports.password_email import email_password
from exports.planning import ExportPlan, ExportRequest, plan_export
from exports.worker import build_in_worker
from store.errors import BobError

log = logging.getLogger(__name__)

USAGE = (
    "`/bob export [agency | agent <name or license>] [--masked] [--snapshot] [--changes]`"
    " - your Book of Business as an encrypted workbook; `/bob export followups [dmi|svi] [agency]`, "
    "`/bob export at-risk [agency]`, managers: `/bob export roster`"
)
EXPORT_FLAGS = ("--masked", "--snapshot", "--changes")
BOOK_ONLY_FLAGS = ("--snapshot", "--changes")
OTHER_EXPORTS = (
    "Export your own book with `/bob export`, the whole agency with `/bob export agency`, "
    "one agent with `/bob export agent <name or license>`; follow-ups with "
    "`/bob export followups [dmi|svi] [agency]`, delegations at risk with "
    "`/bob export at-risk [agency]`, the roster with `/bob export roster`."
)
NOT_PLANNED = (
    "Your export could not be started; please try again, and tell your bob administrator if it keeps failing."
)


@dataclass(frozen=True)
class ExportCommand:
    target: Literal["self", "agency", "agent"] = "self"
    agent_query: str | None = None
    masked: bool | None = None
    snapshot: bool = False
    include_changes: bool = False
    kind: str = "book"  # a key of exports.kinds.EXPORT_KINDS


def _parse_export(words: list[str]) -> ExportCommand | BadCommand:
    flags = [w.lower() for w in words if w.startswith("-")]
    plain = [w for w in words if not w.startswith("-")]
    unknown = [f for f in flags if f not in EXPORT_FLAGS]
    if unknown:
        return BadCommand(
            f"`/bob export` has no option `{shown(unknown[0])}`; "
            f"the options are {', '.join(f'`{f}`' for f in EXPORT_FLAGS)}."
        )
    own_book = ExportCommand(
        masked=True if "--masked" in flags else None,
        snapshot="--snapshot" in flags,
        include_changes="--changes" in flags,
    )
    if not plain:
        return own_book
    scope, names = plain[0].lower(), plain[1:]
    if scope in KIND_WORDS:
        return _parse_other_kind(plain, own_book, flags)
    if scope == "agency" and not names:
        return replace(own_book, target="agency")
    if scope == "agent":
        query = joined(names)
        if not query:
            return BadCommand(
                'Say which agent: `/bob export agent "Ana Agent"` (full first and last name) '
                "or `/bob export agent <license number>`."
            )
        if not is_agent_query(query):
            return BAD_AGENT_QUERY
        return replace(own_book, target="agent", agent_query=query)
    return BadCommand(OTHER_EXPORTS)


def _parse_other_kind(words: list[str], own: ExportCommand, flags: list[str]) -> ExportCommand | BadCommand:
    """`followups [dmi|svi] [agency]`, `at-risk [agency]`, `roster` (see
    :func:`exports.kinds.read_kind`), which take `--masked` but no snapshot."""
    book_only = [flag for flag in flags if flag in BOOK_ONLY_FLAGS]
    if book_only:
        return BadCommand(f"`{book_only[0]}` is for the Book of Business only: `/bob export {book_only[0]}`.")
    try:
        kind_and_target = read_kind(words)
    except ExportRefused as exc:
        return BadCommand(plain_sentence(exc).replace("`export ", "`/bob export "))
    assert kind_and_target is not None
    kind, target = kind_and_target
    return replace(own, kind=kind, target=target)


SUBCOMMAND = SubCommand("export", USAGE, _parse_export)


@dataclass(frozen=True)
class PlannedExport:
    plan: ExportPlan
    requester_id: int
    slack_user_id: str
    channel_id: str


def plan_reply(
    deps: BotDeps, slack_user_id: str, channel_id: str, command: ExportCommand
) -> tuple[str, PlannedExport | None]:
    """Authorize and count: the answer to show, and the plan when there is one."""
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
        kind=command.kind,
    )
    try:
        plan = plan_export(deps.sessions, deps.exports_config, request, deps.clock())
    except ExportRefused as exc:
        return sentence(exc), None
    kind = plan.export_kind
    text = (
        f"Preparing your {kind.named}: {kind.counted(plan.row_estimate)}… ({inert(plan.scope_label)}). "
        "The encrypted workbook will arrive in your direct messages with bob; its password comes "
        "separately."
    )
    return text, PlannedExport(plan, requester_id, slack_user_id, channel_id)


async def plan_and_deliver(
    deps: BotDeps,
    slack_user_id: str,
    channel_id: str,
    command: ExportCommand,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Plan, tell the user in one ephemeral answer (the plan or why there is none), then build
    and deliver: `/bob export` after its acknowledgement, and the Home tab's button."""
    try:
        text, planned = await asyncio.to_thread(plan_reply, deps, slack_user_id, channel_id, command)
    except BobError as exc:
        text, planned = sentence(exc), None
    except Exception as exc:
        # The message of an unexpected error may quote row values, so only its type is logged.
        log.error("an export could not be planned (%s)", type(exc).__name__)
        text, planned = NOT_PLANNED, None
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:  # the export is planned and recorded: build and send it anyway
        log.warning("the export's first answer did not reach Slack (%s)", type(exc).__name__)
    if planned is not None:
        await deliver(deps, planned, client, respond)


async def deliver(
    deps: BotDeps, planned: PlannedExport, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """Build, upload to the DM, then send the password by a different path."""
    result = await _build(deps, planned, respond)
    if result is None:
        return
    dm = await _upload(deps, planned, result, client, respond)
    if dm is None:
        return
    text = await _send_password(deps, planned, result, dm)
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def _build(deps: BotDeps, planned: PlannedExport, respond: AsyncRespond) -> ExportResult | None:
    """The encrypted workbook, or None once the user has been told why it failed."""
    try:
        return await build_in_worker(deps.sessions, deps.exports_config, planned.plan, deps.clock())
    except BobError as exc:
        await respond(text=sentence(exc), response_type="ephemeral")
    except Exception as exc:
        # The message of an unexpected error may quote row values, so only its type is logged.
        log.error("export %s failed unexpectedly (%s)", planned.plan.export_id, type(exc).__name__)
        await respond(
            text="Your export failed unexpectedly; `/bob exports` shows it as failed. "
            "Please tell your bob administrator.",
            response_type="ephemeral",
        )
    return None


async def _upload(
    deps: BotDeps,
    planned: PlannedExport,
    result: ExportResult,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> str | None:
    """Put the workbook in the user's DM: the DM's channel id, or None once the user has been
    told why Slack would not take it (the export is then recorded as failed)."""
    try:
        dm = await open_dm(client, planned.slack_user_id)
        await upload_file(
            client,
            dm,
            result.path,
            result.file_name,
            comment=(
                f"Your {planned.plan.export_kind.named}: "
                f"{planned.plan.export_kind.counted(result.row_count)}, encrypted with a "
                "password that was sent to you separately. You can fetch it again until it "
                f"expires with `/bob exports get {result.token}`."
            ),
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("export %s could not be uploaded to Slack (%s)", result.export_id, type(exc).__name__)
        reason = f"Slack refused the upload ({_slack_error(exc)})"
        await asyncio.to_thread(fail_delivery, deps, result.export_id, reason)
        await respond(
            text=f"Your export was built but could not be sent to your DM: {inert(reason)}. "
            "Try `/bob export` again in a few minutes.",
            response_type="ephemeral",
        )
        return None
    return dm


async def _send_password(deps: BotDeps, planned: PlannedExport, result: ExportResult, dm: str) -> str:
    """Email the password, or put it in the ephemeral reply; the reply's text either way."""
    if deps.exports_config.password_delivery == "email" or dm == planned.channel_id:
        await asyncio.to_thread(
            lambda: email_password(
                deps.sessions,
                planned.requester_id,
                f"export-password-{result.export_id}",
                result.file_name,
                result.password,
                from_address=deps.from_address,
                file_went="was sent to you in Slack",
            )
        )
        return f"{result.file_name} is in your DM with bob. Its password was emailed to the address on file."
    return (
        f"Password for {result.file_name} (sent to your DM with bob): `{result.password}`\n"
        "Only you can see this message, and it disappears when you reload Slack."
    )


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_export(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()  # first and empty: Slack's 3 s run out while planning waits for the database
        command = SUBCOMMAND.read(body.get("text", ""))
        assert isinstance(command, ExportCommand)
        await plan_and_deliver(deps, body["user_id"], body["channel_id"], command, client, respond)

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, ExportCommand)])(answer_export)
