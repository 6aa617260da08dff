"""`/bob settings` opens a form of how the Daily Summary reaches the person (email, Slack
message, days with no alerts, quiet topics, delivery time); its submission saves what it
changes through ``store.preferences``, audited, as the web settings page and `bob prefs` do.
A refusal (a time outside the agency's window, a topic that cannot be quieted) is shown
under its field, and the form stays open."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.actor import linked_enroller_id
from bot.answers import ack_and_open_form, field_error
from bot.blocks_settings import (
    QUIET_BLOCK,
    SETTINGS_CALLBACK,
    SWITCHES_BLOCK,
    TIME_BLOCK,
    saved_view,
    settings_modal,
)
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.parsing import BadCommand, SubCommand
from bot.routing import command_is
from rules.access import Via
from rules.preference_form import AGENCY_DEFAULT, Submitted, changes_of
from rules.preferences import SWITCHES
from store.errors import Refused
from store.preferences import change_preferences, effective_preferences

USAGE = "`/bob settings` - how the Daily Summary reaches you: email, Slack, quiet topics, time"
MAX_VALUE_CHARS = 60
# Which field a refusal is shown under, by its reason code.
FIELD_OF = {
    "outside_window": TIME_BLOCK,
    "bad_value": TIME_BLOCK,
    "contract_topic": QUIET_BLOCK,
    "unknown_topic": QUIET_BLOCK,
}


@dataclass(frozen=True)
class SettingsCommand:
    """Open the settings form."""


def _parse_settings(words: list[str]) -> SettingsCommand | BadCommand:
    if words:
        return BadCommand("`/bob settings` takes nothing after it; it opens your settings form.")
    return SettingsCommand()


SUBCOMMAND = SubCommand("settings", USAGE, _parse_settings)


def _chosen(view: dict[str, Any]) -> dict[str, list[str]]:
    """Each input block's chosen values by block id: a select's one, the ticked checkboxes
    (none when nothing is ticked); anything not shaped as Slack sends it is left out."""
    chosen: dict[str, list[str]] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        action = actions.get("value") if isinstance(actions, dict) else None
        if not isinstance(action, dict):
            continue
        options = action.get("selected_options") or (
            [action["selected_option"]] if action.get("selected_option") else []
        )
        values = [o.get("value") for o in options if isinstance(o, dict)]
        chosen[str(block_id)] = [v[:MAX_VALUE_CHARS] for v in values if isinstance(v, str)]
    return chosen


def submitted(view: dict[str, Any]) -> Submitted:
    """The form as submitted. Every switch is shown, so one not ticked is off."""
    chosen = _chosen(view)
    ticked = set(chosen.get(SWITCHES_BLOCK, []))
    quiet = [v for block_id, values in chosen.items() if block_id.startswith(QUIET_BLOCK) for v in values]
    deliver_at = (chosen.get(TIME_BLOCK) or [AGENCY_DEFAULT])[0]
    return Submitted({name: name in ticked for name in SWITCHES}, deliver_at, quiet)


def save_settings(deps: BotDeps, slack_user_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """Save the form: the ``ack`` arguments that update the modal, or show errors on it."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return {
            "response_action": "errors",
            "errors": {SWITCHES_BLOCK: "Link your Slack account first with /bob link."},
        }
    with deps.sessions() as session:
        prefs = effective_preferences(session, actor_id)
    try:
        changes = changes_of(prefs, submitted(view))
        if not changes.is_empty():
            via = Via("slack", slack_user_id)
            prefs = change_preferences(deps.sessions, actor_id, actor_id, changes, via, deps.clock())
    except Refused as refused:
        block = FIELD_OF.get(refused.reason, SWITCHES_BLOCK)
        if block == QUIET_BLOCK:
            block = next((b for b in _chosen(view) if b.startswith(QUIET_BLOCK)), SWITCHES_BLOCK)
        return {"response_action": "errors", "errors": {block: field_error(refused)}}
    return {"response_action": "update", "view": saved_view(prefs, changed=not changes.is_empty())}


def _form_for(deps: BotDeps, slack_user_id: str) -> dict[str, Any] | str:
    """The settings form filled with the user's preferences, or the link instructions."""
    actor_id = linked_enroller_id(deps.sessions, slack_user_id)
    if actor_id is None:
        return LINK_HOWTO
    with deps.sessions() as session:
        return settings_modal(effective_preferences(session, actor_id))


def register(app: AsyncApp, deps: BotDeps) -> None:
    async def answer_settings(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        form = asyncio.to_thread(_form_for, deps, body["user_id"])
        failure = "Slack did not open your settings; please try `/bob settings` again."
        await ack_and_open_form(ack, respond, client, body, form, failure)

    async def answer_settings_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await ack(**await asyncio.to_thread(save_settings, deps, body["user"]["id"], view))

    app.command("/bob", matchers=[command_is(SUBCOMMAND.read, SettingsCommand)])(answer_settings)
    app.view(SETTINGS_CALLBACK)(answer_settings_form)
