"""Writing a chunk's delegations, keyed by (consumer, enroller).

A source that lists all of a case's delegations in an agency (``delegations_complete``)
ends every other active one there, as of the file. A status is dated where the file dates
it (``status_since``; a new delegation also by its ``delegated_on``), else as of the file.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from store.importers.bulk import insert_rows, update_rows
from store.importers.cases.chunk import DELEGATIONS, CaseChunk, RowOutcomes, changed_fields
from store.importers.context import ImportContext
from store.importers.records import CaseRecord, DelegationFacts
from store.models import DelegationStatus


def write_delegations(
    chunk: CaseChunk, records: list[CaseRecord], ids: dict[str, int], outcomes: RowOutcomes
) -> None:
    ctx = chunk.ctx
    inserts: list[dict[str, Any]] = []
    updates: dict[int, dict[str, Any]] = {}
    for record in records:
        if not record.delegations:
            continue
        rows = chunk.delegations[ids[record.case_number]]
        listed: dict[int, set[int]] = defaultdict(set)  # agency -> enrollers the record names
        handover: dict[int, datetime] = {}  # agency -> when a delegation the record starts began
        for facts in record.delegations:
            enroller_id, agency_id = chunk.enrollers[facts.license_number]
            listed[agency_id].add(enroller_id)
            mine = next((d for d in rows if d["enroller_id"] == enroller_id), None)
            since, wanted = _wanted(facts, mine, ctx)
            if facts.status != DelegationStatus.REMOVED and (mine is None or mine["status"] != facts.status):
                handover[agency_id] = min(since, handover.get(agency_id, since))
            if mine is None:
                mine = {
                    "consumer_id": ids[record.case_number], "enroller_id": enroller_id,
                    "agency_id": agency_id, "delegated_on": None, "created_at": ctx.now,
                    "status_changed_at": since, **wanted,
                }  # fmt: skip
                inserts.append(mine)
                rows.append(mine)
                outcomes.created.add(id(record))
            elif changes := changed_fields(mine, wanted):
                if "status" in changes:
                    changes["status_changed_at"] = since
                mine.update(changes)
                if "id" in mine:
                    updates.setdefault(mine["id"], {}).update(changes)
                outcomes.updated.add(id(record))
        if record.delegations_complete and _end_unlisted(rows, listed, handover, ctx.as_of, updates):
            outcomes.updated.add(id(record))
    insert_rows(chunk.session, DELEGATIONS, inserts)  # "agency_id" is no column: not written
    update_rows(chunk.session, DELEGATIONS, updates.items())


def _wanted(
    facts: DelegationFacts, mine: dict[str, Any] | None, ctx: ImportContext
) -> tuple[datetime, dict[str, Any]]:
    """Since when the row's status holds (a new delegation's by its ``delegated_on`` when the
    file gives no ``status_since``), and the fields the row should have."""
    since = ctx.moment(facts.status_since)
    if mine is None and facts.status_since is None and facts.delegated_on is not None:
        since = ctx.moment(facts.delegated_on)
    wanted: dict[str, Any] = {"status": facts.status, "removed_at": None}
    if facts.status == DelegationStatus.REMOVED:
        wanted["removed_at"] = (mine or {}).get("removed_at") or since
    if facts.knows_date:
        wanted["delegated_on"] = facts.delegated_on
    return since, wanted


def _end_unlisted(
    rows: list[dict[str, Any]],
    listed: dict[int, set[int]],
    handover: dict[int, datetime],
    as_of: datetime,
    updates: dict[int, dict[str, Any]],
) -> bool:
    """End the case's active delegations, in the agencies listed, to enrollers not listed:
    when the delegation that replaced them began, if the record starts one, else as of the
    file (so a case never has two agents at once); says whether any was ended."""
    ended_any = False
    for other in rows:
        if (
            other["agency_id"] in listed
            and other["enroller_id"] not in listed[other["agency_id"]]
            and other["status"] != DelegationStatus.REMOVED
        ):
            at = min(as_of, handover.get(other["agency_id"], as_of))
            ended = {"status": DelegationStatus.REMOVED, "removed_at": at, "status_changed_at": at}
            other.update(ended)
            updates.setdefault(other["id"], {}).update(ended)
            ended_any = True
    return ended_any
