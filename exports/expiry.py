"""Export expiry: a workbook's file is deleted once its hour (``exports.expiry_minutes``) is up;
its history row stays, marked deleted."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.models import ExportRecord

log = logging.getLogger(__name__)


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
