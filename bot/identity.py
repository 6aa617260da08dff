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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.slack_text import inert
from rules.access import Action, Attempt, may
from rules.people import find_enroller
from rules.templating import build_email
from store.models import Enroller, LinkCode
from store.outbox import QueuedEmail, queue_emails
from store.rate_limits import claim_use

CODE_LIFETIME = timedelta(minutes=15)
CODES_PER_HOUR = 3
HOUR = timedelta(hours=1)
TRIES_PER_CODE = 5
CODE_DIGITS = 6

LINK_HOWTO = (
    "First link your Slack account to your enroller record: type "
    "`/bob link <your license number or email on file>`, then `/bob link <code>` with the "
    "code we email you."
)
RATE_LIMITED = (
    f"You, or someone asking for that license number or email, asked for {CODES_PER_HOUR} codes "
    "in the last hour; use the newest one, or try again in an hour."
)
NO_CODE = (
    "No code is waiting for you (codes expire after 15 minutes and work once). "
    "Ask for a new one with `/bob link <your license number or email on file>`."
)
LOCKED = (
    "That code was tried too many times and no longer works. Ask for a new one with "
    "`/bob link <your license number or email on file>`."
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
    """Email a one-time code to the enroller on file: at most three codes an hour per Slack
    user, per license number or email asked for, and per enroller. The first two limits answer
    alike whether or not the license is on file; the third, reached only for one on file, is
    silent (no email, the usual reply)."""
    attempt = Attempt("slack_link_requested", None, now, slack_user_id=slack_user_id)
    current = linked_enroller(session, slack_user_id)
    if current is not None:
        attempt.actor = current.id
        attempt.record(session, "already_linked")
        return LinkReply(
            f"You are already linked as {inert(current.first_name)} {inert(current.last_name)}. "
            "Type `/bob help` for what you can do."
        )
    asked = hmac.new(pepper, license_or_email.strip().lower().encode(), hashlib.sha256).hexdigest()
    if not (
        _claim_a_code(session, f"link-user:{slack_user_id}", now)
        and _claim_a_code(session, f"link-asked:{asked}", now)
    ):
        attempt.record(session, "rate_limited")
        return LinkReply(RATE_LIMITED)
    enroller = find_enroller(session, license_or_email, active_only=True)
    if enroller is None or not may(enroller, Action.LINK_SLACK_ACCOUNT):
        attempt.record(session, "unknown")
        return LinkReply(CODE_SENT)
    attempt.actor = enroller.id
    if not _claim_a_code(session, f"link-enroller:{enroller.id}", now):
        attempt.record(session, "rate_limited")
        return LinkReply(CODE_SENT)
    _send_code(session, enroller, slack_user_id, now, pepper, from_address)
    attempt.record(session, "code_sent")
    return LinkReply(CODE_SENT)


def _claim_a_code(session: Session, key: str, now: datetime) -> bool:
    return claim_use(session, key, CODES_PER_HOUR, HOUR, now)


def _send_code(
    session: Session, enroller: Enroller, slack_user_id: str, now: datetime, pepper: bytes, from_address: str
) -> None:
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


def _newest_code(session: Session, slack_user_id: str, now: datetime) -> LinkCode | None:
    return session.scalars(
        select(LinkCode)
        .where(
            LinkCode.slack_user_id == slack_user_id,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .order_by(LinkCode.created_at.desc())
    ).first()


def complete_link(session: Session, slack_user_id: str, code: str, now: datetime, pepper: bytes) -> LinkReply:
    """Link the Slack user if ``code`` is their newest unexpired code (five tries per code,
    each claimed with one conditional UPDATE so simultaneous guesses cannot share a try)."""
    attempt = Attempt("slack_link_completed", None, now, slack_user_id=slack_user_id)
    pending = _newest_code(session, slack_user_id, now)
    if pending is None:
        attempt.record(session, "no_code")
        return LinkReply(NO_CODE)
    attempt.actor = pending.enroller_id
    tries = _claim_a_try(session, pending.id)
    if tries is None:
        used = session.scalar(select(LinkCode.used_at).where(LinkCode.id == pending.id))
        attempt.record(session, "no_code" if used else "locked")
        return LinkReply(NO_CODE if used else LOCKED)
    if not hmac.compare_digest(pending.code_hash, code_hash(pepper, slack_user_id, code)):
        attempt.record(session, "wrong_code")
        left = TRIES_PER_CODE - tries
        return LinkReply(f"That code is not right; {left} tries left. Check the newest email from bob.")
    # The try claimed above holds the code's row until this transaction ends: it is ours to use.
    session.execute(
        update(LinkCode).where(LinkCode.id == pending.id).values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    enroller = session.get(Enroller, pending.enroller_id)
    if enroller is None or not enroller.active or not may(enroller, Action.LINK_SLACK_ACCOUNT):
        attempt.record(session, "inactive")
        return LinkReply("That enroller record is no longer active; ask your agency manager.")
    _link(session, enroller, slack_user_id)
    attempt.record(session, "linked")
    return LinkReply(
        f"Linked: you are {inert(enroller.first_name)} {inert(enroller.last_name)} in bob. "
        "Type `/bob help` for what you can do.",
        enroller_id=enroller.id,
    )


def _link(session: Session, enroller: Enroller, slack_user_id: str) -> None:
    """Link the Slack user to ``enroller``; one still linked to a deactivated enroller moves
    (the Slack user id is unique, so the old link is cleared first, in the same transaction)."""
    session.execute(
        update(Enroller)
        .where(Enroller.slack_user_id == slack_user_id, Enroller.id != enroller.id)
        .values(slack_user_id=None),
        execution_options={"synchronize_session": False},
    )
    enroller.slack_user_id = slack_user_id


def _claim_a_try(session: Session, link_code_id: int) -> int | None:
    """Count one try of an unused code; the tries so far, or None if none is left."""
    return session.scalar(
        update(LinkCode)
        .where(
            LinkCode.id == link_code_id,
            LinkCode.used_at.is_(None),
            LinkCode.attempts < TRIES_PER_CODE,
        )
        .values(attempts=LinkCode.attempts + 1)
        .returning(LinkCode.attempts),
        execution_options={"synchronize_session": False},
    )


def _code_email(link_code_id: int, enroller: Enroller, code: str) -> QueuedEmail:
    return build_email(
        "link_code",
        {"code": code, "minutes": CODE_LIFETIME // timedelta(minutes=1)},
        message_key=f"slack-link-code-{link_code_id}",
        to_address=enroller.email,
        recipient_id=enroller.id,
    )
