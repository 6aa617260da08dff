"""`/bob settings` over signed HTTP: the modal opens on the command's trigger with the
preferences in effect; its submission saves what changed (audited, channel Slack); a refusal
shows under its field and saves nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.block_limits import SURFACE_BLOCKS, limit_problems
from bot.parsing import BadCommand
from bot.registry import USAGE, parse_command
from bot.settings_command import SettingsCommand
from rules.topics import BOBS_OWN_TOPICS
from store.models import AuditEntry
from store.preferences import effective_preferences

LINK_HINT = "/bob link <your license number or email on file>"
ALL_ON = ["email_digest", "slack_digest", "email_no_alerts", "slack_no_alerts"]


def prefs_of(sessions, enroller_id: int):
    with sessions() as s:
        return effective_preferences(s, enroller_id)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def values(
    ticked: list[str], deliver_at: str = "default", quiet: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The modal's state as Slack sends it on Submit."""

    def options(chosen: list[str]) -> list[dict[str, Any]]:
        return [{"text": {"type": "plain_text", "text": v}, "value": v} for v in chosen]

    state = {
        "digests": {"value": {"type": "checkboxes", "selected_options": options(ticked)}},
        "deliver_at": {"value": {"type": "static_select", "selected_option": options([deliver_at])[0]}},
    }
    for block_id, chosen in (quiet or {}).items():
        state[block_id] = {"value": {"type": "checkboxes", "selected_options": options(chosen)}}
    return state


async def open_settings(user) -> dict[str, Any]:
    status, reply = await user.command_reply("settings", answered=False)
    assert (status, reply) == (200, {})
    [opened] = await user.slack.wait_for(lambda: user.slack.named("views.open"))
    assert opened.params["trigger_id"]
    return opened.params["view"]


def test_it_understands_the_command():
    assert parse_command("settings") == SettingsCommand()
    assert isinstance(parse_command("settings now"), BadCommand)
    assert "`/bob settings`" in USAGE


async def test_the_modal_shows_the_preferences_in_effect(cast):
    view = await open_settings(cast.as_("ana"))
    assert view["callback_id"] == "settings" and view["submit"]["text"] == "Save"
    assert limit_problems(view["blocks"], SURFACE_BLOCKS) == []
    digests = block(view, "digests")["element"]
    assert [o["value"] for o in digests["options"]] == ALL_ON
    assert [o["value"] for o in digests["initial_options"]] == ALL_ON  # bob's defaults: all on
    times = block(view, "deliver_at")["element"]
    assert times["initial_option"]["value"] == "default"
    assert [o["value"] for o in times["options"]][:3] == ["default", "06:00", "06:30"]
    assert times["options"][-1] == {
        "text": {"type": "plain_text", "text": "6:00 PM", "emoji": True},
        "value": "18:00",
    }
    offered = [o["value"] for o in block(view, "quiet_0")["element"]["options"]]
    assert offered == list(BOBS_OWN_TOPICS)  # bob's own topics, never a CalHEERS one


async def test_saving_changes_only_what_changed_with_an_audit_entry(cast, sessions):
    ana = cast.as_("ana")
    view = await open_settings(ana)
    _, answer = await ana.submit_view(view, values(["email_digest", "slack_digest"], "07:00"))
    assert answer["response_action"] == "update"
    assert "Saved." in json.dumps(answer["view"]) and "7:00 AM" in json.dumps(answer["view"])
    prefs = prefs_of(sessions, cast.ids["ana"])
    assert (prefs.email_no_alerts, prefs.slack_no_alerts, prefs.email_digest) == (False, False, True)
    assert prefs.deliver_at.isoformat() == "07:00:00"
    assert prefs.chosen == {"email_no_alerts", "slack_no_alerts", "deliver_at"}
    with sessions() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "prefs.set")).all()
    assert (entry.actor_id, entry.actor_slack_id, entry.detail["channel"]) == (
        cast.ids["ana"],
        "U0ANA",
        "slack",
    )
    # Opened again, the modal shows what was saved.
    ana.slack.calls.clear()
    view = await open_settings(ana)
    assert [o["value"] for o in block(view, "digests")["element"]["initial_options"]] == [
        "email_digest",
        "slack_digest",
    ]
    assert block(view, "deliver_at")["element"]["initial_option"]["value"] == "07:00"


async def test_nothing_ticked_turns_every_channel_off(cast, sessions):
    ana = cast.as_("ana")
    _, answer = await ana.submit_view(await open_settings(ana), values([]))
    assert "reaches only your secure mailbox" in json.dumps(answer["view"])
    prefs = prefs_of(sessions, cast.ids["ana"])
    assert not (prefs.email_digest or prefs.slack_digest or prefs.email_no_alerts or prefs.slack_no_alerts)


async def test_an_untouched_form_saves_nothing(cast, sessions):
    ana = cast.as_("ana")
    _, answer = await ana.submit_view(await open_settings(ana), values(ALL_ON))
    assert answer["response_action"] == "update" and "Nothing changed." in json.dumps(answer["view"])
    assert prefs_of(sessions, cast.ids["ana"]).chosen == frozenset()


@pytest.mark.parametrize(
    "deliver_at, error",
    [
        ("05:30", "Delivery time 05:30 is outside your agency's window 06:00-18:00."),
        ("half past six", "Delivery time must be a time written HH:MM (24-hour), not 'half past six'."),
    ],
)
async def test_a_refused_value_shows_under_its_field_and_saves_nothing(cast, sessions, deliver_at, error):
    ana = cast.as_("ana")
    _, answer = await ana.submit_view(await open_settings(ana), values([], deliver_at))
    assert answer == {"response_action": "errors", "errors": {"deliver_at": error}}
    assert prefs_of(sessions, cast.ids["ana"]).email_digest  # nothing saved, not even the switches


async def test_quiet_topics_are_offered_and_a_contract_topic_refused(cast, sessions):
    topic = "pending_delegation"  # one of bob's own topics, which people may quiet
    ana = cast.as_("ana")
    view = await open_settings(ana)
    quiet = block(view, "quiet_0")["element"]
    assert [o["value"] for o in quiet["options"]] == list(BOBS_OWN_TOPICS)
    assert "initial_options" not in quiet
    _, answer = await ana.submit_view(view, values(ALL_ON, quiet={"quiet_0": ["nod_notice"]}))
    assert answer["response_action"] == "errors" and "CalHEERS topic" in answer["errors"]["quiet_0"]
    _, answer = await ana.submit_view(view, values(ALL_ON, quiet={"quiet_0": [topic]}))
    assert answer["response_action"] == "update"
    assert prefs_of(sessions, cast.ids["ana"]).quiet_topics == {topic}


async def test_an_unlinked_user_is_told_to_link_first(cast):
    nobody = cast.as_("nobody")
    _, reply = await nobody.command_reply("settings")
    assert LINK_HINT in reply["text"] and reply["response_type"] == "ephemeral"
    assert nobody.slack.named("views.open") == []
    _, answer = await nobody.submit_view(
        {"callback_id": "settings", "type": "modal", "blocks": []}, values([])
    )
    assert answer["response_action"] == "errors" and "Link your Slack account" in answer["errors"]["digests"]


async def test_when_slack_fails_to_open_the_modal_the_reply_says_so(cast):
    ana = cast.as_("ana")
    ana.slack.fail("views.open", "expired_trigger_id")
    _, reply = await ana.command_reply("settings")
    assert "Slack did not open your settings" in reply["text"]


async def test_a_time_chosen_off_the_half_hour_elsewhere_opens_the_modal_with_it_selected(cast, sessions):
    """A time `bob prefs` or the enrollers import chose (07:15) is not on the half-hour list:
    the modal still opens (Slack refuses an initial option that is not among the options),
    with that time selected."""
    from datetime import UTC, datetime, time

    from rules.access import Via
    from rules.preferences import Changes
    from store.preferences import change_preferences

    ana_id = cast.ids["ana"]
    at = datetime(2026, 11, 20, 17, tzinfo=UTC)
    change_preferences(sessions, ana_id, ana_id, Changes(deliver_at=time(7, 15)), Via("cli"), at)
    view = await open_settings(cast.as_("ana"))
    element = block(view, "deliver_at")["element"]
    assert element["initial_option"]["value"] == "07:15"
    assert element["initial_option"] in element["options"]
    assert limit_problems(view["blocks"], SURFACE_BLOCKS) == []
