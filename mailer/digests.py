"""Who gets which digest for a business date, and the plain context dict of each.

This module only decides and gathers; :mod:`mailer.daily_summary` renders and stores. A run
gathers the digests of the agencies it claimed (each agency runs on its own clock). The alert
rows of the date are streamed once, ordered by agency and enroller, so memory holds one agency's
alerts at a time however large the book is; each follow-up queue is streamed as its digest
is built (:class:`mailer.follow_up_queue.FollowUpQueues`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, exists, or_, select, true
from sqlalchemy.orm import Session

from mailer.alert_listings import ListedAlert, alert_data
from mailer.follow_up_queue import FollowUpQueues, QueueCounts, queue_counts
from rules.access import Action, roles_allowed
from rules.crw import crw_events, crw_tiles
from rules.topics import TOPIC_ORDER, TOPICS, TOPICS_BY_NAME
from store.history import in_effect
from store.models import (
    Agency,
    Alert,
    Consumer,
    DelegationPeriod,
    DelegationStatus,
    DigestKind,
    Enroller,
    EnrollerPeriod,
)
from store.zones import local_midnight

STREAM_BATCH = 5000


@dataclass(frozen=True)
class Person:
    id: int
    agency_id: int
    name: str
    email: str
    license_number: str
    slack_user_id: str | None = None  # set when they linked Slack: the digest is DMed too


@dataclass(frozen=True)
class Digest:
    """One digest to deliver: who, which kind, and the context its templates render.

    ``shared`` is the part of the context that is the same for every recipient of this text:
    a Daily Manager Summary's mailbox text depends on the agency alone, so it is rendered from
    ``shared`` (without the recipient's name) once per agency, not once per manager.
    """

    kind: DigestKind
    recipient: Person
    context: dict[str, Any]
    shared: dict[str, Any] | None = None

    @property
    def text_key(self) -> tuple[str, str, int]:
        """What determines the mailbox text: the agency for a manager summary, else the recipient."""
        if self.shared is not None:
            return (self.kind.value, "agency", self.recipient.agency_id)
        return (self.kind.value, "recipient", self.recipient.id)

    @property
    def mailbox_context(self) -> dict[str, Any]:
        return self.context if self.shared is None else self.shared

    @property
    def total(self) -> int:
        return int(self.context["total"])

    def topics(self) -> list[str]:
        """The topic of each of the digest's alerts (one entry per alert)."""
        return [topic["name"] for _, topics in self._sections() for topic in topics for _ in topic["alerts"]]

    def leaving_out(self, quiet: frozenset[str]) -> Digest:
        """This digest as one recipient's email and DM show it: the alerts on ``quiet`` topics
        left out, counts and totals without them, and how many were left out (``quieted``; the
        mailbox keeps the whole digest). With no alert on a quiet topic it is this digest itself."""
        if not quiet or not any(topic in quiet for topic in self.topics()):
            return self
        if self.kind is DigestKind.MANAGER_SUMMARY:
            assert self.shared is not None
            enrollers = [_enroller_leaving_out(e, quiet) for e in self.shared["enrollers"]]
            shared = {
                **self.shared,
                "enrollers": enrollers,
                "enrollers_with_alerts": sum(1 for e in enrollers if e["total"]),
                "counts": _counts((t for e in enrollers for t in e["topics"]), quiet),
                "total": sum(e["total"] for e in enrollers),
            }
            shared["quieted"] = self.total - shared["total"]
            return Digest(
                self.kind, self.recipient, {**shared, "recipient_name": self.recipient.name}, shared
            )
        topics = [t for t in self.context["topics"] if t["name"] not in quiet]
        context = {
            **self.context,
            "topics": topics,
            "counts": _counts(topics, quiet),
            "total": sum(len(t["alerts"]) for t in topics),
        }
        context["quieted"] = self.total - context["total"]
        return Digest(self.kind, self.recipient, context)

    def alerts(self) -> Iterator[dict[str, Any]]:
        """Every alert of the digest as data, as the mailbox keeps it beside the rendered text
        (the run writes it from :mod:`mailer.alert_listings`, made once per enroller)."""
        for enroller, topics in self._sections():
            for topic in topics:
                for alert in topic["alerts"]:
                    yield alert_data(enroller, topic, alert)

    def _sections(self) -> Iterator[tuple[dict[str, str], list[dict[str, Any]]]]:
        """Each enroller of the digest (name and license number) with their alerts by topic."""
        if self.kind is not DigestKind.MANAGER_SUMMARY:
            yield self.context.get("enroller", {}), self.context["topics"]
            return
        for enroller in self.mailbox_context["enrollers"]:
            yield {"name": enroller["name"], "license_number": enroller["license_number"]}, enroller["topics"]


@dataclass
class Audience:
    """The people a business date's digests go to, grouped by agency."""

    agencies: dict[int, str]
    zones: dict[int, str] = field(default_factory=dict)
    enrollers: dict[int, list[Person]] = field(default_factory=lambda: defaultdict(list))
    managers: dict[int, list[Person]] = field(default_factory=lambda: defaultdict(list))


def _person(row: Row[int, int, str, str, str, str, str | None]) -> Person:
    name = f"{row.first_name} {row.last_name}"
    return Person(row.id, row.agency_id, name, row.email, row.license_number, row.slack_user_id)


def _among(agency_ids: Collection[int] | None) -> ColumnElement[bool]:
    """Every agency (``None``), or only ``agency_ids``."""
    return true() if agency_ids is None else Agency.id.in_(list(agency_ids))


def audience(session: Session, day: date, agency_ids: Collection[int] | None = None) -> Audience:
    """Enrollers with actively delegated consumers (or an alert of the day), and each agency's
    managers and primary contacts, as they stood at each agency's cutoff of ``day`` (so a replay
    reaches the people an on-time run reached), of ``agency_ids`` (default: every agency). Sized
    by the number of enrollers, never by the number of consumers."""
    result = Audience(agencies={})
    chosen = select(Agency.id, Agency.name, Agency.time_zone).where(_among(agency_ids))
    for agency_id, name, zone in session.execute(chosen):
        result.agencies[agency_id] = name
        result.zones[agency_id] = zone
    for zone in sorted(set(result.zones.values())):
        cutoff = local_midnight(day, ZoneInfo(zone))
        agencies = select(Agency.id).where(Agency.time_zone == zone, _among(agency_ids))
        for row in session.execute(_people(cutoff, agencies, or_(_has_book(cutoff), _alerted(day)))):
            result.enrollers[row.agency_id].append(_person(row))
        managers = Enroller.role.in_(roles_allowed(Action.RECEIVE_MANAGER_SUMMARY))
        for row in session.execute(_people(cutoff, agencies, managers)):
            result.managers[row.agency_id].append(_person(row))
    return result


def _alerted(day: date) -> ColumnElement[bool]:
    """An alert of the day for someone without a book: a pending delegation awaiting them,
    or the last case that left their book."""
    return exists().where(Alert.recipient_id == Enroller.id, Alert.business_date == day)


def _has_book(cutoff: datetime) -> ColumnElement[bool]:
    return exists().where(
        DelegationPeriod.enroller_id == Enroller.id,
        DelegationPeriod.status == DelegationStatus.ACTIVE,
        in_effect(DelegationPeriod, cutoff),
    )


def _people(
    cutoff: datetime, agencies: Select[int], condition: ColumnElement[bool]
) -> Select[int, int, str, str, str, str, str | None]:
    """Enrollers of ``agencies`` who were active at ``cutoff`` and meet ``condition``."""
    person = (
        Enroller.first_name,
        Enroller.last_name,
        Enroller.email,
        Enroller.license_number,
        Enroller.slack_user_id,
    )
    return (
        select(Enroller.id, Enroller.agency_id, *person)
        .join(EnrollerPeriod, EnrollerPeriod.enroller_id == Enroller.id)
        .where(
            Enroller.agency_id.in_(agencies),
            EnrollerPeriod.active.is_(True),
            in_effect(EnrollerPeriod, cutoff),
            condition,
        )
        .order_by(Enroller.id)
    )


def _alert_rows(session: Session, day: date, agency_ids: Collection[int]) -> Iterator[Row[*tuple[Any, ...]]]:
    """The ledger rows of ``day`` of ``agency_ids`` with the consumer contact they show, agency
    by agency."""
    query = (
        select(
            Enroller.agency_id,
            Alert.recipient_id,
            Alert.topic,
            Consumer.case_number,
            Consumer.first_name,
            Consumer.last_name,
            Consumer.primary_phone,
            Consumer.email,
        )
        .join(Consumer, Consumer.id == Alert.consumer_id)
        .join(Enroller, Enroller.id == Alert.recipient_id)
        .where(Alert.business_date == day, Enroller.agency_id.in_(list(agency_ids)))
        .order_by(Enroller.agency_id, Alert.recipient_id, Alert.topic, Consumer.case_number)
        .execution_options(yield_per=STREAM_BATCH)
    )
    yield from session.execute(query)


def _topic_sections(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[dict[str, Any]]:
    """One recipient's alerts by topic, in topic order, as the templates show them (the
    mailbox's data is built from them when written: :meth:`Digest.alerts`)."""
    by_topic: dict[str, list[ListedAlert]] = {}
    for row in rows:
        by_topic.setdefault(row.topic, []).append(
            ListedAlert(row.case_number, row.first_name, row.last_name, row.primary_phone, row.email)
        )
    return [
        {"name": TOPICS_BY_NAME[name].name, "title": TOPICS_BY_NAME[name].title, "alerts": alerts}
        for name, alerts in sorted(by_topic.items(), key=lambda item: TOPIC_ORDER[item[0]])
    ]


def _counts(sections: Iterable[dict[str, Any]], quiet: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Alerts per topic, every topic listed but the ``quiet`` ones, over one enroller's
    sections or a whole agency's."""
    found: Counter[str] = Counter()
    for section in sections:
        found[section["name"]] += len(section["alerts"])
    return [
        {"title": topic.title, "count": found.get(topic.name, 0)}
        for topic in TOPICS
        if topic.name not in quiet
    ]


def _enroller_leaving_out(enroller: dict[str, Any], quiet: frozenset[str]) -> dict[str, Any]:
    topics = [t for t in enroller["topics"] if t["name"] not in quiet]
    return {**enroller, "topics": topics, "total": sum(len(t["alerts"]) for t in topics)}


@dataclass(frozen=True)
class CrwDigestData:
    """The CRW part of a date's digests: events per enroller, tiles per agency."""

    events: dict[int, list[dict[str, Any]]]
    tiles: dict[int, dict[str, Any]]


def _crw_data(session: Session, day: date, who: Audience) -> CrwDigestData:
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    tiles: dict[int, dict[str, Any]] = {}
    by_zone: dict[str, list[int]] = defaultdict(list)
    for agency_id, zone in who.zones.items():
        by_zone[zone].append(agency_id)
    for zone, agency_ids in by_zone.items():
        cutoff = local_midnight(day, ZoneInfo(zone))
        for event in crw_events(session, cutoff, agency_ids):
            events[event.assignee_id].append(
                {
                    "case_number": event.case_number,
                    "risk": event.risk,
                    "reason": event.reason,
                    "what": event.what,
                }
            )
        for agency_id, agency_tiles in crw_tiles(session, cutoff, "agency", agency_ids).items():
            tiles[agency_id] = agency_tiles.as_dict()
    return CrwDigestData(dict(events), tiles)


def _agency_digests(
    day: date,
    agency_id: int,
    who: Audience,
    sections: dict[int, list[dict[str, Any]]],
    crw: CrwDigestData,
    queues: FollowUpQueues,
) -> Iterator[Digest]:
    agency = who.agencies[agency_id]
    enrollers: list[dict[str, Any]] = []
    for person in who.enrollers.get(agency_id, []):
        topics = sections.get(person.id, [])
        total = sum(len(t["alerts"]) for t in topics)
        enroller = {"name": person.name, "license_number": person.license_number}
        queue = queues.queue(agency_id, person.id)
        follow_up_counts = queue_counts(queue)
        context = {
            "business_date": day,
            "agency": agency,
            "recipient_name": person.name,
            "enroller": enroller,
            "topics": topics,
            "counts": _counts(topics),
            "total": total,
            "crw": crw.events.get(person.id, []),
            "follow_ups": queue,
            "follow_up_counts": follow_up_counts.as_dict(),
        }
        yield Digest(DigestKind.DAILY_SUMMARY, person, context)
        enrollers.append(
            {
                **enroller,
                "id": person.id,
                "topics": topics,
                "total": total,
                "follow_up_counts": follow_up_counts.as_dict(),
            }
        )
    managers = who.managers.get(agency_id, [])
    if not managers:
        return
    shared = {
        "business_date": day,
        "agency": agency,
        "enrollers": enrollers,
        "enrollers_with_alerts": sum(1 for e in enrollers if e["total"]),
        "counts": _counts(t for topics in sections.values() for t in topics),
        "total": sum(e["total"] for e in enrollers),
        "crw_tiles": crw.tiles.get(agency_id),
        "follow_up_counts": _summed(e["follow_up_counts"] for e in enrollers),
    }
    for person in managers:
        yield Digest(DigestKind.MANAGER_SUMMARY, person, {**shared, "recipient_name": person.name}, shared)


def _summed(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    """An agency's follow-up counts: its enrollers' added up."""
    totals = Counter[str]()
    for one in counts:
        totals.update(one)
    return QueueCounts(totals["overdue"], totals["due_this_week"], totals["due_later"]).as_dict()


def digests_for(session: Session, day: date, agency_ids: Collection[int] | None = None) -> Iterator[Digest]:
    """Every digest due on ``day`` in ``agency_ids`` (default: every agency): each enroller's
    Daily Summary and each manager's Daily Manager Summary, with the No Alerts variants where
    nothing fired."""
    who = audience(session, day, agency_ids)
    crw = _crw_data(session, day, who)
    queues = FollowUpQueues(session, day, who.zones)
    seen: set[int] = set()
    rows = _alert_rows(session, day, list(who.agencies))
    for agency_id, agency_rows in groupby(rows, key=lambda r: r.agency_id):
        sections = {
            recipient_id: _topic_sections(rows)
            for recipient_id, rows in groupby(agency_rows, key=lambda r: r.recipient_id)
        }
        seen.add(agency_id)
        yield from _agency_digests(day, agency_id, who, sections, crw, queues)
    for agency_id in sorted(who.agencies):
        if agency_id not in seen:
            yield from _agency_digests(day, agency_id, who, {}, crw, queues)
