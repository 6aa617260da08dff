"""Reading a secure mailbox, for the bot, the App Home tab, the CLI and the web pages alike.

An enroller reads only their own digests (``Action.READ_OWN_MAILBOX``); a message id that
is not theirs is answered like one that does not exist, and that refusal is audited with
the message id only. Successful reads are not audited, like every other read in bob, except
a digest opened on the web (``mailbox.opened``): a browser page can be left open, printed or
saved, so who opened which digest is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, Attempt, audit, audit_refusals, require
from store.mailbox import (
    MailboxDocument,
    MailboxEntry,
    MailboxHeading,
    NotFound,
    mailbox_messages,
    message_document,
    message_heading,
    read_message,
)
from store.mailbox_folders import DigestPage, MailboxQuery, digest_on, list_digests, mark_digest
from store.models import DigestKind, Enroller

T = TypeVar("T")


def _as_reader(
    sessions: sessionmaker[Session], reader_id: int, attempt: Attempt, work: Callable[[Session], T]
) -> T:
    def read(session: Session) -> T:
        reader = attempt.actor = session.get_one(Enroller, reader_id)
        require(reader, Action.READ_OWN_MAILBOX, NotFound("your role has no secure mailbox", "not_allowed"))
        return work(session)

    return audit_refusals(sessions, attempt, read)


def mailbox_listing(
    sessions: sessionmaker[Session], reader_id: int, now: datetime, limit: int = 20
) -> list[MailboxEntry]:
    """The reader's own digests, newest business date first."""
    attempt = Attempt("mailbox.list", "own", now)
    return _as_reader(
        sessions, reader_id, attempt, lambda session: mailbox_messages(session, reader_id, limit)
    )


def open_message(
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime
) -> MailboxDocument:
    """One digest of the reader's own, marked read; any other id is refused as not found."""
    attempt = Attempt("mailbox.read", f"message:{message_id}", now)
    return _as_reader(
        sessions, reader_id, attempt, lambda session: read_message(session, reader_id, message_id)
    )


def mailbox_page(
    sessions: sessionmaker[Session], reader_id: int, query: MailboxQuery, now: datetime
) -> DigestPage:
    """One page of the reader's own digests, filtered as ``query`` says."""
    attempt = Attempt("mailbox.list", "own", now)
    return _as_reader(sessions, reader_id, attempt, lambda session: list_digests(session, reader_id, query))


def view_digest(
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime
) -> MailboxHeading:
    """One digest of the reader's own, as it is (its read mark is the reader's to set), without
    its content (see :func:`digest_content`); the opening is audited."""
    attempt = Attempt("mailbox.opened", f"message:{message_id}", now)

    def opened(session: Session) -> MailboxHeading:
        heading = message_heading(session, reader_id, message_id)
        audit(session, reader_id, attempt.action, attempt.target, "opened", now)
        return heading

    return _as_reader(sessions, reader_id, attempt, opened)


def digest_content(
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime
) -> MailboxDocument:
    """The whole of one digest of the reader's own, bodies and alerts (the opening itself is
    audited by :func:`view_digest`)."""
    attempt = Attempt("mailbox.opened", f"message:{message_id}", now)
    return _as_reader(
        sessions, reader_id, attempt, lambda session: message_document(session, reader_id, message_id)
    )


def digest_id_on(
    sessions: sessionmaker[Session], reader_id: int, day: date, kind: DigestKind, now: datetime
) -> int:
    """The id of the reader's digest of ``kind`` for business date ``day``."""
    attempt = Attempt("mailbox.read", f"{kind.value}:{day.isoformat()}", now)
    return _as_reader(sessions, reader_id, attempt, lambda session: digest_on(session, reader_id, day, kind))


def mark(
    sessions: sessionmaker[Session],
    reader_id: int,
    message_id: int,
    now: datetime,
    *,
    read: bool | None = None,
    archived: bool | None = None,
) -> None:
    """Mark the reader's own digest read or unread, archived or back in the inbox."""
    attempt = Attempt("mailbox.mark", f"message:{message_id}", now)
    _as_reader(
        sessions,
        reader_id,
        attempt,
        lambda session: mark_digest(session, reader_id, message_id, now, read=read, archived=archived),
    )
