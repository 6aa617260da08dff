"""The settings form both doors show (Slack's ``/bob settings`` modal and the web settings
page): what it offers, and what a submitted form changes.

A form shows every setting as it is in effect, whether the person chose it or follows their
agency's default, so it always posts every value. Only the values that differ from what is in
effect become :class:`~rules.preferences.Changes`: saving an untouched form keeps the
person following their agency's defaults. Lives in ``rules`` because the bot and the web
pages may not import each other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rules import preferences
from rules.preferences import (
    SETTING_LABELS,
    SWITCHES,
    Changes,
    DeliveryWindow,
    Preferences,
    parse_delivery_time,
)
from rules.topics import TOPICS_BY_NAME
from store.errors import Refused

AGENCY_DEFAULT = "default"  # the delivery-time choice "follow the agency's default"
TIME_STEP = timedelta(minutes=30)
MAX_TIME_CHARS = 20  # "HH:MM", or a word a forged form sends instead

# Each switch in the users' words, as every door shows it.
SWITCH_LABELS: Mapping[str, str] = {name: SETTING_LABELS[name] for name in SWITCHES}
SLACK_SWITCHES = frozenset({"slack_digest", "slack_no_alerts"})


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def delivery_times(window: DeliveryWindow) -> list[time]:
    """Every half hour of the agency's window, both ends included."""
    day = date(2000, 1, 3)  # any day: only the clock times matter
    moment, last = datetime.combine(day, window.earliest), datetime.combine(day, window.latest)
    times = []
    while moment <= last:
        times.append(moment.time())
        moment += TIME_STEP
    if times[-1] != window.latest:
        times.append(window.latest)
    return times


def clock_label(at: time) -> str:
    """``6:30 AM``: how people read a time of day."""
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def time_choices(prefs: Preferences) -> list[Choice]:
    """The delivery times to pick from: the agency's default first, then the window's, with
    the person's own time among them even when it is off the half hour (`bob prefs` and the
    enrollers import take any minute): a form must be able to show, and post back, what is
    in effect (Slack refuses a modal whose initial option is not one of its options)."""
    times = set(delivery_times(prefs.window))
    if "deliver_at" in prefs.chosen and prefs.deliver_at is not None:
        times.add(prefs.deliver_at)
    return [
        Choice(AGENCY_DEFAULT, "As my agency sets it"),
        *(Choice(at.strftime("%H:%M"), clock_label(at)) for at in sorted(times)),
    ]


def chosen_time(prefs: Preferences) -> str:
    """The delivery-time choice that shows ``prefs``: the agency's default unless the person
    picked a time themselves."""
    if "deliver_at" in prefs.chosen and prefs.deliver_at is not None:
        return prefs.deliver_at.strftime("%H:%M")
    return AGENCY_DEFAULT


def delivery_summary(prefs: Preferences) -> str:
    """When the email and DM leave, in words."""
    if prefs.deliver_at is None:
        return "as soon as the Daily Summary is ready each morning"
    return f"at {clock_label(prefs.deliver_at)}"


def quiet_choices() -> list[Choice]:
    """The topics a person may quiet (bob's own, never the eight CalHEERS ones), by title."""
    return [Choice(name, TOPICS_BY_NAME[name].title) for name in preferences.QUIETABLE_TOPICS]


@dataclass(frozen=True)
class Submitted:
    """A submitted settings form: the switches shown (``switches``, name → on; a switch not
    shown is absent), the delivery-time choice as posted, and the topics ticked quiet."""

    switches: Mapping[str, bool]
    deliver_at: str
    quiet: Collection[str]


def changes_of(prefs: Preferences, submitted: Submitted) -> Changes:
    """What the form changes against ``prefs`` (empty when nothing). A delivery time that is
    not ``HH:MM`` is refused here; one outside the window, and a topic that may not be
    quieted, by the rules' own check when the changes are saved."""

    def changed(name: str) -> bool | None:
        on = submitted.switches.get(name)
        return on if on is not None and on != getattr(prefs, name) else None

    deliver_at, reset = None, frozenset[str]()
    if submitted.deliver_at == AGENCY_DEFAULT:
        if "deliver_at" in prefs.chosen:
            reset = frozenset({"deliver_at"})
    else:
        if len(submitted.deliver_at) > MAX_TIME_CHARS:
            raise Refused("choose a delivery time from the list", "bad_value")
        picked = parse_delivery_time("delivery time", submitted.deliver_at)
        if picked != prefs.deliver_at or "deliver_at" not in prefs.chosen:
            deliver_at = picked
    quiet = frozenset(submitted.quiet)
    return Changes(
        email_digest=changed("email_digest"),
        slack_digest=changed("slack_digest"),
        email_no_alerts=changed("email_no_alerts"),
        slack_no_alerts=changed("slack_no_alerts"),
        deliver_at=deliver_at,
        quiet=quiet - prefs.quiet_topics,
        unquiet=prefs.quiet_topics - quiet,
        reset=reset,
    )
