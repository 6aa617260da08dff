"""The OAuth scopes bob's Slack app needs, and a refusal for a missing one in plain words.

``slack/manifest.json`` declares exactly these (a test keeps the two in step). Slack names the
scope a call lacked (``missing_scope`` with ``needed``), and lists the token's scopes in the
``x-oauth-scopes`` header of every answer, so both the start-up check and a failed call can
say which scope to add instead of a generic error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

REQUIRED_SCOPES: dict[str, str] = {
    "commands": "the /bob slash command",
    "chat:write": "replies, digest DMs and notices",
    "im:write": "opening the DM an export is uploaded to",
    "im:history": "checking a digest DM was not already posted before resending it",
    "files:write": "uploading exports",
}

HOW_TO_ADD = (
    "add it under OAuth & Permissions in the Slack app's settings (or slack/manifest.json) "
    "and reinstall the app"
)


class MissingScope(Exception):
    """Slack refused a call because the app lacks ``scope``: a setting to fix, not a retry."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        purpose = REQUIRED_SCOPES.get(scope)
        needed_for = f" (needed for {purpose})" if purpose else ""
        super().__init__(f"the Slack app lacks the scope {scope}{needed_for}; {HOW_TO_ADD}")


def missing_scope(error: SlackApiError) -> MissingScope | None:
    """The missing scope a refused call names, or None for any other refusal."""
    data = error.response.data if isinstance(error.response.data, dict) else {}
    if data.get("error") != "missing_scope":
        return None
    needed = str(data.get("needed") or "an unnamed scope")
    return MissingScope(needed.split(",")[0].strip()[:60])


def granted_scopes(headers: Mapping[str, Any]) -> set[str] | None:
    """The token's scopes from an answer's ``x-oauth-scopes`` header (None if absent)."""
    for name, value in headers.items():
        if name.lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) else str(value)
            return {scope.strip() for scope in text.split(",") if scope.strip()}
    return None


def scopes_missing(granted: set[str]) -> list[str]:
    """Required scopes the token does not have, in the order they are listed above."""
    return [scope for scope in REQUIRED_SCOPES if scope not in granted]


async def check_scopes(client: AsyncWebClient) -> list[str]:
    """Ask Slack which scopes the token has (auth.test) and log each one bob needs but lacks,
    by name; returns them. A Slack that cannot be asked is logged too, never raised: the
    bot still serves what it can."""
    try:
        answer = await client.auth_test()
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not check the Slack app's scopes (auth.test: %s)", _why(exc))
        return []
    granted = granted_scopes(answer.headers)
    if granted is None:
        return []
    missing = scopes_missing(granted)
    for scope in missing:
        log.error("%s", MissingScope(scope))
    return missing


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__
