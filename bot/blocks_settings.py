"""The `/bob settings` modal in Block Kit: the preferences in effect, as the form that
changes them, and the view that answers a save. Its shape follows ``rules.preference_form``,
which the web settings page shares."""

from __future__ import annotations

from typing import Any

from bot.block_kit import Block, context, modal, option, plain, section
from rules.preference_form import (
    SWITCH_LABELS,
    Choice,
    chosen_time,
    delivery_summary,
    quiet_choices,
    time_choices,
)
from rules.preferences import Preferences

SETTINGS_CALLBACK = "settings"
SWITCHES_BLOCK = "digests"
TIME_BLOCK = "deliver_at"
QUIET_BLOCK = "quiet"  # quiet_0, quiet_1 …: a checkboxes element holds at most ten options
CHECKBOX_OPTIONS = 10
ACTION = "value"


def _options(choices: list[Choice]) -> list[dict[str, Any]]:
    return [option(choice.label, choice.value) for choice in choices]


def _checkboxes(block_id: str, label: str, choices: list[Choice], ticked: set[str]) -> Block:
    element: dict[str, Any] = {"type": "checkboxes", "action_id": ACTION, "options": _options(choices)}
    initial = [
        shown for shown, choice in zip(element["options"], choices, strict=True) if choice.value in ticked
    ]
    if initial:  # Slack refuses an empty initial_options
        element["initial_options"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "element": element,
    }


def quiet_blocks(prefs: Preferences) -> list[Block]:
    """One checkboxes block per ten quietable topics, or a line saying there are none."""
    choices = quiet_choices()
    if not choices:
        return [
            context("No topic can be quieted: every topic bob sends is a CalHEERS topic, which reaches you.")
        ]
    return [
        _checkboxes(
            f"{QUIET_BLOCK}_{n}",
            "Quiet topics (left out of your email and Slack message, kept in your mailbox)",
            choices[start : start + CHECKBOX_OPTIONS],
            set(prefs.quiet_topics),
        )
        for n, start in enumerate(range(0, len(choices), CHECKBOX_OPTIONS))
    ]


def settings_modal(prefs: Preferences) -> dict[str, Any]:
    """The form, filled with the preferences in effect (chosen or the agency's default)."""
    switches = [Choice(name, label) for name, label in SWITCH_LABELS.items()]
    times = time_choices(prefs)
    time_options = _options(times)
    chosen = chosen_time(prefs)
    window = f"{times[1].label} to {times[-1].label}"
    blocks: list[Block] = [
        section(
            "How the Daily Summary reaches you. Your secure mailbox (`/bob mailbox`) receives every "
            "digest whatever you choose here."
        ),
        _checkboxes(
            SWITCHES_BLOCK, "Daily Summary", switches, {s.value for s in switches if getattr(prefs, s.value)}
        ),
        {
            "type": "input",
            "block_id": TIME_BLOCK,
            "label": plain("Send my email and Slack message"),
            "element": {
                "type": "static_select",
                "action_id": ACTION,
                "options": time_options,
                "initial_option": next(o for o in time_options if o["value"] == chosen),
            },
            "hint": plain(f"Now: {delivery_summary(prefs)}. Your agency allows {window}."),
        },
        *quiet_blocks(prefs),
    ]
    return modal(SETTINGS_CALLBACK, "Your settings", blocks, submit="Save")


def saved_view(prefs: Preferences, changed: bool) -> dict[str, Any]:
    """What the modal shows once saved: the settings now in effect, in words."""
    on = [label for name, label in SWITCH_LABELS.items() if getattr(prefs, name)]
    lines = [
        "Saved." if changed else "Nothing changed.",
        "*On:* " + (", ".join(on) if on else "nothing: the Daily Summary reaches only your secure mailbox"),
        f"*Delivery:* {delivery_summary(prefs)}",
    ]
    if prefs.quiet_topics:
        titles = {choice.value: choice.label for choice in quiet_choices()}
        lines.append("*Quiet:* " + ", ".join(titles.get(t, t) for t in sorted(prefs.quiet_topics)))
    return modal(SETTINGS_CALLBACK + "_done", "Your settings", [section("\n".join(lines))])
