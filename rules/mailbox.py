"""Reading a secure mailbox, for the bot, the App Home tab, the CLI and the web pages alike.

An enroller reads only their own digests (``Action.READ_OWN_MAILBOX``); a message id that
is not theirs is answered like one that does not exist, and that refusal is audited with
the message id only. A successful read is audited through
:func:`rules.access.audit_read` with its channel (Slack, web, CLI): ``mailbox.read`` for a
digest (each Slack page, each web opening), ``mailbox.list`` for a listing asked for by a
command or a page. The App Home tab's listing is not audited: it shows ids, business dates,
subjects (the digest kind and date) and alert counts, no consumer data, and Slack renders it
whenever the user clicks the app, so it would bury the reads that matter; every digest opened
from it is audited like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, Attempt, Via, audit_read, audit_refusals, role_may
from store.mailbox import (
    MailboxDocument,
    MailboxEntry,
    MailboxHeading,
    MailboxText,
    NotFound,
    mailbox_messages,
    message_document,
    message_heading,
    message_text,
    read_message,
)
from store.mailbox_folders import DigestPage, MailboxQuery, digest_on, list_digests, mark_digest
from store.models import DigestKind, Enroller

T = TypeVar("T")


# Built once: every mailbox read checks its reader's role (rules.access) first, and
# this costs less than loading the reader as an ORM object on every page (bench/web.py).
_READER = select(Enroller.role, Enroller.slack_user_id).where(Enroller.id == bindparam("id"))


def _as_reader(
    sessions: sessionmaker[Session], reader_id: int, attempt: Attempt, work: Callable[[Session], T]
) -> T:
    def read(session: Session) -> T:
        reader = session.execute(_READER, {"id": reader_id}).one()
        attempt.actor = reader_id
        if attempt.slack_user_id is None:  # a refusal names the reader's Slack user, as for any actor
            attempt.slack_user_id = reader.slack_user_id
        if not role_may(reader.role, Action.READ_OWN_MAILBOX):
            raise NotFound("your role has no secure mailbox", "not_allowed")
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
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime, via: Via | None = None
) -> MailboxDocument:
    """One digest of the reader's own, marked read; any other id is refused as not found (the
    refusal names the channel ``via``, as the read its caller records does)."""
    attempt = Attempt("mailbox.read", f"message:{message_id}", now)
    if via is not None:
        attempt.detail, attempt.slack_user_id = via.detail(), via.slack_user_id
    return _as_reader(
        sessions, reader_id, attempt, lambda session: read_message(session, reader_id, message_id)
    )


def mailbox_page(
    sessions: sessionmaker[Session], reader_id: int, query: MailboxQuery, now: datetime
) -> DigestPage:
    """One page of the reader's own digests, filtered as ``query`` says (the web mailbox page,
    audited as a listing on the web)."""
    attempt = Attempt("mailbox.list", "own", now, detail={"channel": "web"})

    def listed(session: Session) -> DigestPage:
        found = list_digests(session, reader_id, query)
        audit_read(session, reader_id, attempt.action, "own", now, Via("web"))
        return found

    return _as_reader(sessions, reader_id, attempt, listed)


def view_digest(
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime
) -> MailboxHeading:
    """One digest of the reader's own, as it is (its read mark is the reader's to set), without
    its content (see :func:`digest_content`); the opening is audited as a read on the web."""
    return _read_on_the_web(sessions, reader_id, message_id, now, message_heading)


def view_digest_text(
    sessions: sessionmaker[Session], reader_id: int, message_id: int, now: datetime
) -> MailboxText:
    """One digest of the reader's own as plain text (the web page's "Plain text" link): a read
    of the digest like :func:`view_digest`, audited the same way."""
    return _read_on_the_web(sessions, reader_id, message_id, now, message_text)


def _read_on_the_web(
    sessions: sessionmaker[Session],
    reader_id: int,
    message_id: int,
    now: datetime,
    find: Callable[[Session, int, int], T],
) -> T:
    """``find`` one digest of the reader's own and audit it as a read on the web."""
    attempt = Attempt("mailbox.read", f"message:{message_id}", now, detail={"channel": "web"})

    def opened(session: Session) -> T:
        found = find(session, reader_id, message_id)
        audit_read(session, reader_id, attempt.action, f"message:{message_id}", now, Via("web"))
        return found

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
