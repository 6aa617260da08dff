"""Who a Slack user is: nobody until they prove, by a code sent to the email on file, that they
are an enroller.

Only an HMAC of each code is stored (keyed by a pepper derived from the signing secret and bound
to the Slack user id), so neither a database dump nor another Slack user can use a code. Replies
never say whether a license number or email exists, so `/bob link` cannot be used to probe who
works at the agency.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from rules.access import Action, audit, may
from store.models import Enroller, LinkCode
from store.outbox import QueuedEmail, queue_emails

CODE_LIFETIME = timedelta(minutes=15)
CODES_PER_HOUR = 3
TRIES_PER_CODE = 5
CODE_DIGITS = 6

LINK_HOWTO = (
    "First link your Slack account to your enroller record: type "
    "`/bob link <your license number or email on file>`, then `/bob link <code>` with the "
    "code we email you."
)
CODE_SENT = (
    "If that license number or email is on file, we emailed a code to the address on file. "
    "Type `/bob link <code>` here within 15 minutes."
)


@dataclass(frozen=True)
class LinkReply:
    """What to tell the user; ``enroller_id`` is set once the link is made."""

    text: str
    enroller_id: int | None = None


def link_pepper(signing_secret: str) -> bytes:
    """A server-side key for code hashes, derived so no extra secret has to be configured."""
    return hmac.new(signing_secret.encode(), b"bob link codes v1", hashlib.sha256).digest()


def code_hash(pepper: bytes, slack_user_id: str, code: str) -> str:
    return hmac.new(pepper, f"{slack_user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def linked_enroller(session: Session, slack_user_id: str) -> Enroller | None:
    """The active enroller this Slack user is linked to, if any."""
    return session.scalars(
        select(Enroller).where(Enroller.slack_user_id == slack_user_id, Enroller.active.is_(True))
    ).first()


def request_link_code(
    session: Session,
    slack_user_id: str,
    license_or_email: str,
    now: datetime,
    pepper: bytes,
    from_address: str,
) -> LinkReply:
    """Email a one-time code to the enroller on file (at most three per Slack user per hour)."""
    current = linked_enroller(session, slack_user_id)
    if current is not None:
        audit(
            session,
            current.id,
            "slack_link_requested",
            None,
            "already_linked",
            now,
            slack_user_id=slack_user_id,
        )
        return LinkReply(
            f"You are already linked as {current.first_name} {current.last_name}. "
            "Type `/bob help` for what you can do."
        )
    recent = (
        session.scalar(
            select(func.count())
            .select_from(LinkCode)
            .where(LinkCode.slack_user_id == slack_user_id)
            .where(LinkCode.created_at > now - timedelta(hours=1))
        )
        or 0
    )
    if recent >= CODES_PER_HOUR:
        audit(session, None, "slack_link_requested", None, "rate_limited", now, slack_user_id=slack_user_id)
        return LinkReply(
            f"You asked for {CODES_PER_HOUR} codes in the last hour; use the newest one, or try "
            "again in an hour."
        )
    who = license_or_email.strip()
    enroller = session.scalars(
        select(Enroller).where(
            Enroller.active.is_(True),
            or_(Enroller.license_number == who.upper(), func.lower(Enroller.email) == who.lower()),
        )
    ).first()
    if enroller is None or not may(enroller, Action.LINK_SLACK_ACCOUNT):
        audit(session, None, "slack_link_requested", None, "unknown", now, slack_user_id=slack_user_id)
        return LinkReply(CODE_SENT)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # Older codes stop working, so only the newest email in the inbox matters.
    session.execute(
        update(LinkCode)
        .where(LinkCode.slack_user_id == slack_user_id, LinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    row = LinkCode(
        enroller_id=enroller.id,
        slack_user_id=slack_user_id,
        code_hash=code_hash(pepper, slack_user_id, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        attempts=0,
    )
    session.add(row)
    session.flush()
    queue_emails(session, [_code_email(row.id, enroller, code)], from_address)
    audit(session, enroller.id, "slack_link_requested", None, "code_sent", now, slack_user_id=slack_user_id)
    return LinkReply(CODE_SENT)


def complete_link(session: Session, slack_user_id: str, code: str, now: datetime, pepper: bytes) -> LinkReply:
    """Link the Slack user if ``code`` is their newest unexpired code (five tries per code)."""
    pending = session.scalars(
        select(LinkCode)
        .where(
            LinkCode.slack_user_id == slack_user_id,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .order_by(LinkCode.created_at.desc())
    ).first()
    if pending is None:
        audit(session, None, "slack_link_completed", None, "no_code", now, slack_user_id=slack_user_id)
        return LinkReply(
            "No code is waiting for you (codes expire after 15 minutes and work once). "
            "Ask for a new one with `/bob link <your license number or email on file>`."
        )
    if pending.attempts >= TRIES_PER_CODE:
        audit(
            session,
            pending.enroller_id,
            "slack_link_completed",
            None,
            "locked",
            now,
            slack_user_id=slack_user_id,
        )
        return LinkReply(
            "That code was tried too many times and no longer works. Ask for a new one with "
            "`/bob link <your license number or email on file>`."
        )
    if not hmac.compare_digest(pending.code_hash, code_hash(pepper, slack_user_id, code)):
        pending.attempts += 1
        left = TRIES_PER_CODE - pending.attempts
        audit(
            session,
            pending.enroller_id,
            "slack_link_completed",
            None,
            "wrong_code",
            now,
            slack_user_id=slack_user_id,
        )
        return LinkReply(f"That code is not right; {left} tries left. Check the newest email from bob.")
    pending.used_at = now
    enroller = session.get(Enroller, pending.enroller_id)
    if enroller is None or not enroller.active or not may(enroller, Action.LINK_SLACK_ACCOUNT):
        audit(
            session,
            pending.enroller_id,
            "slack_link_completed",
            None,
            "inactive",
            now,
            slack_user_id=slack_user_id,
        )
        return LinkReply("That enroller record is no longer active; ask your agency manager.")
    enroller.slack_user_id = slack_user_id
    audit(session, enroller.id, "slack_link_completed", None, "linked", now, slack_user_id=slack_user_id)
    return LinkReply(
        f"Linked: you are {enroller.first_name} {enroller.last_name} in bob. "
        "Type `/bob help` for what you can do.",
        enroller_id=enroller.id,
    )


def _code_email(link_code_id: int, enroller: Enroller, code: str) -> QueuedEmail:
    return QueuedEmail(
        message_key=f"slack-link-code-{link_code_id}",
        to_address=enroller.email,
        subject="Your bob link code",
        body_text=(
            f"Your bob link code is {code}.\n\n"
            f"In Slack, type /bob link {code} within 15 minutes to link your Slack account.\n"
            "The code works once. If you did not ask for it, ignore this email: nobody can link "
            "your account without it.\n"
        ),
        recipient_id=enroller.id,
    )
