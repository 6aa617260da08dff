"""The secure mailbox: where full digests, with consumer contact details, are read — by the
CLI, the Slack bot and the Home tab alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from store.errors import Refused
from store.models import MailboxMessage, utcnow


class NotFound(Refused):
    """The thing asked for does not exist (or is not the asker's to see)."""


@dataclass(frozen=True)
class MailboxEntry:
    id: int
    kind: str
    business_date: date
    subject: str
    alert_count: int
    created_at: datetime
    read_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "business_date": self.business_date.isoformat(),
            "subject": self.subject,
            "alert_count": self.alert_count,
            "created_at": self.created_at.isoformat(),
            "read_at": self.read_at.isoformat() if self.read_at else None,
        }


@dataclass(frozen=True)
class MailboxDocument(MailboxEntry):
    body_text: str
    body_html: str
    # Each alert as data: case_number, topic, topic_title, enroller {name, license_number},
    # contact {name, phone, email}; None for digests stored before bob kept them.
    alerts: list[dict[str, Any]] | None = None
    archived_at: datetime | None = None  # set when the recipient archived it (the web mailbox)


@dataclass(frozen=True)
class MailboxHeading(MailboxEntry):
    """A digest without its bodies and alerts: what the web page needs besides the part it
    keeps rendered (a digest's content never changes once stored)."""

    archived_at: datetime | None = None


@dataclass(frozen=True)
class MailboxText(MailboxHeading):
    """A digest's heading and its plain-text body (the web page's "Plain text" view)."""

    body_text: str = ""


ENTRY_COLUMNS = (
    MailboxMessage.id,
    MailboxMessage.kind,
    MailboxMessage.business_date,
    MailboxMessage.subject,
    MailboxMessage.alert_count,
    MailboxMessage.created_at,
    MailboxMessage.read_at,
)


def mailbox_messages(session: Session, recipient_id: int, limit: int = 20) -> list[MailboxEntry]:
    """The recipient's digests, newest business date first (manager summary after daily)."""
    rows = session.execute(
        select(*ENTRY_COLUMNS)
        .where(MailboxMessage.recipient_id == recipient_id)
        .order_by(MailboxMessage.business_date.desc(), MailboxMessage.id.desc())
        .limit(limit)
    )
    return [MailboxEntry(r.id, str(r.kind), *r[2:]) for r in rows]


def read_message(session: Session, recipient_id: int, message_id: int) -> MailboxDocument:
    """One digest of the recipient's own, marked read; another person's is 'not found'."""
    document = message_document(session, recipient_id, message_id)
    if document.read_at is not None:
        return document
    read_at = utcnow()
    session.execute(update(MailboxMessage).where(MailboxMessage.id == message_id).values(read_at=read_at))
    return replace(document, read_at=read_at)


def message_document(session: Session, recipient_id: int, message_id: int) -> MailboxDocument:
    """One digest of the recipient's own as it is (reading it changes nothing); another
    person's is 'not found'."""
    row = session.execute(
        select(
            *ENTRY_COLUMNS,
            MailboxMessage.body_text,
            MailboxMessage.body_html,
            MailboxMessage.alerts,
            MailboxMessage.archived_at,
        ).where(MailboxMessage.id == message_id, MailboxMessage.recipient_id == recipient_id)
    ).first()
    if row is None:
        raise NotFound(f"there is no message {message_id} in this mailbox", "not_found")
    return MailboxDocument(
        row.id,
        str(row.kind),
        row.business_date,
        row.subject,
        row.alert_count,
        row.created_at,
        row.read_at,
        row.body_text,
        row.body_html,
        row.alerts,
        row.archived_at,
    )


# Built once (every digest page reads it): SQLAlchemy spends longer building and keying a
# statement than SQLite spends running this one.
_HEADING = select(*ENTRY_COLUMNS, MailboxMessage.archived_at).where(
    MailboxMessage.id == bindparam("id"), MailboxMessage.recipient_id == bindparam("recipient_id")
)


def message_heading(session: Session, recipient_id: int, message_id: int) -> MailboxHeading:
    """One digest of the recipient's own without its content (a few columns, no 2,000 alerts to
    decode); another person's is 'not found'."""
    row = session.execute(_HEADING, {"id": message_id, "recipient_id": recipient_id}).first()
    if row is None:
        raise NotFound(f"there is no message {message_id} in this mailbox", "not_found")
    return MailboxHeading(row.id, str(row.kind), *row[2:7], archived_at=row.archived_at)


def message_text(session: Session, recipient_id: int, message_id: int) -> MailboxText:
    """One digest of the recipient's own with its plain-text body only (no HTML body, no
    alerts to decode); another person's is 'not found'."""
    row = session.execute(
        select(*ENTRY_COLUMNS, MailboxMessage.archived_at, MailboxMessage.body_text).where(
            MailboxMessage.id == message_id, MailboxMessage.recipient_id == recipient_id
        )
    ).first()
    if row is None:
        raise NotFound(f"there is no message {message_id} in this mailbox", "not_found")
    return MailboxText(row.id, str(row.kind), *row[2:7], archived_at=row.archived_at, body_text=row.body_text)
