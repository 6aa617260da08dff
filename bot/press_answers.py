"""Where a button's answer goes. A press on a message answers below it (its response URL); a
press on the Home tab has no response URL and no channel, so the answer is an ephemeral
message in the user's DM with bob: only they see it, and Slack does not keep it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

from bot.deliver import open_dm

log = logging.getLogger(__name__)


class DmEphemeral(AsyncRespond):
    """``respond`` for a Home tab press: each answer is an ephemeral message in the DM."""

    def __init__(self, client: AsyncWebClient, slack_user_id: str):
        super().__init__(response_url=None)
        self.client = client
        self.slack_user_id = slack_user_id

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", blocks: Sequence[Any] | None = None, **_: Any
    ) -> WebhookResponse:
        try:
            dm = await open_dm(self.client, self.slack_user_id)
            await self.client.chat_postEphemeral(
                channel=dm, user=self.slack_user_id, text=str(text), blocks=blocks
            )
        except (SlackApiError, SlackClientError) as exc:
            log.warning("a Home tab answer was not delivered (%s)", type(exc).__name__)
            return WebhookResponse(url="", status_code=500, body=type(exc).__name__, headers={})
        return WebhookResponse(url="", status_code=200, body="ok", headers={})


def press_respond(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> AsyncRespond:
    """``respond`` itself for a press on a message, else the DM's ephemeral answer."""
    if body.get("response_url"):
        return respond
    return DmEphemeral(client, body["user"]["id"])
