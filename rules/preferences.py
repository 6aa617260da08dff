"""How a person's Daily Summary reaches them: the rules behind delivery preferences.

The secure mailbox always receives every digest; preferences decide only the email and the
Slack DM. Each setting resolves on its own: the person's choice, else their agency's default
for its people, else bob's (:data:`BOB_DEFAULTS`: everything on, sent when the run is done).

- A channel sends a digest when its digest is on and the digest has an alert on a topic the
  person has not quieted, or their "No Alerts" digests are on for that channel: a digest whose
  only alerts are on quiet topics counts as a No Alerts digest there.
- Only bob's own (non-contract) topics may be quieted; the eight CalHEERS topics always reach
  the person on every channel they keep on.
- A delivery time is a local time in the agency's zone within the window the agency allows
  (bob's window when it sets none); it delays the email and DM of that business date, never
  the mailbox entry. A time chosen before the agency narrowed its window is read as the
  nearest end of the new window.

Messages that are not digests (sign-in links, link codes, export passwords) never consult
these rules. This module is pure: :mod:`store.preferences` reads and writes the rows.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from rules.topics import BOBS_OWN_TOPICS, CALHEERS_TOPICS
from store.errors import Refused


class Channel(enum.StrEnum):
    """A way a digest leaves bob besides the mailbox."""

    EMAIL = "email"
    SLACK = "slack"


# The eight topics of the CalHEERS contract: never quieted, on any channel.
CONTRACT_TOPICS = frozenset(CALHEERS_TOPICS)

# bob's own topics, in digest order: the only ones a person may quiet.
QUIETABLE_TOPICS: tuple[str, ...] = BOBS_OWN_TOPICS


def quietable(topic: str) -> bool:
    """Whether a person may quiet ``topic``: one of bob's own, never a CalHEERS topic."""
    return topic in QUIETABLE_TOPICS and topic not in CONTRACT_TOPICS


@dataclass(frozen=True)
class DeliveryWindow:
    """The local times an agency lets its people pick a delivery time from, both ends included."""

    earliest: time
    latest: time

    def allows(self, at: time) -> bool:
        return self.earliest <= at <= self.latest

    def clamp(self, at: time) -> time:
        """``at``, or the nearest end of the window when it lies outside."""
        return min(max(at, self.earliest), self.latest)

    def __str__(self) -> str:
        return f"{self.earliest:%H:%M}-{self.latest:%H:%M}"


# Business hours of the zone, from the 06:00 run on: bob's window when the agency sets none.
BOB_WINDOW = DeliveryWindow(time(6, 0), time(18, 0))


@dataclass(frozen=True)
class Settings:
    """The choices a person (or an agency, for its people) makes. ``deliver_at`` None sends
    as soon as the run is done."""

    email_digest: bool = True
    slack_digest: bool = True
    email_no_alerts: bool = True
    slack_no_alerts: bool = True
    deliver_at: time | None = None


BOB_DEFAULTS = Settings()
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))
SWITCHES: tuple[str, ...] = tuple(name for name in SETTING_NAMES if name != "deliver_at")
# Each setting in the users' words, the same on every door (Slack, the web, the command line).
SETTING_LABELS = {
    "email_digest": "Daily Summary by email",
    "slack_digest": "Daily Summary as a Slack DM",
    "email_no_alerts": "No Alerts digests by email",
    "slack_no_alerts": "No Alerts digests in Slack",
    "deliver_at": "Delivery time",
}


@dataclass(frozen=True)
class Preferences:
    """One person's preferences as they apply today, every setting resolved."""

    enroller_id: int
    email_digest: bool
    slack_digest: bool
    email_no_alerts: bool
    slack_no_alerts: bool
    deliver_at: time | None
    quiet_topics: frozenset[str]
    window: DeliveryWindow
    time_zone: str
    # Which settings are the person's own choice (the rest follow the agency's or bob's defaults).
    chosen: frozenset[str] = frozenset()

    def digest_on(self, channel: Channel) -> bool:
        return self.email_digest if channel is Channel.EMAIL else self.slack_digest

    def no_alerts_on(self, channel: Channel) -> bool:
        return self.email_no_alerts if channel is Channel.EMAIL else self.slack_no_alerts

    def counted(self, topics: Iterable[str]) -> int:
        """How many of a digest's alerts (their topics, one per alert) are not quieted."""
        return sum(1 for topic in topics if topic not in self.quiet_topics)

    def delivers(self, channel: Channel, topics: Iterable[str]) -> bool:
        """Whether a digest with alerts on ``topics`` (one entry per alert) goes out on
        ``channel``: the channel is on, and an alert is left once quiet topics are left out
        or the person takes No Alerts digests there."""
        if not self.digest_on(channel):
            return False
        return self.no_alerts_on(channel) or self.counted(topics) > 0

    def not_before(self, day: date) -> datetime | None:
        """When the email and DM of business date ``day`` may leave: the delivery time on that
        date in the agency's zone, as aware UTC (None: as soon as the run is done)."""
        if self.deliver_at is None:
            return None
        return local_instant(day, self.deliver_at, ZoneInfo(self.time_zone))


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Local ``at`` on ``day`` in ``zone`` as aware UTC. A time the spring change skips is read
    with the offset before the change (02:30 becomes 03:30 daylight time); a time the autumn
    change repeats is its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Changes:
    """What a person (or someone for them) asks to change. A setting left None stays as it
    is; one named in ``reset`` goes back to following the agency's default."""

    email_digest: bool | None = None
    slack_digest: bool | None = None
    email_no_alerts: bool | None = None
    slack_no_alerts: bool | None = None
    deliver_at: time | None = None
    quiet: frozenset[str] = frozenset()
    unquiet: frozenset[str] = frozenset()
    reset: frozenset[str] = frozenset()

    def settings(self) -> dict[str, object]:
        """The settings given a new value, by name."""
        return {name: getattr(self, name) for name in SETTING_NAMES if getattr(self, name) is not None}

    def is_empty(self) -> bool:
        return not (self.settings() or self.quiet or self.unquiet or self.reset)

    def as_detail(self) -> dict[str, object]:
        """The changes as the audit log keeps them (setting names, on/off, times, topic names)."""
        detail: dict[str, object] = {
            name: value.strftime("%H:%M") if isinstance(value, time) else value
            for name, value in self.settings().items()
        }
        for name in ("quiet", "unquiet", "reset"):
            if getattr(self, name):
                detail[name] = sorted(getattr(self, name))
        return detail


def check_changes(changes: Changes, window: DeliveryWindow) -> None:
    """Refuse, in one line, changes the rules do not allow."""
    if changes.is_empty():
        raise Refused("nothing to change: name at least one setting", "nothing_to_change")
    unknown = changes.reset - frozenset(SETTING_NAMES)
    if unknown:
        raise Refused(
            f"cannot reset {_first(unknown)!r}: the settings are {', '.join(SETTING_NAMES)}",
            "unknown_setting",
        )
    both = changes.reset & frozenset(changes.settings())
    if both:
        raise Refused(f"{_first(both)} is both set and reset: choose one", "conflicting_changes")
    _check_topics(changes)
    if changes.deliver_at is not None and not window.allows(changes.deliver_at):
        raise Refused(
            f"delivery time {changes.deliver_at:%H:%M} is outside your agency's window {window}",
            "outside_window",
        )


def _check_topics(changes: Changes) -> None:
    contract = (changes.quiet | changes.unquiet) & CONTRACT_TOPICS
    if contract:
        raise Refused(
            f"{_first(contract)} is a CalHEERS topic: it always reaches you and cannot be quieted",
            "contract_topic",
        )
    unknown = {topic for topic in changes.quiet | changes.unquiet if not quietable(topic)}
    if unknown:
        which = ", ".join(QUIETABLE_TOPICS) if QUIETABLE_TOPICS else "none yet"
        raise Refused(
            f"{_first(unknown)[:40]!r} is not a topic you can quiet (those are: {which})", "unknown_topic"
        )
    both = changes.quiet & changes.unquiet
    if both:
        raise Refused(f"{_first(both)} is both quieted and unquieted: choose one", "conflicting_changes")


@dataclass(frozen=True)
class AgencyChanges:
    """What an agency changes: its window and the defaults its people follow. ``defaults``
    holds the settings given a new default (name → value); ``reset_deliver_at`` makes its
    people's default "as soon as the run is done" again."""

    defaults: dict[str, object] = field(default_factory=dict)
    earliest: time | None = None
    latest: time | None = None
    reset_deliver_at: bool = False

    def as_detail(self) -> dict[str, object]:
        detail: dict[str, object] = {
            f"default_{name}": value.strftime("%H:%M") if isinstance(value, time) else value
            for name, value in self.defaults.items()
        }
        if self.earliest is not None:
            detail["earliest_delivery"] = self.earliest.strftime("%H:%M")
        if self.latest is not None:
            detail["latest_delivery"] = self.latest.strftime("%H:%M")
        if self.reset_deliver_at:
            detail["reset"] = ["default_deliver_at"]
        return detail


def check_agency_changes(changes: AgencyChanges, current: DeliveryWindow) -> DeliveryWindow:
    """Refuse, in one line, agency changes the rules do not allow; return the new window."""
    if not (changes.defaults or changes.earliest or changes.latest or changes.reset_deliver_at):
        raise Refused("nothing to change: name at least one default or the window", "nothing_to_change")
    unknown = frozenset(changes.defaults) - frozenset(SETTING_NAMES)
    if unknown:
        raise Refused(f"{_first(unknown)!r} is not a setting", "unknown_setting")
    window = DeliveryWindow(changes.earliest or current.earliest, changes.latest or current.latest)
    if window.earliest >= window.latest:
        raise Refused(f"the window {window} is empty: its start must come before its end", "empty_window")
    deliver_at = changes.defaults.get("deliver_at")
    if isinstance(deliver_at, time) and not window.allows(deliver_at):
        raise Refused(
            f"default delivery time {deliver_at:%H:%M} is outside the window {window}", "outside_window"
        )
    if changes.reset_deliver_at and deliver_at is not None:
        raise Refused("deliver_at is both set and reset: choose one", "conflicting_changes")
    return window


def _first(names: Iterable[str]) -> str:
    return sorted(names)[0]


# What people type for a switch, in the words of a form, a file or a command line.
_ON = frozenset({"on", "yes", "y", "true", "1"})
_OFF = frozenset({"off", "no", "n", "false", "0"})
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def parse_switch(name: str, text: str) -> bool:
    """``on``/``off`` (or yes/no, true/false, 1/0) as a bool; anything else is refused."""
    word = text.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise Refused(f"{name} must be on or off, not {text[:20]!r}", "bad_value")


def parse_delivery_time(name: str, text: str) -> time:
    """A 24-hour local time written HH:MM (``9:30`` too); anything else is refused."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise Refused(f"{name} must be a time written HH:MM (24-hour), not {text[:20]!r}", "bad_value")
    return time(int(match[1]), int(match[2]))
