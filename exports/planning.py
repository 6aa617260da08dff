"""Planning an export: authorize the request, count its rows and open its history row.

Exports run in two steps, so a chat command can answer at once and build in the background:
:func:`plan_export` authorizes, counts and records the request (status ``processing``);
:func:`exports.building.run_export` then builds the workbook. Every request, allowed or
refused, lands in the audit log with ids, scope, row count and outcome only (never PII).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from exports.columns import book_count
from exports.errors import ExportRefused
from exports.scope import BookScope, authorize, file_name, not_linked
from exports.settings import ExportsConfig
from exports.snapshots import latest_snapshot
from rules.access import Attempt, act
from store.models import Enroller, ExportRecord, ExportStatus, Snapshot, SnapshotRow


@dataclass(frozen=True)
class ExportRequest:
    requester_id: int
    target: str = "self"
    agent_query: str | None = None
    masked: bool | None = None
    snapshot: bool = False
    include_changes: bool = False
    via: str = "cli"


@dataclass(frozen=True)
class ExportPlan:
    export_id: int
    token: str
    scope_label: str
    row_estimate: int
    file_name: str
    include_changes: bool = False
    snapshot_id: int | None = None


def plan_export(
    sessions: sessionmaker[Session], config: ExportsConfig, request: ExportRequest, now: datetime
) -> ExportPlan:
    """Authorize and record an export request; raises :class:`ExportRefused` with a reason."""
    attempt = Attempt("export.request", request.target[:40], now, detail={"via": request.via})

    def work(session: Session, requester: Enroller) -> ExportPlan:
        plan, detail = _plan(session, config, request, requester, now)
        attempt.target = f"export:{plan.export_id}"
        attempt.record(session, "allowed", detail)
        return plan

    return act(sessions, request.requester_id, attempt, work, not_linked())


def _plan(
    session: Session, config: ExportsConfig, request: ExportRequest, requester: Enroller, now: datetime
) -> tuple[ExportPlan, dict[str, Any]]:
    scope = authorize(session, requester, request.target, request.agent_query)
    snapshot = _chosen_snapshot(session, scope) if request.snapshot else None
    estimate = _count(session, scope, snapshot)
    if estimate == 0:
        raise ExportRefused(
            f"no consumers are delegated to {scope.label}; there is nothing to export",
            "empty_book",
        )
    masked = request.masked
    if masked is None:
        masked = scope.agency.mask_exports_by_default or config.mask_by_default
    record = _open_record(session, request, requester, scope, snapshot, estimate, masked, now)
    plan = ExportPlan(
        export_id=record.id,
        token=record.token,
        scope_label=scope.label,
        row_estimate=estimate,
        file_name=record.file_name or "",
        include_changes=request.include_changes,
        snapshot_id=snapshot.id if snapshot else None,
    )
    detail = {
        "scope": scope.kind.value,
        "agency_id": scope.agency.id,
        "subject_enroller_id": record.subject_enroller_id,
        "rows": estimate,
        "masked": masked,
        "snapshot": snapshot is not None,
        "changes": request.include_changes,
        "via": request.via,
    }
    return plan, detail


def _open_record(
    session: Session,
    request: ExportRequest,
    requester: Enroller,
    scope: BookScope,
    snapshot: Snapshot | None,
    estimate: int,
    masked: bool,
    now: datetime,
) -> ExportRecord:
    """The export's history row, status ``processing``, named for whose book as of when."""
    as_of = snapshot.business_date if snapshot else now.astimezone(ZoneInfo(scope.agency.time_zone)).date()
    record = ExportRecord(
        token=secrets.token_urlsafe(18),
        requested_by_id=requester.id,
        requested_via=request.via,
        agency_id=scope.agency.id,
        scope=scope.kind,
        subject_enroller_id=scope.subject_id,
        masked=masked,
        from_snapshot=snapshot is not None,
        status=ExportStatus.PROCESSING,
        row_count=estimate,
        file_name=file_name(scope, as_of),
        requested_at=now,
    )
    session.add(record)
    session.flush()
    return record


def _chosen_snapshot(session: Session, scope: BookScope) -> Snapshot:
    snapshot = latest_snapshot(session, scope.agency.id)
    if snapshot is None:
        raise ExportRefused(
            "no weekly snapshot of your agency's book exists yet; export the live book instead",
            "no_snapshot",
        )
    return snapshot


def _count(session: Session, scope: BookScope, snapshot: Snapshot | None) -> int:
    if snapshot is None:
        return int(session.scalar(book_count(*scope.filters)) or 0)
    query = select(func.count()).where(SnapshotRow.snapshot_id == snapshot.id)
    if scope.subject is not None:
        query = query.where(SnapshotRow.enroller_id == scope.subject.id)
    return int(session.scalar(query) or 0)
