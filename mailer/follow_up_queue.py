"""The follow-ups part of a date's digests: each enroller's work queue, by due date.

A Daily Summary lists the recipient's follow-ups (DMI, SVI, documents) still open or
submitted at the cutoff that are overdue or due within ``HORIZON_DAYS``, soonest first; a
Daily Manager Summary counts each enroller's due this week and overdue. The recipient is the
enroller the case is actively delegated to at the cutoff, as for the alerts. It is one
set-based query per agency calendar, streamed in the order the digests are built, so memory
holds only the queues of the digests being written; agencies that turned bob's own topics
off get no section. The plain email shows only counts (no case, no need): the mailbox holds
the details.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from store.history import held, in_effect
from store.join_order import in_order
from store.models import (
    Agency,
    Consumer,
    DelegationPeriod,
    DelegationStatus,
    Enroller,
    EnrollerPeriod,
    FollowUp,
    FollowUpKind,
)
from store.zones import local_midnight

HORIZON_DAYS = 30  # a follow-up due later than this is not yet on the queue
WEEK_DAYS = 7
STREAM_BATCH = 5000
KIND_LABELS = {FollowUpKind.DMI: "DMI", FollowUpKind.SVI: "SVI", FollowUpKind.DOCUMENT: "Document"}


def _queue(day: date, zone: str, agency_ids: list[int]) -> Select[*tuple[Any, ...]]:
    cutoff = local_midnight(day, ZoneInfo(zone))
    agencies = select(Agency.id).where(Agency.id.in_(agency_ids), Agency.bob_topics.is_(True))
    return (
        select(
            Enroller.agency_id,
            DelegationPeriod.enroller_id,
            FollowUp.due_on,
            FollowUp.kind,
            FollowUp.needed,
            FollowUp.status,
            Consumer.case_number,
            Consumer.first_name,
            Consumer.last_name,
            Consumer.primary_phone,
            Consumer.email,
        )
        .select_from(in_order(FollowUp, DelegationPeriod, Enroller, EnrollerPeriod, Consumer))
        .where(
            FollowUp.due_on < day + timedelta(days=HORIZON_DAYS + 1),
            held(FollowUp.created_at, FollowUp.resolved_at, cutoff),
            DelegationPeriod.consumer_id == FollowUp.consumer_id,
            DelegationPeriod.status == DelegationStatus.ACTIVE,
            in_effect(DelegationPeriod, cutoff),
            Enroller.id == DelegationPeriod.enroller_id,
            Enroller.agency_id.in_(agencies),
            EnrollerPeriod.enroller_id == DelegationPeriod.enroller_id,
            EnrollerPeriod.active.is_(True),
            in_effect(EnrollerPeriod, cutoff),
            Consumer.id == FollowUp.consumer_id,
        )
        .order_by(Enroller.agency_id, DelegationPeriod.enroller_id, FollowUp.due_on, Consumer.case_number)
        .execution_options(yield_per=STREAM_BATCH)
    )


def _item(row: Row[*tuple[Any, ...]], day: date) -> dict[str, Any]:
    """One follow-up as the templates show it."""
    return {
        "due_on": row.due_on,
        "days_left": (row.due_on - day).days,
        "kind": KIND_LABELS[row.kind],
        "needed": row.needed,
        "status": row.status.value,
        "case_number": row.case_number,
        "contact_name": f"{row.first_name} {row.last_name}",
        "phone": row.primary_phone,
        "email": row.email,
    }


class FollowUpQueues:
    """Each enroller's queue on ``day``, soonest due first, handed out enroller by enroller.

    The digests are built agency by agency, enroller by enroller, so the rows are streamed in
    that order (one query per calendar, merged) and a queue is built when its enroller's
    digest is: memory holds the queues of the digests not yet written, not the book's (an
    agency of thousands of enrollers would otherwise hold all their queues at once). A queue
    streamed past before it is asked for (the digests come to agencies without alerts last)
    is kept until then.
    """

    def __init__(self, session: Session, day: date, zones: dict[int, str]) -> None:
        by_zone: dict[str, list[int]] = defaultdict(list)
        for agency_id, zone in zones.items():
            by_zone[zone].append(agency_id)
        streams = [_rows(session, day, zone, ids) for zone, ids in sorted(by_zone.items())]
        merged = heapq.merge(*streams, key=_key)
        self._groups = groupby(merged, key=_key)
        self._day = day
        self._passed: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self._head: tuple[tuple[int, int], list[dict[str, Any]]] | None = None
        self._next()

    def _next(self) -> None:
        found = next(self._groups, None)
        self._head = None if found is None else (found[0], [_item(row, self._day) for row in found[1]])

    def queue(self, agency_id: int, enroller_id: int) -> list[dict[str, Any]]:
        """The queue of enroller ``enroller_id`` of ``agency_id``; ask for each enroller once."""
        key = (agency_id, enroller_id)
        if key in self._passed:
            return self._passed.pop(key)
        while self._head is not None and self._head[0] < key:
            self._passed[self._head[0]] = self._head[1]
            self._next()
        if self._head is None or self._head[0] != key:
            return []
        queue = self._head[1]
        self._next()
        return queue


def _key(row: Row[*tuple[Any, ...]]) -> tuple[int, int]:
    return (row.agency_id, row.enroller_id)


def _rows(session: Session, day: date, zone: str, agency_ids: list[int]) -> Iterator[Row[*tuple[Any, ...]]]:
    """The queue rows of one calendar's agencies, run when first read."""
    yield from session.execute(_queue(day, zone, agency_ids))


@dataclass(frozen=True)
class QueueCounts:
    """How a queue stands: overdue, due within a week (today included), due later."""

    overdue: int = 0
    due_this_week: int = 0
    due_later: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_this_week + self.due_later

    def as_dict(self) -> dict[str, int]:
        return {
            "overdue": self.overdue,
            "due_this_week": self.due_this_week,
            "due_later": self.due_later,
            "total": self.total,
        }


def queue_counts(items: Iterable[dict[str, Any]]) -> QueueCounts:
    overdue = this_week = later = 0
    for item in items:
        if item["days_left"] < 0:
            overdue += 1
        elif item["days_left"] < WEEK_DAYS:
            this_week += 1
        else:
            later += 1
    return QueueCounts(overdue, this_week, later)
