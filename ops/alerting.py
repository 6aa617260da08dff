"""Telling operators: an incident's notice (and its recovery notice) goes to each operator
address through the outbox, queued in the transaction that opened or cleared the incident,
and to the operators' Slack channel. Two paths, so a Slack alert still arrives when SMTP is
down and an email when Slack is. Notices carry bob's words, counts and dates: no PII.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import SlackConfig
from bot.slack_text import inert
from ops.incidents import Change, close_incident, open_incident
from ops.settings import OpsConfig
from rules.templating import build_email
from store.db import transaction
from store.models import utcnow
from store.outbox import queue_emails

log = logging.getLogger(__name__)

OPERATOR_ALERTS = Counter(
    "bob_operator_alerts", "Operator notices sent, by topic and state", ["topic", "state"]
)


class OperatorAlerts:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        ops: OpsConfig,
        slack: SlackConfig,
        from_address: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions, self.ops, self.slack = sessions, ops, slack
        self.from_address, self.clock = from_address, clock

    async def raise_incident(self, topic: str, detail: str) -> bool:
        """Announce ``topic`` unless its incident is open already; whether it was announced."""
        change = await asyncio.to_thread(self._record, lambda s, now: open_incident(s, topic, detail, now))
        return await self._announce(change)

    async def clear_incident(self, topic: str) -> bool:
        """Announce the recovery of ``topic`` if its incident was open; whether it was."""
        change = await asyncio.to_thread(self._record, lambda s, now: close_incident(s, topic, now))
        return await self._announce(change)

    def _record(self, step: Callable[[Session, datetime], Change | None]) -> Change | None:
        with transaction(self.sessions) as session:
            change = step(session, self.clock())
            if change is not None:
                queue_emails(session, self._emails(change), self.from_address)
            return change

    async def _announce(self, change: Change | None) -> bool:
        if change is None:
            return False
        state = "cleared" if change.cleared_at else "raised"
        OPERATOR_ALERTS.labels(change.topic.name, state).inc()
        log.warning("operator alert %s: %s (%s)", state, change.topic.name, change.detail)
        await self._post_to_slack(change)
        return True

    def _emails(self, change: Change) -> list:  # type: ignore[type-arg]
        state = "cleared" if change.cleared_at else "raised"
        return [
            build_email(
                "operator_alert",
                _context(change),
                message_key=f"ops:{change.id}:{state}:{address.lower()}",
                to_address=address,
                recipient_id=None,
            )
            for address in self.ops.operator_emails
        ]

    async def _post_to_slack(self, change: Change) -> None:
        channel = self.ops.alert_slack_channel
        if not channel or not self.slack.bot_token:
            return
        client = AsyncWebClient(
            token=self.slack.bot_token, base_url=self.slack.api_base_url or AsyncWebClient.BASE_URL
        )
        try:
            await client.chat_postMessage(channel=channel, text=slack_text(change))
        except SlackApiError as exc:
            log.warning("operator alert not posted to Slack: %s", exc.response.get("error", "refused"))
        except (SlackClientError, OSError) as exc:
            log.warning("operator alert not posted to Slack: %s", type(exc).__name__)


def _context(change: Change) -> dict[str, str | None]:
    return {
        "title": change.topic.title,
        "detail": change.detail,
        "fix": change.topic.fix,
        "opened": f"{change.opened_at:%Y-%m-%d %H:%M} UTC",
        "cleared": f"{change.cleared_at:%Y-%m-%d %H:%M} UTC" if change.cleared_at else None,
    }


def slack_text(change: Change) -> str:
    """The channel message. The detail may quote a server's reply, so it is made inert."""
    if change.cleared_at:
        since = f"{change.opened_at:%Y-%m-%d %H:%M} UTC"
        return f":white_check_mark: bob recovered: {change.topic.title} (since {since})"
    topic = change.topic
    return f":rotating_light: bob alert: {topic.title}. {inert(change.detail)}. What to do: {topic.fix}"
