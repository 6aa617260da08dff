"""The export service: who may export which book, building it, and the export history.

Two steps, so a chat command can answer at once and build in the background:
:func:`plan_export` authorizes, counts and records the request (status ``processing``);
:func:`run_export` builds, encrypts and stores the file and closes the history row as
``succeeded`` or ``failed``. Every attempt, allowed or refused, lands in the audit log
with ids, scope, row count and outcome only (never PII). The workbook password is returned
to the caller and nowhere else: it is not stored, logged or written next to the file.

Who may export what (as in the CalHEERS portal and HealthSherpa):

* agents (level 1 and 2) export their own book: consumers delegated to them, active or
  pending; not when their agency prevents exports for downline agents;
* agency managers, admin staff level 2 and primary contacts export their own book, the
  whole agency ("All Agents") or one agent of their agency, found by exact full first and
  last name or license number; a partial name finds nobody;
* admin staff level 1 and support staff cannot export.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from exports.changes import changes, changes_sheet
from exports.columns import (
    COLUMNS,
    HEADERS,
    KINDS,
    agency_scope,
    agent_scope,
    book_count,
    book_query,
)
from exports.encryption import encrypt_workbook, generate_password
from exports.masking import mask_rows, masked_kinds
from exports.settings import ExportsConfig
from exports.snapshots import KeyedRow, freeze_book, latest_snapshot, snapshot_rows
from exports.workbook import Sheet, write_workbook
from store.db import transaction
from store.errors import BobError, Refused
from store.models import (
    Agency,
    AuditEntry,
    Enroller,
    ExportRecord,
    ExportScope,
    ExportStatus,
    Role,
    Snapshot,
    SnapshotRow,
)

log = logging.getLogger(__name__)

AGENT_ROLES = frozenset({Role.AGENT_L1, Role.AGENT_L2})
AGENCY_ROLES = frozenset({Role.AGENCY_MANAGER, Role.ADMIN_L2, Role.PRIMARY_CONTACT})
TARGETS = ("self", "agency", "agent")
_STREAM = {"yield_per": 2000}


class ExportRefused(Refused):
    """The export is not allowed or not possible (the message may echo enroller names)."""


class ExportFailed(BobError):
    """Building or storing the workbook failed; the history row says ``failed`` and why."""


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


@dataclass(frozen=True)
class ExportResult:
    export_id: int
    token: str
    path: Path
    file_name: str
    password: str = field(repr=False)
    row_count: int


@dataclass(frozen=True)
class ExportHistoryEntry:
    """One line of the requester's export history (no PII)."""

    export_id: int
    token: str
    requested_at: datetime
    scope_label: str
    status: str
    row_count: int | None
    masked: bool
    from_snapshot: bool
    via: str
    file_name: str | None
    error: str | None
    expires_at: datetime | None
    deleted_at: datetime | None

    def available(self, now: datetime) -> bool:
        """Whether the file can still be fetched."""
        return (
            self.status == ExportStatus.SUCCEEDED
            and self.deleted_at is None
            and self.expires_at is not None
            and now < self.expires_at
        )


@dataclass(frozen=True)
class _Scope:
    kind: ExportScope
    agency: Agency
    subject: Enroller | None  # the agent whose book it is; None for the whole agency

    @property
    def label(self) -> str:
        if self.subject is None:
            return f"All Agents of {self.agency.name}"
        return self.subject.display_name

    @property
    def filters(self) -> tuple[ColumnElement[bool], ...]:
        if self.subject is None:
            return agency_scope(self.agency.id)
        return agent_scope(self.subject.id)


# --- planning: authorization, scope, count, history row ------------------------------------


def plan_export(
    sessions: sessionmaker[Session], config: ExportsConfig, request: ExportRequest, now: datetime
) -> ExportPlan:
    """Authorize and record an export request; raises :class:`ExportRefused` with a reason."""
    refusal: ExportRefused | None = None
    with transaction(sessions) as session:
        requester = session.get(Enroller, request.requester_id)
        try:
            plan, detail = _plan(session, config, request, requester, now)
        except ExportRefused as refused:
            refusal = refused
            _audit(
                session,
                requester,
                "export.request",
                request.target[:40],
                "refused",
                {"reason": refused.reason, "via": request.via},
                at=now,
            )
        else:
            _audit(
                session, requester, "export.request", f"export:{plan.export_id}", "allowed", detail, at=now
            )
            return plan
    raise refusal


def _plan(
    session: Session,
    config: ExportsConfig,
    request: ExportRequest,
    requester: Enroller | None,
    now: datetime,
) -> tuple[ExportPlan, dict[str, Any]]:
    if requester is None or not requester.active:
        raise ExportRefused(
            "you are not linked to an active enroller; link your account first", "unknown_requester"
        )
    scope = _authorize(session, requester, request)
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
    zone = ZoneInfo(scope.agency.time_zone)
    as_of = snapshot.business_date if snapshot else now.astimezone(zone).date()
    record = ExportRecord(
        token=secrets.token_urlsafe(18),
        requested_by_id=requester.id,
        requested_via=request.via,
        agency_id=scope.agency.id,
        scope=scope.kind,
        subject_enroller_id=scope.subject.id if scope.subject else None,
        masked=masked,
        from_snapshot=snapshot is not None,
        status=ExportStatus.PROCESSING,
        row_count=estimate,
        file_name=file_name(scope, as_of),
        requested_at=now,
    )
    session.add(record)
    session.flush()
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


def _authorize(session: Session, requester: Enroller, request: ExportRequest) -> _Scope:
    agency = session.get_one(Agency, requester.agency_id)
    if request.target not in TARGETS:
        raise ExportRefused(
            f"unknown export target {request.target[:20]!r}; "
            "use nothing (your own book), agency, or agent <full name or license number>",
            "bad_target",
        )
    if requester.role in AGENT_ROLES:
        if request.target != "self":
            raise ExportRefused(
                "agents can export only their own Book of Business; "
                "ask your agency manager for the agency's or another agent's",
                "agent_scope",
            )
        if agency.prevent_downline_exports:
            raise ExportRefused(
                "your agency has turned off Book of Business exports for agents; ask your agency manager",
                "downline_exports_prevented",
            )
        return _Scope(ExportScope.AGENT, agency, requester)
    if requester.role not in AGENCY_ROLES:
        raise ExportRefused(
            "your role cannot export the Book of Business; ask your agency manager",
            "role_cannot_export",
        )
    if request.target == "agency":
        return _Scope(ExportScope.AGENCY, agency, None)
    if request.target == "agent":
        return _Scope(ExportScope.AGENT, agency, find_agent(session, agency.id, request.agent_query or ""))
    return _Scope(ExportScope.AGENT, agency, requester)


def find_agent(session: Session, agency_id: int, query: str) -> Enroller:
    """The one enroller of the agency with exactly this license number or full name.

    Names match whole and case-insensitively, extra spaces ignored; a partial name finds
    nobody, as in the portal. Two people of the same name must be told apart by license.
    """
    wanted = " ".join(query.split())
    if not wanted:
        raise ExportRefused(
            "say which agent: agent <first and last name> or agent <license number>", "no_agent"
        )
    in_agency = Enroller.agency_id == agency_id
    by_license = session.scalars(
        select(Enroller).where(in_agency, func.upper(Enroller.license_number) == wanted.upper())
    ).first()
    if by_license is not None:
        return by_license
    full_name = func.lower(Enroller.first_name + " " + Enroller.last_name)
    matches = list(
        session.scalars(select(Enroller).where(in_agency, full_name == wanted.lower()).order_by(Enroller.id))
    )
    if not matches:
        raise ExportRefused(
            "no agent with that full first and last name or license number in your agency; "
            "check the spelling (partial names do not match)",
            "no_agent",
        )
    if len(matches) > 1:
        licenses = ", ".join(agent.license_number for agent in matches)
        raise ExportRefused(
            f"{len(matches)} agents in your agency have that name; "
            f"ask again with the license number ({licenses})",
            "ambiguous_agent",
        )
    return matches[0]


def _chosen_snapshot(session: Session, scope: _Scope) -> Snapshot:
    snapshot = latest_snapshot(session, scope.agency.id)
    if snapshot is None:
        raise ExportRefused(
            "no weekly snapshot of your agency's book exists yet; export the live book instead",
            "no_snapshot",
        )
    return snapshot


def _count(session: Session, scope: _Scope, snapshot: Snapshot | None) -> int:
    if snapshot is None:
        return int(session.scalar(book_count(*scope.filters)) or 0)
    query = select(func.count()).where(SnapshotRow.snapshot_id == snapshot.id)
    if scope.subject is not None:
        query = query.where(SnapshotRow.enroller_id == scope.subject.id)
    return int(session.scalar(query) or 0)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[A-Za-z0-9]+", text)) or "Unnamed"


def file_name(scope: _Scope, as_of: date) -> str:
    """``BookOfBusiness_Agency-Sunrise-Insurance_2026-11-20.xlsx`` or
    ``BookOfBusiness_Ana-Agent_0A12345_2026-11-20.xlsx``: whose book, as of when."""
    if scope.subject is None:
        who = f"Agency-{_slug(scope.agency.name)}"
    else:
        name = f"{scope.subject.first_name} {scope.subject.last_name}"
        who = f"{_slug(name)}_{_slug(scope.subject.license_number)}"
    return f"BookOfBusiness_{who}_{as_of.isoformat()}.xlsx"


def _sheet_name(scope: _Scope, as_of: date) -> str:
    who = (
        scope.agency.name
        if scope.subject is None
        else (f"{scope.subject.first_name} {scope.subject.last_name}")
    )
    return f"{who[:20].strip()} {as_of.isoformat()}"


# --- building: rows, workbook, encryption, history ------------------------------------------


def run_export(
    sessions: sessionmaker[Session], config: ExportsConfig, plan: ExportPlan, now: datetime
) -> ExportResult:
    """Build, encrypt and store the planned workbook; raises :class:`ExportFailed` on failure.

    On failure the history row says ``failed`` with a reason and no file is left on disk:
    the workbook is encrypted as it is written, and a partial encrypted file is removed.
    """
    directory = Path(config.directory)
    path = directory / f"{plan.token}_{plan.file_name}"
    password = generate_password()
    try:
        _create_folder(directory)
        with sessions() as session:
            row_count = _build(session, plan, path, password, now)
    except BaseException as exc:
        _remove_file(path)
        reason = _failure_reason(exc)
        # The exception text may quote a value from the book, so only its type is logged.
        log.error("export %s failed: %s", plan.export_id, type(exc).__name__)
        _finish(
            sessions,
            plan,
            now,
            "failed",
            {"reason": reason},
            status=ExportStatus.FAILED,
            error=reason,
            finished_at=now,
        )
        if not isinstance(exc, Exception):
            raise
        raise ExportFailed(f"the export failed: {reason}") from None
    expires_at = now + timedelta(minutes=config.expiry_minutes)
    _finish(
        sessions,
        plan,
        now,
        "succeeded",
        {"rows": row_count},
        status=ExportStatus.SUCCEEDED,
        row_count=row_count,
        file_path=str(path),
        finished_at=now,
        expires_at=expires_at,
    )
    log.info("export %s succeeded: %d rows", plan.export_id, row_count)
    return ExportResult(plan.export_id, plan.token, path, plan.file_name, password, row_count)


def _create_folder(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        # The path stays out of the message: it is shown in Slack.
        raise ExportFailed(
            f"the export folder cannot be created ({exc.strerror or type(exc).__name__}); "
            "ask your bob administrator to check exports.directory in the configuration"
        ) from None


def _remove_file(path: Path) -> None:
    """Delete ``path`` if it exists; a missing file or folder means there is nothing to do."""
    with contextlib.suppress(NotADirectoryError):  # a file sits where a folder should be
        path.unlink(missing_ok=True)


def fail_export(sessions: sessionmaker[Session], export_id: int, reason: str, now: datetime) -> None:
    """Mark a built export failed (say, Slack would not take the file) and delete its file.

    The history then says ``failed`` with ``reason`` and nothing can be fetched again; the
    audit log records it. ``reason`` is shown to the user, so it must hold no PII.
    """
    with transaction(sessions) as session:
        record = session.get_one(ExportRecord, export_id)
        file_path = record.file_path
        record.status = ExportStatus.FAILED
        record.error = reason[:500]
        record.finished_at = now
        record.deleted_at = now
        requester = session.get(Enroller, record.requested_by_id)
        _audit(
            session,
            requester,
            "export.fail",
            f"export:{export_id}",
            "failed",
            {"reason": reason[:500]},
            at=now,
        )
    if file_path:
        _remove_file(Path(file_path))


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, BobError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"the file could not be written ({exc.strerror or type(exc).__name__})"
    return f"the workbook could not be built ({type(exc).__name__}); try again later"


def _finish(
    sessions: sessionmaker[Session],
    plan: ExportPlan,
    now: datetime,
    outcome: str,
    detail: dict[str, Any],
    **values: Any,
) -> None:
    with transaction(sessions) as session:
        session.execute(update(ExportRecord).where(ExportRecord.id == plan.export_id).values(**values))
        record = session.get_one(ExportRecord, plan.export_id)
        requester = session.get(Enroller, record.requested_by_id)
        _audit(session, requester, "export.build", f"export:{plan.export_id}", outcome, detail, at=now)


def _build(session: Session, plan: ExportPlan, path: Path, password: str, now: datetime) -> int:
    record = session.get(ExportRecord, plan.export_id)
    if record is None or record.status != ExportStatus.PROCESSING:
        raise ExportFailed("this export is not waiting to be built; request a new one")
    scope = _record_scope(session, record)
    agency = scope.agency
    requester = session.get_one(Enroller, record.requested_by_id)
    zone = ZoneInfo(agency.time_zone)
    snapshot = session.get(Snapshot, plan.snapshot_id) if plan.snapshot_id else None
    as_of = (snapshot.taken_at if snapshot else now).astimezone(zone)

    # Streams opened below are closed in the finally, so a failure midway never leaves a
    # server-side cursor behind the session's back.
    streams: list[Iterator[KeyedRow]] = [_keyed_rows(session, scope, snapshot, True)]
    rows: Iterator[Sequence[Any]] = (values for _, _, values in streams[0])
    kinds = list(KINDS)
    if record.masked:
        rows, kinds = mask_rows(rows), masked_kinds(kinds)
    book = Sheet(
        _sheet_name(scope, as_of.date() if not snapshot else snapshot.business_date),
        HEADERS,
        kinds,
        [column.width for column in COLUMNS],
        rows,
    )

    extra: list[Sheet] = []
    baseline: Snapshot | None = None
    if plan.include_changes:
        baseline = latest_snapshot(session, agency.id, before=snapshot.business_date if snapshot else None)
        if baseline is not None:
            streams.append(_keyed_rows(session, scope, snapshot, by_case_number=False))
            streams.append(snapshot_rows(session, baseline.id, _subject_id(scope), False))
            extra.append(changes_sheet(changes(streams[1], streams[2])))
        else:
            extra.append(changes_sheet(()))

    def about(row_count: int) -> Sheet:
        lines = _about_lines(scope, requester, record, snapshot, baseline, plan, as_of, row_count)
        return Sheet("About", ("Item", "Value"), (KINDS[0], KINDS[0]), (28, 70), lines, filtered=False)

    try:
        return encrypt_workbook(lambda plain: write_workbook(plain, book, about, extra), path, password)
    finally:
        for stream in streams:
            stream.close()  # type: ignore[attr-defined]


def _subject_id(scope: _Scope) -> int | None:
    return scope.subject.id if scope.subject is not None else None


def _keyed_rows(
    session: Session, scope: _Scope, snapshot: Snapshot | None, by_case_number: bool
) -> Iterator[KeyedRow]:
    """The book's rows, live or from a snapshot, streamed in case number (or id) order."""
    if snapshot is not None:
        yield from snapshot_rows(session, snapshot.id, _subject_id(scope), by_case_number)
        return
    query = book_query(*scope.filters)
    if not by_case_number:
        query = query.order_by(None).order_by(*query.selected_columns[:2])
    with session.execute(query, execution_options=_STREAM) as result:
        for row in result:
            yield row[0], row[1], row[2:]


def _about_lines(
    scope: _Scope,
    requester: Enroller,
    record: ExportRecord,
    snapshot: Snapshot | None,
    baseline: Snapshot | None,
    plan: ExportPlan,
    as_of: datetime,
    row_count: int,
) -> list[tuple[str, str]]:
    lines = [
        ("Book of Business", scope.label),
        ("Scope", "Agency (All Agents)" if scope.subject is None else "One agent"),
        ("As of", as_of.strftime("%A %Y-%m-%d %H:%M %Z")),
        (
            "Source",
            f"Weekly snapshot of {snapshot.business_date.isoformat()}"
            if snapshot
            else "Live data from bob's store",
        ),
        ("Consumers (rows)", f"{row_count:,}"),
        (
            "Masking",
            "SSN, date of birth and annual income are masked with asterisks"
            if record.masked
            else "None: the file holds full SSN, date of birth and income",
        ),
        ("Requested by", requester.display_name),
        ("Requested via", record.requested_via),
        ("Export number", str(record.id)),
        (
            "Columns",
            f"{len(COLUMNS)} (A-{COLUMNS[-1].letter}); a blank cell means not applicable or not provided",
        ),
    ]
    if plan.include_changes:
        lines.append(
            (
                "Changed since last snapshot",
                f"compared with the snapshot of {baseline.business_date.isoformat()}"
                if baseline
                else "no earlier snapshot to compare with",
            )
        )
    lines.append(("Handling", "Contains PII: keep it encrypted, do not forward it, delete it when done."))
    return lines


# --- history, fetch, expiry, snapshots -------------------------------------------------------


def list_exports(
    sessions: sessionmaker[Session], requester_id: int, now: datetime, limit: int = 20
) -> list[ExportHistoryEntry]:
    """The requester's exports, newest first."""
    with sessions() as session:
        records = session.scalars(
            select(ExportRecord)
            .where(ExportRecord.requested_by_id == requester_id)
            .order_by(ExportRecord.requested_at.desc(), ExportRecord.id.desc())
            .limit(limit)
        ).all()
        return [_entry(session, record) for record in records]


def _record_scope(session: Session, record: ExportRecord) -> _Scope:
    agency = session.get_one(Agency, record.agency_id)
    subject = None
    if record.subject_enroller_id is not None:
        subject = session.get_one(Enroller, record.subject_enroller_id)
    return _Scope(record.scope, agency, subject)


def _entry(session: Session, record: ExportRecord) -> ExportHistoryEntry:
    return ExportHistoryEntry(
        export_id=record.id,
        token=record.token,
        requested_at=record.requested_at,
        scope_label=_record_scope(session, record).label,
        status=str(record.status),
        row_count=record.row_count,
        masked=record.masked,
        from_snapshot=record.from_snapshot,
        via=record.requested_via,
        file_name=record.file_name,
        error=record.error,
        expires_at=record.expires_at,
        deleted_at=record.deleted_at,
    )


def fetch_export(sessions: sessionmaker[Session], requester_id: int, token: str, now: datetime) -> Path:
    """The stored (encrypted) file of one of the requester's exports, until it expires."""
    with transaction(sessions) as session:
        record = session.scalars(
            select(ExportRecord).where(
                ExportRecord.token == token, ExportRecord.requested_by_id == requester_id
            )
        ).first()
        requester = session.get(Enroller, requester_id)
        outcome, reason = "allowed", None
        try:
            path = _available_file(record, now)
        except ExportRefused as refused:
            outcome, reason = "refused", refused.reason
            refusal = refused
        _audit(
            session,
            requester,
            "export.fetch",
            f"export:{record.id}" if record else "export:unknown",
            outcome,
            {"reason": reason} if reason else None,
            at=now,
        )
    if outcome == "refused":
        raise refusal
    return path


def _available_file(record: ExportRecord | None, now: datetime) -> Path:
    if record is None:
        raise ExportRefused("no export of yours has that id; see your export history", "not_found")
    if record.status == ExportStatus.PROCESSING:
        raise ExportRefused("that export is still being prepared; try again in a minute", "processing")
    if record.status == ExportStatus.FAILED:
        raise ExportRefused(f"that export failed ({record.error}); request a new one", "failed")
    expired = record.expires_at is None or now >= record.expires_at
    if expired or record.deleted_at is not None or not record.file_path:
        raise ExportRefused("that export has expired and its file was deleted; request a new one", "expired")
    path = Path(record.file_path)
    if not path.is_file():
        raise ExportRefused("that export's file is gone; request a new one", "missing")
    return path


def expire_exports(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the files of exports past their expiry; returns how many were deleted."""
    with transaction(sessions) as session:
        due = session.execute(
            select(ExportRecord.id, ExportRecord.file_path).where(
                ExportRecord.deleted_at.is_(None),
                ExportRecord.expires_at.is_not(None),
                ExportRecord.expires_at <= now,
            )
        ).all()
        for export_id, file_path in due:
            if file_path:
                Path(file_path).unlink(missing_ok=True)
            session.execute(update(ExportRecord).where(ExportRecord.id == export_id).values(deleted_at=now))
    if due:
        log.info("deleted %d expired export files", len(due))
    return len(due)


def take_snapshot(sessions: sessionmaker[Session], agency_id: int, business_date: date, now: datetime) -> int:
    """Freeze the agency's book for ``business_date`` (once per agency and date)."""
    with transaction(sessions) as session:
        count = freeze_book(session, agency_id, business_date, now)
        _audit(
            session,
            None,
            "snapshot.take",
            f"agency:{agency_id}",
            "done",
            {"business_date": business_date.isoformat(), "rows": count},
            at=now,
        )
    return count


def _audit(
    session: Session,
    actor: Enroller | None,
    action: str,
    target: str,
    outcome: str,
    detail: dict[str, Any] | None,
    at: datetime,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_slack_id=actor.slack_user_id if actor else None,
            action=action,
            target=target,
            outcome=outcome,
            detail=detail,
            at=at,
        )
    )
