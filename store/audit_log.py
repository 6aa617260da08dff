"""The audit log as an access review reads it: entries filtered by person, action and time,
oldest first, each with the actor's license number (what `--as` takes) beside their ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import AuditEntry, Enroller


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor_license: str | None
    actor_slack_id: str | None
    action: str
    target: str | None
    outcome: str
    channel: str
    os_user: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


def audit_entries(
    session: Session,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 10_000,
) -> list[AuditRow]:
    """Entries at or after ``since`` and before ``until``; ``action`` matches itself and its
    sub-actions (``mailbox`` matches ``mailbox.read``)."""
    query = (
        select(AuditEntry, Enroller.license_number)
        .outerjoin(Enroller, Enroller.id == AuditEntry.actor_id)
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(limit)
    )
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(or_(AuditEntry.action == action, AuditEntry.action.startswith(f"{action}.")))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return [_row(entry, license_number) for entry, license_number in session.execute(query)]


def _row(entry: AuditEntry, license_number: str | None) -> AuditRow:
    detail = dict(entry.detail or {})
    return AuditRow(
        entry.at,
        license_number,
        entry.actor_slack_id,
        entry.action,
        entry.target,
        entry.outcome,
        str(detail.get("channel", "")),
        str(detail.get("os_user", "")),
        detail,
    )
