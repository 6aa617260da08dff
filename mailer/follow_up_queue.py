"""The follow-ups part of a date's digests: each enroller's work queue, by due date.

A Daily Summary lists the recipient's follow-ups (DMI, SVI, documents) still open or
submitted at the cutoff that are overdue or due within ``HORIZON_DAYS``, soonest first; a
Daily Manager Summary counts each enroller's due this week and overdue. The recipient is the
enroller the case is actively delegated to at the cutoff, as for the alerts. It is one
set-based query per agency calendar, streamed; agencies that turned bob's own topics off
get no section. The plain email shows only counts (no case, no need): the mailbox holds
the details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
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
        .order_by(DelegationPeriod.enroller_id, FollowUp.due_on, Consumer.case_number)
        .execution_options(yield_per=STREAM_BATCH)
    )


def follow_up_queues(session: Session, day: date, zones: dict[int, str]) -> dict[int, list[dict[str, Any]]]:
    """Each enroller's queue on ``day``, soonest due first, as the templates show it, for the
    agencies of ``zones`` (agency id -> its time zone)."""
    queues: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_zone: dict[str, list[int]] = defaultdict(list)
    for agency_id, zone in zones.items():
        by_zone[zone].append(agency_id)
    for zone, agency_ids in sorted(by_zone.items()):
        for row in session.execute(_queue(day, zone, agency_ids)):
            queues[row.enroller_id].append(
                {
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
            )
    return dict(queues)


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
