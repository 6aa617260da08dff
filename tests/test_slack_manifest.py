"""The Slack app manifest declares what bob uses, exactly: its command, its one URL, the Home
tab and its event, and the scopes bob checks at start-up."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import EVENTS_PATH
from bot.scopes import REQUIRED_SCOPES

MANIFEST = json.loads((Path(__file__).resolve().parents[1] / "slack" / "manifest.json").read_text())


def test_the_manifest_asks_for_exactly_the_scopes_bob_checks():
    assert MANIFEST["oauth_config"]["scopes"] == {"bot": list(REQUIRED_SCOPES)}


def test_the_command_events_and_buttons_all_go_to_bobs_one_url():
    [command] = MANIFEST["features"]["slash_commands"]
    settings = MANIFEST["settings"]
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)
    assert command["command"] == "/bob"
    assert settings["interactivity"]["is_enabled"] is True


def test_the_home_tab_and_its_event_are_on():
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
