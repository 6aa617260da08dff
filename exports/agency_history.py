"""The agency's export history, for its managers: who exported which book, when, how many
rows, and whether the file is still there. Books of Business leave the agency in these files,
so the people who answer for the agency can see every one; the files themselves stay their
requesters' own (see :mod:`exports.history`). Lines name enrollers, never consumers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from exports.errors import ExportRefused
from exports.scope import not_linked, record_label
from rules.access import Action, Attempt, act, require
from store.models import Agency, Enroller, ExportRecord

LIST_LIMIT = 50


@dataclass(frozen=True)
class AgencyExportLine:
    requested_at: datetime
    requester: str
    scope_label: str
    status: str
    row_count: int | None
    expires_at: datetime | None
    deleted_at: datetime | None
    time_zone: str


def agency_exports(
    sessions: sessionmaker[Session], actor_id: int, now: datetime, limit: int = LIST_LIMIT
) -> list[AgencyExportLine]:
    """The newest exports of the actor's agency (managers only; a refusal is audited)."""
    attempt = Attempt("export.agency_history", "agency", now)

    def work(session: Session, actor: Enroller) -> list[AgencyExportLine]:
        refusal = ExportRefused("only an agency manager can see the agency's exports", "not_manager")
        require(actor, Action.READ_AGENCY_EXPORTS, refusal)
        zone = session.get_one(Agency, actor.agency_id).time_zone
        rows = session.execute(
            select(ExportRecord, Enroller)
            .join(Enroller, Enroller.id == ExportRecord.requested_by_id)
            .where(ExportRecord.agency_id == actor.agency_id, ExportRecord.requested_at <= now)
            .order_by(ExportRecord.requested_at.desc(), ExportRecord.id.desc())
            .limit(limit)
        ).all()
        return [_line(session, record, requester, zone) for record, requester in rows]

    return act(sessions, actor_id, attempt, work, not_linked())


def _line(session: Session, record: ExportRecord, requester: Enroller, zone: str) -> AgencyExportLine:
    return AgencyExportLine(
        requested_at=record.requested_at,
        requester=requester.display_name,
        scope_label=record_label(session, record),
        status=str(record.status),
        row_count=record.row_count,
        expires_at=record.expires_at,
        deleted_at=record.deleted_at,
        time_zone=zone,
    )
