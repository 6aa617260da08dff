"""What an operator is told about: each topic a row of data (its title and fix), and the
incident ledger that opens one row per topic while the problem lasts.

Opening is an INSERT that the partial unique index lets only one process win, and closing a
conditional UPDATE, so an incident is announced once and cleared once however many checks,
retries or processes see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from store.db import insert_ignoring_duplicates
from store.models import Incident


@dataclass(frozen=True)
class AlertTopic:
    name: str
    title: str
    fix: str


ALERT_TOPICS = {
    topic.name: topic
    for topic in (
        AlertTopic(
            "daily_summary",
            "a Daily Summary has not finished",
            "see `bob runs`; run the date by hand with `bob summary run --date D` once the cause is fixed",
        ),
        AlertTopic(
            "smtp_session",
            "email cannot be sent: the SMTP server refuses bob",
            "run `bob doctor`; check [smtp] and BOB_SMTP_PASSWORD. Queued emails go once it is fixed",
        ),
        AlertTopic(
            "email_failures",
            "emails are failing for good",
            "see `bob outbox failed`; fix the cause, then `bob outbox retry`",
        ),
        AlertTopic(
            "export_failures",
            "Book of Business exports are failing",
            "see `bob exports list` and `bob doctor` (disk space, exports.directory)",
        ),
        AlertTopic(
            "slack_scopes",
            "the Slack bot token is refused or lacks scopes",
            "run `bob doctor`; add the scopes under OAuth & Permissions and reinstall the Slack app",
        ),
    )
}


@dataclass(frozen=True)
class Change:
    """An incident just opened or just cleared, as its notice needs it."""

    id: int
    topic: AlertTopic
    detail: str
    opened_at: datetime
    cleared_at: datetime | None = None


def open_incident(session: Session, topic: str, detail: str, now: datetime) -> Change | None:
    """Open ``topic``'s incident unless one is open; the new incident, or None."""
    claim = (
        insert_ignoring_duplicates(session, Incident)
        .values(topic=topic, detail=detail[:300], opened_at=now)
        .on_conflict_do_nothing(index_elements=["topic"], index_where=Incident.cleared_at.is_(None))
        .returning(Incident.id)
    )
    opened = session.scalar(claim)
    return None if opened is None else Change(opened, ALERT_TOPICS[topic], detail[:300], now)


def close_incident(session: Session, topic: str, now: datetime) -> Change | None:
    """Clear ``topic``'s open incident; the cleared incident, or None when none was open."""
    cleared = session.execute(
        update(Incident)
        .where(Incident.topic == topic, Incident.cleared_at.is_(None))
        .values(cleared_at=now)
        .returning(Incident.id, Incident.detail, Incident.opened_at)
    ).first()
    if cleared is None:
        return None
    return Change(cleared.id, ALERT_TOPICS[topic], cleared.detail, cleared.opened_at, now)
