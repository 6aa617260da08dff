"""The web mailbox's view of the digests: inbox and archive, filters by date range and topic,
pages of 25, and the read and archived marks the recipient sets.

Every query names the recipient, so another person's digest is simply not found. The topic
filter looks for the topic's name in the digest's stored alerts (its JSON text, written by
``json.dumps`` on both databases); a year of a manager's digests is searched in a few ms
without a table of alerts per digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, bindparam, cast, func, select, update
from sqlalchemy.orm import Session

from store.mailbox import ENTRY_COLUMNS, NotFound
from store.models import DigestKind, MailboxMessage

PER_PAGE = 25


@dataclass(frozen=True)
class MailboxQuery:
    """Which of the recipient's digests to list; every field already checked by the caller."""

    date_from: date | None = None
    date_to: date | None = None
    topic: str | None = None  # a topic's name, e.g. "nod_notice"
    archived: bool = False  # the archive instead of the inbox
    page: int = 1


@dataclass(frozen=True)
class ListedDigest:
    id: int
    kind: str
    business_date: date
    subject: str
    alert_count: int
    created_at: datetime
    unread: bool


@dataclass(frozen=True)
class DigestPage:
    digests: list[ListedDigest]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _in_folder(archived: bool) -> ColumnElement[bool]:
    return MailboxMessage.archived_at.is_not(None) if archived else MailboxMessage.archived_at.is_(None)


def _matching(recipient_id: int, query: MailboxQuery) -> list[ColumnElement[bool]]:
    conditions = [MailboxMessage.recipient_id == recipient_id, _in_folder(query.archived)]
    if query.date_from is not None:
        conditions.append(MailboxMessage.business_date >= query.date_from)
    if query.date_to is not None:
        conditions.append(MailboxMessage.business_date <= query.date_to)
    if query.topic is not None:
        mention = f'"topic": "{query.topic}"'
        conditions.append(cast(MailboxMessage.alerts, Text).contains(mention, autoescape=True))
    return conditions


def _listing(conditions: list[ColumnElement[bool]]) -> tuple[Any, Any]:
    """How many digests match, and one page of them, newest business date first."""
    return (
        select(func.count()).select_from(MailboxMessage).where(*conditions),
        select(*ENTRY_COLUMNS)
        .where(*conditions)
        .order_by(MailboxMessage.business_date.desc(), MailboxMessage.id.desc())
        .limit(PER_PAGE)
        .offset(bindparam("offset", type_=Integer)),
    )


@lru_cache(maxsize=8)
def _listing_of_shape(archived: bool, since: bool, until: bool) -> tuple[Any, Any]:
    """:func:`_listing` for a query without a topic, its values left as parameters: built once
    per shape, as SQLAlchemy spends longer building and keying a statement than SQLite spends
    running it (the mailbox page is read on every visit, bench/web.py)."""
    conditions = [MailboxMessage.recipient_id == bindparam("recipient_id"), _in_folder(archived)]
    if since:
        conditions.append(MailboxMessage.business_date >= bindparam("date_from"))
    if until:
        conditions.append(MailboxMessage.business_date <= bindparam("date_to"))
    return _listing(conditions)


def list_digests(session: Session, recipient_id: int, query: MailboxQuery) -> DigestPage:
    """One page of the recipient's digests, newest business date first."""
    values: dict[str, Any] = {"offset": (query.page - 1) * PER_PAGE}
    if query.topic is None:
        count, listed = _listing_of_shape(
            query.archived, query.date_from is not None, query.date_to is not None
        )
        values.update(recipient_id=recipient_id, date_from=query.date_from, date_to=query.date_to)
    else:
        count, listed = _listing(_matching(recipient_id, query))
    total = session.scalar(count, values) or 0
    rows = session.execute(listed, values)
    digests = [
        ListedDigest(
            r.id, str(r.kind), r.business_date, r.subject, r.alert_count, r.created_at, r.read_at is None
        )
        for r in rows
    ]
    return DigestPage(digests, total, query.page)


def digest_on(session: Session, recipient_id: int, day: date, kind: DigestKind) -> int:
    """The id of the recipient's digest of this kind and business date (a digest email's link)."""
    found = session.scalar(
        select(MailboxMessage.id).where(
            MailboxMessage.recipient_id == recipient_id,
            MailboxMessage.business_date == day,
            MailboxMessage.kind == kind,
        )
    )
    if found is None:
        raise NotFound(f"there is no {kind.value} of {day.isoformat()} in this mailbox", "not_found")
    return found


def mark_digest(
    session: Session,
    recipient_id: int,
    message_id: int,
    now: datetime,
    *,
    read: bool | None = None,
    archived: bool | None = None,
) -> None:
    """Set the recipient's own digest read or unread, archived or back in the inbox."""
    values: dict[str, datetime | None] = {}
    if read is not None:
        values["read_at"] = now if read else None
    if archived is not None:
        values["archived_at"] = now if archived else None
    result = session.execute(
        update(MailboxMessage)
        .where(MailboxMessage.id == message_id, MailboxMessage.recipient_id == recipient_id)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"there is no message {message_id} in this mailbox", "not_found")
