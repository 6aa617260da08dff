"""What `bob prefs` does (its arguments: :mod:`app.cli_prefs`): shows and changes delivery
preferences through :mod:`store.preferences`, acting as the `--as` enroller; each change is
audited with the operating-system user who typed it. Output names people by license number
only."""

from __future__ import annotations

import argparse
import json
from datetime import time
from typing import Any

from app.commands.core import actor_id
from app.read_audit import cli_via
from app.runtime import Runtime
from rules.access import Action, may, may_choose_delivery
from rules.people import enroller_on_file
from rules.preferences import (
    QUIETABLE_TOPICS,
    SETTING_LABELS,
    SWITCHES,
    AgencyChanges,
    Changes,
    Preferences,
    parse_delivery_time,
    parse_switch,
)
from store.errors import Refused
from store.models import Enroller, utcnow
from store.preferences import (
    NOT_ALLOWED,
    AgencyDefaults,
    agency_defaults,
    change_agency_defaults,
    change_preferences,
    effective_preferences,
)

# The command line's word for each setting (its flag without the dashes).
WORDS = {
    "email_digest": "email",
    "slack_digest": "slack",
    "email_no_alerts": "email-no-alerts",
    "slack_no_alerts": "slack-no-alerts",
    "deliver_at": "deliver-at",
}
SETTINGS_BY_WORD = {word: name for name, word in WORDS.items()}


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _at(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else "as soon as the run is done"


def _person(runtime: Runtime, args: argparse.Namespace, actor: int) -> tuple[int, str]:
    """The enroller whose preferences the command reads or changes, and their license number."""
    with runtime.sessions() as session:
        person = enroller_on_file(session, args.person) if args.person else session.get_one(Enroller, actor)
        return person.id, person.license_number


def prefs_show(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    person, license_number = _person(runtime, args, actor)
    with runtime.sessions() as session:
        if not may_choose_delivery(session.get_one(Enroller, actor), session.get_one(Enroller, person)):
            raise NOT_ALLOWED
        prefs = effective_preferences(session, person)
    if args.json:
        print(json.dumps(_as_json(prefs, license_number), indent=2))
    else:
        print("\n".join(_lines(prefs, license_number)))


def _as_json(prefs: Preferences, license_number: str) -> dict[str, Any]:
    return {
        "license_number": license_number,
        **{name: getattr(prefs, name) for name in SWITCHES},
        "deliver_at": prefs.deliver_at.strftime("%H:%M") if prefs.deliver_at else None,
        "quiet_topics": sorted(prefs.quiet_topics),
        "window": str(prefs.window),
        "time_zone": prefs.time_zone,
        "chosen": sorted(prefs.chosen),
    }


def _lines(prefs: Preferences, license_number: str) -> list[str]:
    def source(name: str) -> str:
        return "" if name in prefs.chosen else "  (agency default)"

    lines = [f"Delivery preferences of {license_number} (the secure mailbox always gets every digest):"]
    for name in SWITCHES:
        lines.append(f"  {SETTING_LABELS[name]:<30} {_on_off(getattr(prefs, name))}{source(name)}")
    lines.append(f"  {SETTING_LABELS['deliver_at']:<30} {_at(prefs.deliver_at)}{source('deliver_at')}")
    lines.append(f"  {'Window':<30} {prefs.window} {prefs.time_zone}")
    quiet = ", ".join(sorted(prefs.quiet_topics)) or "none"
    may_quiet = ", ".join(QUIETABLE_TOPICS) or "none yet (the CalHEERS topics always reach you)"
    lines.append(f"  {'Quiet topics':<30} {quiet} (may quiet: {may_quiet})")
    return lines


def _switch_values(args: argparse.Namespace) -> dict[str, bool]:
    given = {name: getattr(args, name) for name in SWITCHES}
    return {name: parse_switch(f"--{WORDS[name]}", text) for name, text in given.items() if text is not None}


def _reset(words: list[str]) -> frozenset[str]:
    settings = set()
    for word in words:
        name = SETTINGS_BY_WORD.get(word.strip().lower(), word.strip().lower().replace("-", "_"))
        if name not in WORDS:
            raise Refused(
                f"--reset {word[:30]!r}: the settings are {', '.join(WORDS.values())}", "unknown_setting"
            )
        settings.add(name)
    return frozenset(settings)


def prefs_set(runtime: Runtime, args: argparse.Namespace) -> None:
    switches = _switch_values(args)
    changes = Changes(
        email_digest=switches.get("email_digest"),
        slack_digest=switches.get("slack_digest"),
        email_no_alerts=switches.get("email_no_alerts"),
        slack_no_alerts=switches.get("slack_no_alerts"),
        deliver_at=parse_delivery_time("--deliver-at", args.deliver_at) if args.deliver_at else None,
        quiet=frozenset(topic.strip() for topic in args.quiet),
        unquiet=frozenset(topic.strip() for topic in args.unquiet),
        reset=_reset(args.reset),
    )
    actor = actor_id(runtime, args.actor)
    person, license_number = _person(runtime, args, actor)
    prefs = change_preferences(runtime.sessions, actor, person, changes, cli_via(), utcnow())
    print(f"changed: {_changed(changes)}")
    print("\n".join(_lines(prefs, license_number)))


def _changed(changes: Changes) -> str:
    parts = [
        f"{WORDS[name]} {value.strftime('%H:%M') if isinstance(value, time) else _on_off(bool(value))}"
        for name, value in changes.settings().items()
    ]
    parts += [f"quiet {topic}" for topic in sorted(changes.quiet)]
    parts += [f"unquiet {topic}" for topic in sorted(changes.unquiet)]
    parts += [f"{WORDS[name]} follows the agency default" for name in sorted(changes.reset)]
    return ", ".join(parts)


def agency_show(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    with runtime.sessions() as session:
        enroller = session.get_one(Enroller, actor)
        if not may(enroller, Action.CHOOSE_AGENCY_DELIVERY):
            raise Refused(
                "only the agency's managers may see and change its delivery defaults", "not_allowed"
            )
        found = agency_defaults(session, enroller.agency_id)
    _print_agency(found, args.json)


def _print_agency(found: AgencyDefaults, as_json: bool) -> None:
    defaults = found.defaults
    if as_json:
        print(
            json.dumps(
                {
                    **{name: getattr(defaults, name) for name in SWITCHES},
                    "deliver_at": defaults.deliver_at.strftime("%H:%M") if defaults.deliver_at else None,
                    "window": str(found.window),
                },
                indent=2,
            )
        )
        return
    print("Your agency's defaults (for everyone who has not chosen):")
    for name in SWITCHES:
        print(f"  {SETTING_LABELS[name]:<30} {_on_off(getattr(defaults, name))}")
    print(f"  {SETTING_LABELS['deliver_at']:<30} {_at(defaults.deliver_at)}")
    print(f"  {'Window':<30} {found.window}")


def _window(text: str) -> tuple[time, time]:
    earliest, dash, latest = text.partition("-")
    if not dash:
        raise Refused(f"--window must be written HH:MM-HH:MM, not {text[:20]!r}", "bad_value")
    return parse_delivery_time("--window", earliest), parse_delivery_time("--window", latest)


def agency_set(runtime: Runtime, args: argparse.Namespace) -> None:
    defaults: dict[str, object] = dict(_switch_values(args))
    reset_deliver_at = args.deliver_at is not None and args.deliver_at.strip().lower() == "none"
    if args.deliver_at is not None and not reset_deliver_at:
        defaults["deliver_at"] = parse_delivery_time("--deliver-at", args.deliver_at)
    earliest, latest = _window(args.window) if args.window else (None, None)
    changes = AgencyChanges(defaults, earliest, latest, reset_deliver_at)
    actor = actor_id(runtime, args.actor)
    with runtime.sessions() as session:
        agency_id = session.get_one(Enroller, actor).agency_id
    found = change_agency_defaults(runtime.sessions, actor, agency_id, changes, cli_via(), utcnow())
    print("changed: " + ", ".join(f"{key} {value}" for key, value in changes.as_detail().items()))
    _print_agency(found, as_json=False)
