"""The "Open in browser" button of `/bob mailbox` and the App Home: a one-time sign-in link
to the web mailbox, minted for the linked enroller who asked (only they see the reply).

A link works once, for 15 minutes; at most 20 are minted per enroller an hour (a Home tab
opened again and again must not fill the store). Pressing the button opens the browser;
Slack still sends bob the press, which is acknowledged and nothing more.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.deps import BotDeps
from rules.access import audit
from rules.web_signin import DEFAULT_NEXT, mint_signin_link, signin_url
from store.db import transaction
from store.rate_limits import claim_use

ACTION_ID = "open_in_browser"
MINTS_PER_HOUR = 20
HOUR = timedelta(hours=1)


def open_in_browser(deps: BotDeps, enroller_id: int, next_path: str = DEFAULT_NEXT) -> dict[str, Any] | None:
    """An actions block with the button, or None when the web mailbox has no address or the
    enroller is over the hourly limit."""
    if not deps.web_base_url:
        return None
    now = deps.clock()
    with transaction(deps.sessions) as session:
        if not claim_use(session, f"web-mint:{enroller_id}", MINTS_PER_HOUR, HOUR, now):
            return None
        minted = mint_signin_link(session, enroller_id, now, next_path)
        audit(session, enroller_id, "web.signin_link_minted", f"link:{minted.link_id}", "minted", now)
    button = {
        "type": "button",
        "action_id": ACTION_ID,
        "text": {"type": "plain_text", "text": "Open in browser"},
        "url": signin_url(deps.web_base_url, minted.token),
    }
    return {"type": "actions", "elements": [button]}


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def pressed(ack: AsyncAck) -> None:
        await ack()  # the button's URL opened the browser; there is nothing else to do

    app.action(ACTION_ID)(pressed)
