"""Reading a secure mailbox, for the bot, the App Home tab and the CLI alike.

An enroller reads only their own digests (``Action.READ_OWN_MAILBOX``); a message id that
is not theirs is answered like one that does not exist, and that refusal is audited with
the message id only. Successful reads are not audited, like every other read in bob.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, Attempt, audit_refusals, require
from store.mailbox import MailboxDocument, MailboxEntry, NotFound, mailbox_messages, read_message
from store.models import Enroller

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
