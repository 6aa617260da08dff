"""Writing follow-ups (DMI, SVI, documents) into the store, one chunk per transaction.

Every source (bob's own ``follow_ups`` file, HealthSherpa's DMI and SVI follow-up exports)
maps its rows to :class:`FollowUpRecord`; :func:`write_follow_ups` loads the chunk's cases
and stored follow-ups with one query each and writes the differences with one executemany
per kind of change. The key is ``(source, external_ref)``: importing the same file twice
changes nothing, and a later export updates the status, due date and resolution in place.

A follow-up is raised at ``raised`` (else the file's as-of); a status change is dated by
``status_since`` (else the as-of), and a cleared or expired follow-up is resolved then,
which is what the Daily Summary's deadline topics replay.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from store.importers.bulk import insert_rows, update_rows
from store.importers.context import ImportContext
from store.importers.records import Reject
from store.models import (
    Consumer,
    Delegation,
    DelegationStatus,
    Enroller,
    FollowUp,
    FollowUpKind,
    FollowUpSource,
    FollowUpStatus,
)

FOLLOW_UPS: Table = FollowUp.__table__  # type: ignore[assignment]
RESOLVED = (FollowUpStatus.CLEARED, FollowUpStatus.EXPIRED)
TABLES = (FOLLOW_UPS.name,)


@dataclass
class FollowUpRecord:
    """One follow-up a row describes; ``status`` None: the row does not say (a new one is open)."""

    row: int
    case_number: str
    external_ref: str
    kind: FollowUpKind
    needed: str
    due_on: date
    status: FollowUpStatus | None = None
    raised: date | datetime | None = None
    status_since: date | datetime | None = None


@dataclass(frozen=True)
class FollowUpLabels:
    """The source's column names, so a reject points at the column the user sees."""

    case_number: str
    external_ref: str
    raised: str
    status_since: str


def derived_ref(case_number: str, kind: FollowUpKind, needed: str) -> str:
    """A stable key for a row without its own id: the case, the kind and what is needed
    (hashed: ``needed`` may be 120 characters, the key holds 64)."""
    digest = hashlib.sha256(" ".join(needed.split()).casefold().encode()).hexdigest()[:16]
    return f"{case_number}:{kind.value}:{digest}"


def _consumers(session: Session, numbers: set[str]) -> dict[str, int]:
    query = select(Consumer.case_number, Consumer.id).where(Consumer.case_number.in_(numbers))
    return {number: consumer_id for number, consumer_id in session.execute(query)}


def _agencies(session: Session, consumer_ids: set[int]) -> dict[int, set[int]]:
    """The agencies whose book each case is on (a removed delegation no longer counts)."""
    found: dict[int, set[int]] = defaultdict(set)
    query = (
        select(Delegation.consumer_id, Enroller.agency_id)
        .join(Enroller, Enroller.id == Delegation.enroller_id)
        .where(Delegation.consumer_id.in_(consumer_ids), Delegation.status != DelegationStatus.REMOVED)
    )
    for consumer_id, agency_id in session.execute(query):
        found[consumer_id].add(agency_id)
    return found


def _stored(session: Session, source: FollowUpSource, refs: set[str]) -> dict[str, dict[str, Any]]:
    query = select(FOLLOW_UPS).where(FOLLOW_UPS.c.source == source, FOLLOW_UPS.c.external_ref.in_(refs))
    return {row["external_ref"]: dict(row) for row in session.execute(query).mappings()}


def _problem(
    record: FollowUpRecord,
    consumer_id: int | None,
    agencies: set[int],
    stored: dict[str, Any] | None,
    ctx: ImportContext,
    labels: FollowUpLabels,
) -> Reject | None:
    if consumer_id is None:
        return Reject(record.row, labels.case_number, "unknown case number; load the consumer first")
    if ctx.agency_id is not None and agencies and ctx.agency_id not in agencies:
        return Reject(record.row, labels.case_number, "the case is on another agency's book")
    if stored is not None and stored["consumer_id"] != consumer_id:
        return Reject(record.row, labels.external_ref, "this follow-up is on another case")
    for column, value in ((labels.raised, record.raised), (labels.status_since, record.status_since)):
        if ctx.is_future(value):
            return Reject(record.row, column, f"dated after the file's as-of ({ctx.describe_as_of()})")
    return None


def _new_row(
    record: FollowUpRecord, consumer_id: int, source: FollowUpSource, ctx: ImportContext
) -> dict[str, Any]:
    raised = ctx.moment(record.raised)
    status = record.status or FollowUpStatus.OPEN
    changed = raised if record.status_since is None else max(ctx.moment(record.status_since), raised)
    if status is FollowUpStatus.OPEN:
        changed = raised
    return {
        "consumer_id": consumer_id,
        "kind": record.kind,
        "needed": record.needed,
        "due_on": record.due_on,
        "status": status,
        "source": source,
        "external_ref": record.external_ref,
        "created_at": raised,
        "status_changed_at": changed,
        "resolved_at": changed if status in RESOLVED else None,
    }


def _changes(record: FollowUpRecord, stored: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """The columns a known follow-up's row changes; a new status is dated and resolves it
    (cleared, expired) or opens it again."""
    changes: dict[str, Any] = {
        name: value
        for name, value in (("kind", record.kind), ("needed", record.needed), ("due_on", record.due_on))
        if stored[name] != value
    }
    if record.status is not None and record.status != stored["status"]:
        at = max(ctx.moment(record.status_since), stored["created_at"])
        changes |= {
            "status": record.status,
            "status_changed_at": at,
            "resolved_at": at if record.status in RESOLVED else None,
        }
    return changes


def write_follow_ups(
    source: FollowUpSource,
    labels: FollowUpLabels,
    ctx: ImportContext,
    session: Session,
    records: list[FollowUpRecord],
) -> tuple[list[tuple[FollowUpRecord, str]], list[Reject]]:
    """Load one chunk; returns each record with its outcome, and the reasons for rejects."""
    consumers = _consumers(session, {r.case_number for r in records})
    agencies = _agencies(session, set(consumers.values()))
    stored = _stored(session, source, {r.external_ref for r in records})
    outcomes: list[tuple[FollowUpRecord, str]] = []
    rejects: list[Reject] = []
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    for record in records:
        consumer_id = consumers.get(record.case_number)
        known = stored.get(record.external_ref)
        problem = _problem(record, consumer_id, agencies.get(consumer_id or 0, set()), known, ctx, labels)
        if problem is not None:
            rejects.append(problem)
            outcomes.append((record, "rejected"))
        elif consumer_id is not None and known is None:
            inserts.append(_new_row(record, consumer_id, source, ctx))
            outcomes.append((record, "created"))
        elif known is not None and (changes := _changes(record, known, ctx)):
            updates.append((known["id"], changes))
            outcomes.append((record, "updated"))
        else:
            outcomes.append((record, "unchanged"))
    insert_rows(session, FOLLOW_UPS, inserts)
    update_rows(session, FOLLOW_UPS, updates)
    return outcomes, rejects
