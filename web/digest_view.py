"""A digest's alerts shaped for its web page: grouped by enroller (the manager digest) and by
topic, with a table of contents, counts per topic, and the enroller and topic filters applied.

Works on the alerts the mailbox keeps as data (``MailboxMessage.alerts``), so the page is
built from the same facts as the stored digest; the order is the digest's own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rules.topics import TOPIC_ORDER, TOPICS


@dataclass
class TopicSection:
    name: str
    title: str
    alerts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EnrollerSection:
    anchor: str
    name: str
    license_number: str
    total: int = 0
    topics: dict[str, TopicSection] = field(default_factory=dict)

    @property
    def topic_sections(self) -> list[TopicSection]:
        return sorted(self.topics.values(), key=lambda t: TOPIC_ORDER.get(t.name, len(TOPIC_ORDER)))


@dataclass(frozen=True)
class TopicCount:
    name: str
    title: str
    count: int


@dataclass(frozen=True)
class DigestView:
    enrollers: list[EnrollerSection]  # the sections shown, filters applied
    choices: list[EnrollerSection]  # every enroller of the digest, for the filter and contents
    counts: list[TopicCount]  # every topic, over the whole digest
    shown: int
    total: int


def digest_view(alerts: list[dict[str, Any]], enroller: str | None, topic: str | None) -> DigestView:
    """The digest's alerts grouped by enroller then topic; only ``enroller`` (a license
    number) and ``topic`` (a topic name) when given."""
    everyone: dict[str, EnrollerSection] = {}
    shown: dict[str, EnrollerSection] = {}
    counts: Counter[str] = Counter()
    for alert in alerts:
        who = alert.get("enroller") or {}
        license_number = str(who.get("license_number", ""))
        section = everyone.setdefault(
            license_number,
            EnrollerSection(f"enroller-{len(everyone) + 1}", str(who.get("name", "")), license_number),
        )
        section.total += 1
        counts[alert["topic"]] += 1
        if (enroller is None or enroller == license_number) and (topic is None or topic == alert["topic"]):
            _add(shown.setdefault(license_number, _copy(section)), alert)
    return DigestView(
        enrollers=list(shown.values()),
        choices=list(everyone.values()),
        counts=[TopicCount(t.name, t.title, counts.get(t.name, 0)) for t in TOPICS],
        shown=sum(s.total for s in shown.values()),
        total=len(alerts),
    )


def _copy(section: EnrollerSection) -> EnrollerSection:
    return EnrollerSection(section.anchor, section.name, section.license_number)


def _add(section: EnrollerSection, alert: dict[str, Any]) -> None:
    name = alert["topic"]
    section.topics.setdefault(name, TopicSection(name, str(alert.get("topic_title", name)))).alerts.append(
        alert
    )
    section.total += 1
