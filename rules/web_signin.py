"""One-time sign-in links for the web mailbox, emailed or minted for a linked Slack user.

A link carries a random token (``secrets.token_urlsafe``); only its SHA-256 is stored, so a copy
of the database signs nobody in. A link works once, for 15 minutes: using it is one conditional
UPDATE, so two clicks at once cannot both sign in. This lives in ``rules`` because the web
pages and the Slack bot (its "Open in browser" button) both mint links and may not import
each other.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.models import SignInLink

SIGNIN_LINK_PATH = "/signin/link"
LINK_LIFETIME = timedelta(minutes=15)
# A spent or expired link is kept this long, so using it again says "used" or "expired"
# rather than "not one bob sent"; then it is deleted.
KEEP_SPENT_LINKS = timedelta(days=1)
DEFAULT_NEXT = "/mailbox"
MAX_NEXT_CHARS = 200


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def safe_next(path: str | None) -> str:
    """A path on bob's own site to go to after sign-in; anything else (another site, ``//host``,
    a backslash trick, a control character, an over-long value) goes to the mailbox."""
    if (
        not path
        or len(path) > MAX_NEXT_CHARS
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)
    ):
        return DEFAULT_NEXT
    return path


@dataclass(frozen=True)
class MintedLink:
    link_id: int
    token: str  # to send, never to keep


def mint_signin_link(
    session: Session, enroller_id: int, now: datetime, next_path: str = DEFAULT_NEXT
) -> MintedLink:
    """Store a new sign-in link for ``enroller_id``; its token is returned, only its hash kept."""
    token = secrets.token_urlsafe(32)
    row = SignInLink(
        enroller_id=enroller_id,
        token_hash=token_hash(token),
        next_path=safe_next(next_path),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    session.add(row)
    session.flush()
    return MintedLink(row.id, token)


def signin_url(base_url: str, token: str) -> str:
    """The address of the page that signs in with ``token``."""
    return f"{base_url.rstrip('/')}{SIGNIN_LINK_PATH}?{urlencode({'token': token})}"


@dataclass(frozen=True)
class UsedLink:
    enroller_id: int
    next_path: str


def use_signin_link(session: Session, token: str, now: datetime) -> UsedLink | None:
    """Spend the link once: its enroller and where to go, or None if it is unknown, used or
    expired (see :func:`why_unusable`)."""
    row = session.execute(
        update(SignInLink)
        .where(
            SignInLink.token_hash == token_hash(token),
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignInLink.enroller_id, SignInLink.next_path),
        execution_options={"synchronize_session": False},
    ).first()
    return UsedLink(row.enroller_id, row.next_path) if row is not None else None


def why_unusable(session: Session, token: str) -> str:
    """The reason code a refused link is audited with: ``used``, ``expired`` or ``unknown``."""
    used_at = session.execute(
        select(SignInLink.used_at).where(SignInLink.token_hash == token_hash(token))
    ).first()
    if used_at is None:
        return "unknown"
    return "used" if used_at[0] is not None else "expired"


def forget_spent_links(session: Session, now: datetime) -> int:
    """Delete links that expired more than :data:`KEEP_SPENT_LINKS` ago."""
    result = session.execute(delete(SignInLink).where(SignInLink.expires_at < now - KEEP_SPENT_LINKS))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
