"""The export history: a requester's exports, fetching a file until it expires, and marking
one failed after it was built (say, Slack would not take the file).

A requester sees and fetches only their own exports, and fetches one only while they could
still ask for it: every fetch re-checks the rights, and every fetch, allowed or refused, is
audited with the export's id (never PII). Whether an export asked for the "Changed since
last snapshot" sheet is read from its request's audit entry, which records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from exports.building import remove_file
from exports.errors import ExportRefused
from exports.scope import not_linked, record_label, require_rights_still
from rules.access import Attempt, Via, act, audit, audit_read
from store.db import transaction
from store.models import Agency, AuditEntry, Enroller, ExportRecord, ExportStatus


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
    with_changes: bool
    time_zone: str  # the agency's, for showing times
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
        with_changes = _asked_for_changes(session, [record.id for record in records])
        return [_entry(session, record, record.id in with_changes) for record in records]


def _asked_for_changes(session: Session, export_ids: list[int]) -> set[int]:
    """Those of ``export_ids`` whose request asked for the changes sheet (its audit entry says)."""
    requests = session.execute(
        select(AuditEntry.target, AuditEntry.detail).where(
            AuditEntry.action == "export.request",
            AuditEntry.outcome == "allowed",
            AuditEntry.target.in_([f"export:{export_id}" for export_id in export_ids]),
        )
    )
    return {
        int(target.removeprefix("export:")) for target, detail in requests if (detail or {}).get("changes")
    }


def _entry(session: Session, record: ExportRecord, with_changes: bool) -> ExportHistoryEntry:
    return ExportHistoryEntry(
        export_id=record.id,
        token=record.token,
        requested_at=record.requested_at,
        scope_label=record_label(session, record),
        status=str(record.status),
        row_count=record.row_count,
        masked=record.masked,
        from_snapshot=record.from_snapshot,
        with_changes=with_changes,
        time_zone=session.get_one(Agency, record.agency_id).time_zone,
        via=record.requested_via,
        file_name=record.file_name,
        error=record.error,
        expires_at=record.expires_at,
        deleted_at=record.deleted_at,
    )


def fetch_export(
    sessions: sessionmaker[Session], requester_id: int, token: str, now: datetime, via: Via
) -> Path:
    """The stored (encrypted) file of one of the requester's exports, until it expires, and
    only while the requester could still ask for it (active, same role rights, same agency).
    Fetched or refused, the try is audited with the channel ``via`` it came through."""
    attempt = Attempt(
        "export.fetch", "export:unknown", now, detail=via.detail(), slack_user_id=via.slack_user_id
    )

    def work(session: Session, requester: Enroller) -> Path:
        record = session.scalars(
            select(ExportRecord).where(
                ExportRecord.token == token, ExportRecord.requested_by_id == requester_id
            )
        ).first()
        if record is not None:
            attempt.target = f"export:{record.id}"
            require_rights_still(session, requester, record)
        path = _available_file(record, now)
        audit_read(session, requester, attempt.action, attempt.target or "export:unknown", now, via)
        return path

    return act(sessions, requester_id, attempt, work, not_linked())


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
        audit(
            session, requester, "export.fail", f"export:{export_id}", "failed", now, {"reason": reason[:500]}
        )
    if file_path:
        remove_file(Path(file_path))
