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

from exports.errors import ExportRefused
from exports.follow_up_columns import ExportDay
from exports.kinds import ExportKind, export_kind
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
    kind: str = "book"  # a key of exports.kinds.EXPORT_KINDS


@dataclass(frozen=True)
class ExportPlan:
    export_id: int
    token: str
    scope_label: str
    row_estimate: int
    file_name: str
    include_changes: bool = False
    snapshot_id: int | None = None
    kind: str = "book"

    @property
    def export_kind(self) -> ExportKind:
        return export_kind(self.kind)


def plan_export(
    sessions: sessionmaker[Session], config: ExportsConfig, request: ExportRequest, now: datetime
) -> ExportPlan:
    """Authorize and record an export request; raises :class:`ExportRefused` with a reason."""
    attempt = Attempt(
        "export.request", request.target[:40], now, detail={"via": request.via, "kind": request.kind[:24]}
    )

    def work(session: Session, requester: Enroller) -> ExportPlan:
        plan, detail = _plan(session, config, request, requester, now)
        attempt.target = f"export:{plan.export_id}"
        attempt.record(session, "allowed", detail)
        return plan

    return act(sessions, request.requester_id, attempt, work, not_linked())


def _plan(
    session: Session, config: ExportsConfig, request: ExportRequest, requester: Enroller, now: datetime
) -> tuple[ExportPlan, dict[str, Any]]:
    kind = export_kind(request.kind)
    if (request.snapshot or request.include_changes) and not kind.snapshots:
        raise ExportRefused("snapshots and the changes sheet are for the Book of Business only", "bad_option")
    scope = authorize(session, requester, request.target, request.agent_query, kind)
    snapshot = _chosen_snapshot(session, scope) if request.snapshot else None
    day = export_day(scope, now)
    estimate = _count(session, kind, scope, snapshot, day)
    if estimate == 0:
        raise ExportRefused(
            kind.empty.format(who=scope.label, since=f"{day.window_start:%m/%d/%Y}"),
            "empty_book" if kind.snapshots else "nothing_to_export",
        )
    masked = request.masked
    if masked is None:
        masked = scope.agency.mask_exports_by_default or config.mask_by_default
    record = _open_record(session, request, kind, requester, scope, snapshot, estimate, masked, now)
    plan = ExportPlan(
        export_id=record.id,
        token=record.token,
        scope_label=scope.label,
        row_estimate=estimate,
        file_name=record.file_name or "",
        include_changes=request.include_changes,
        snapshot_id=snapshot.id if snapshot else None,
        kind=kind.key,
    )
    detail = {
        "kind": kind.key,
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


def export_day(scope: BookScope, moment: datetime) -> ExportDay:
    """The agency's business date at ``moment``: what a kind's dated rows are judged by."""
    zone = ZoneInfo(scope.agency.time_zone)
    return ExportDay(moment.astimezone(zone).date(), zone)


def _open_record(
    session: Session,
    request: ExportRequest,
    kind: ExportKind,
    requester: Enroller,
    scope: BookScope,
    snapshot: Snapshot | None,
    estimate: int,
    masked: bool,
    now: datetime,
) -> ExportRecord:
    """The export's history row, status ``processing``, named for what, whose and as of when."""
    as_of = snapshot.business_date if snapshot else now.astimezone(ZoneInfo(scope.agency.time_zone)).date()
    record = ExportRecord(
        token=secrets.token_urlsafe(18),
        requested_by_id=requester.id,
        requested_via=request.via,
        agency_id=scope.agency.id,
        scope=scope.kind,
        kind=kind.key,
        subject_enroller_id=scope.subject_id,
        masked=masked,
        from_snapshot=snapshot is not None,
        status=ExportStatus.PROCESSING,
        row_count=estimate,
        file_name=file_name(scope, as_of, kind),
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


def _count(
    session: Session, kind: ExportKind, scope: BookScope, snapshot: Snapshot | None, day: ExportDay
) -> int:
    if snapshot is None:
        return int(session.scalar(kind.count(scope.filters, day)) or 0)
    query = select(func.count()).where(SnapshotRow.snapshot_id == snapshot.id)
    if scope.subject is not None:
        query = query.where(SnapshotRow.enroller_id == scope.subject.id)
    return int(session.scalar(query) or 0)
