"""Post queued digest DMs: claim a batch, post each (paced, 429s waited out by the client),
then log the outcomes and claim the next batch in one transaction (:mod:`bot.dm_claims`).

A DM is posted to the Slack user id itself (Slack opens the app's DM), with the delivery's key
in the message metadata; a DM taken over from a process that died after claiming it is first
looked for in the DM's history, so a message posted but never logged is not posted twice. A
fault of the app's settings (a missing scope, a revoked token) stops the drain: the DMs not
tried go back to the queue as they were, and the fault is raised once, naming the scope.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.digest_blocks import digest_dm
from bot.dm_claims import ClaimedDm, DmOutcome, claim_dms, log_and_claim, record_outcomes
from bot.scopes import MissingScope, missing_scope
from bot.settings import SlackConfig
from store.errors import BobError
from store.models import OutboxStatus, utcnow
from store.workers import worker_id

METADATA_EVENT = "bob_digest"
MAX_RETRY_DELAY = timedelta(hours=1)
# Refusals that no retry changes: the person or their DM is gone, or the message is refused.
PERMANENT = frozenset(
    {
        "user_not_found",
        "channel_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "is_archived",
        "invalid_blocks",
        "msg_too_long",
        "too_many_blocks",
        "no_text",
        "messages_tab_disabled",
    }
)
# Refusals of the app itself: every DM would get them.
APP_FAULTS = frozenset({"not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired"})


class SlackAppFault(BobError):
    """Slack refuses the app itself (a missing scope, a bad token): fix the settings."""


@dataclass
class DmDrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, outcomes: list[DmOutcome]) -> None:
        self.sent += sum(o.status is OutboxStatus.SENT for o in outcomes)
        self.retried += sum(o.status is OutboxStatus.QUEUED for o in outcomes)
        self.failed += sum(o.status is OutboxStatus.FAILED for o in outcomes)

    def summary(self) -> str:
        return f"sent: {self.sent}  retried: {self.retried}  failed: {self.failed}"


async def drain_slack_dms(
    sessions: sessionmaker[Session],
    client: AsyncWebClient,
    slack: SlackConfig,
    *,
    once: bool = False,
    now: Callable[[], datetime] = utcnow,
    worker: str | None = None,
    web_base_url: str = "",
) -> DmDrainResult:
    """Post every DM that is due (one batch with ``once``) and return the counts. With
    ``web_base_url`` (``[web] base_url``) each DM links to its digest's web page."""
    worker = worker or f"{worker_id()}:{secrets.token_hex(4)}"
    result = DmDrainResult()
    batch = await asyncio.to_thread(claim_dms, sessions, worker, now(), slack)
    if batch:
        async with pooled(client):
            await _post_and_log(sessions, client, slack, batch, once, now, worker, result, web_base_url)
    return result


@asynccontextmanager
async def pooled(client: AsyncWebClient) -> AsyncIterator[None]:
    """One HTTP session (kept-alive connections) for a whole drain: without one, slack_sdk
    opens and closes a session per call, which measured at 40 % of the posting rate."""
    if client.session is not None and not client.session.closed:
        yield
        return
    async with ClientSession(timeout=ClientTimeout(total=client.timeout)) as session:
        client.session = session
        try:
            yield
        finally:
            client.session = None


async def _post_and_log(
    sessions: sessionmaker[Session],
    client: AsyncWebClient,
    slack: SlackConfig,
    batch: list[ClaimedDm],
    once: bool,
    now: Callable[[], datetime],
    worker: str,
    result: DmDrainResult,
    web_base_url: str,
) -> None:
    """Post each batch, then log it and claim the next in one transaction, until none is
    left; a fault of the app is raised once the DMs not tried are queued again."""
    while batch:
        outcomes: list[DmOutcome] = []
        try:
            fault = await post_batch(client, batch, slack, now, outcomes, web_base_url)
        except BaseException:
            await asyncio.to_thread(record_outcomes, sessions, worker, outcomes)
            raise
        result.add(outcomes)
        tried = {o.row_id for o in outcomes}
        unsent = [dm.id for dm in batch if dm.id not in tried]
        more = not (fault or once)
        batch = await asyncio.to_thread(log_and_claim, sessions, worker, outcomes, unsent, now, slack, more)
        if fault is not None:
            raise fault


async def post_batch(
    client: AsyncWebClient,
    batch: list[ClaimedDm],
    slack: SlackConfig,
    now: Callable[[], datetime],
    outcomes: list[DmOutcome],
    web_base_url: str = "",
) -> SlackAppFault | None:
    """Post ``batch`` with ``slack.dm_connections`` requests in flight, adding each outcome
    to ``outcomes`` as soon as it is known; after a fault of the app no more are tried."""
    pending = deque(batch)
    faults: list[SlackAppFault] = []

    async def work() -> None:
        while pending and not faults:
            dm = pending.popleft()
            if now() >= dm.lease_until:
                continue  # our claim ran out: another process may be posting it now
            try:
                outcomes.append(await deliver(client, dm, slack, now, web_base_url))
            except SlackAppFault as fault:
                faults.append(fault)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(slack.dm_connections, len(batch))):
            group.create_task(work())
    return faults[0] if faults else None


async def deliver(
    client: AsyncWebClient,
    dm: ClaimedDm,
    slack: SlackConfig,
    now: Callable[[], datetime],
    web_base_url: str = "",
) -> DmOutcome:
    """Post one DM and say how it ended; raises :class:`SlackAppFault` for the app's faults."""
    if dm.digest is None:
        return DmOutcome(dm.id, OutboxStatus.FAILED, last_error="the digest is not in the mailbox")
    if not dm.still_linked:
        return DmOutcome(
            dm.id, OutboxStatus.FAILED, last_error="the enroller is no longer linked to this Slack user"
        )
    try:
        if dm.taken_over and (found := await already_posted(client, dm)) is not None:
            return DmOutcome(
                dm.id, OutboxStatus.SENT, sent_at=now(), channel_id=found[0], message_ts=found[1]
            )
        reply = digest_dm(dm.digest, web_base_url)
        answer = await client.chat_postMessage(
            channel=dm.slack_user_id,
            text=reply.text,
            blocks=reply.blocks,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery": dm.key}},
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        return _refused(dm, exc, slack, now())
    except (SlackClientError, ClientError, TimeoutError) as exc:
        return retry_later(dm, f"Slack could not be reached ({type(exc).__name__})", slack, now())
    return DmOutcome(
        dm.id,
        OutboxStatus.SENT,
        sent_at=now(),
        channel_id=str(answer.get("channel")),
        message_ts=str(answer.get("ts")),
    )


async def already_posted(client: AsyncWebClient, dm: ClaimedDm) -> tuple[str, str] | None:
    """(channel, ts) of this delivery's message if a dead process posted it, else None."""
    opened = await client.conversations_open(users=dm.slack_user_id)
    channel = str(opened["channel"]["id"])
    history = await client.conversations_history(channel=channel, limit=100, include_all_metadata=True)
    for message in history.get("messages") or []:
        metadata: dict[str, Any] = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_EVENT
            and (metadata.get("event_payload") or {}).get("delivery") == dm.key
        ):
            return channel, str(message.get("ts"))
    return None


def _refused(dm: ClaimedDm, exc: SlackApiError, slack: SlackConfig, moment: datetime) -> DmOutcome:
    scope = missing_scope(exc)
    if scope is not None:
        raise SlackAppFault(f"digest DMs stopped: {scope}") from None
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    error = str(data.get("error") or f"HTTP {exc.response.status_code}")[:100]
    if error in APP_FAULTS:
        raise SlackAppFault(
            f"digest DMs stopped: Slack refuses the app's token ({error}); check BOB_SLACK_BOT_TOKEN"
        )
    if error in PERMANENT:
        return DmOutcome(dm.id, OutboxStatus.FAILED, last_error=f"Slack refused the DM: {error}")
    if exc.response.status_code == 429:
        wait = float(exc.response.headers.get("Retry-After", slack.dm_backoff_seconds) or 1)
        return DmOutcome(
            dm.id,
            OutboxStatus.QUEUED,
            next_attempt_at=moment + timedelta(seconds=wait),
            last_error="rate limited by Slack (429) after retries",
        )
    return retry_later(dm, f"Slack refused the DM: {error}", slack, moment)


def retry_later(dm: ClaimedDm, reason: str, slack: SlackConfig, moment: datetime) -> DmOutcome:
    """Retry with doubling delays until ``slack.dm_max_attempts`` run out."""
    attempts = dm.attempts + 1
    if attempts >= slack.dm_max_attempts:
        return DmOutcome(
            dm.id, OutboxStatus.FAILED, last_error=f"gave up after {attempts} attempts; last: {reason}"[:500]
        )
    delay = min(timedelta(seconds=slack.dm_backoff_seconds * 2 ** (attempts - 1)), MAX_RETRY_DELAY)
    return DmOutcome(dm.id, OutboxStatus.QUEUED, next_attempt_at=moment + delay, last_error=reason[:500])


__all__ = ["MissingScope", "SlackAppFault", "drain_slack_dms"]
