"""Server-side browser sessions: the cookie holds a random token, the store its SHA-256.

A session ends when it has been idle longer than ``[web] session_idle_minutes``, when
``session_lifetime_hours`` have passed since sign-in, when its enroller is deactivated, or
when its row is deleted (sign out, or an operator revoking it). Seeing a session again
refreshes its idle clock at most once a minute, so reading pages is not a write per request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from rules.web_signin import token_hash
from store.models import Agency, Enroller, WebSession
from web.settings import WebConfig

SESSION_COOKIE = "bob_session"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """The enroller behind a request's session cookie."""

    enroller_id: int
    session_id: int
    token: str  # the cookie's value: the seed of this session's CSRF token
    name: str  # shown in the page header, to the enroller themself only
    time_zone: str  # their agency's: times on the pages are shown in it


def start_session(session: Session, enroller_id: int, now: datetime) -> str:
    """A new session for ``enroller_id``; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(enroller_id=enroller_id, token_hash=token_hash(token), created_at=now, last_seen_at=now)
    )
    session.flush()
    return token


# Built once, the token's hash a parameter: every page looks its session up, and building and
# keying this statement cost SQLAlchemy more than SQLite spends running it (bench/web.py).
_SESSION_OF_TOKEN = (
    select(
        WebSession.id,
        WebSession.enroller_id,
        WebSession.created_at,
        WebSession.last_seen_at,
        Enroller.active,
        Enroller.first_name,
        Enroller.last_name,
        Agency.time_zone,
    )
    .join(Enroller, Enroller.id == WebSession.enroller_id)
    .join(Agency, Agency.id == Enroller.agency_id)
    .where(WebSession.token_hash == bindparam("token_hash"))
)


def current_session(session: Session, token: str, now: datetime, config: WebConfig) -> SignedIn | None:
    """Who the token signs in, or None; an expired session's row is deleted on sight."""
    row = session.execute(_SESSION_OF_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    expired = now - row.last_seen_at > config.idle_timeout or now - row.created_at > config.lifetime
    if expired or not row.active:
        session.execute(delete(WebSession).where(WebSession.id == row.id))
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        session.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return SignedIn(row.enroller_id, row.id, token, f"{row.first_name} {row.last_name}", row.time_zone)


def end_session(session: Session, session_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.id == session_id))


def end_every_session(session: Session, enroller_id: int) -> int:
    """Sign the enroller out in every browser; returns how many sessions ended."""
    result = session.execute(delete(WebSession).where(WebSession.enroller_id == enroller_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_ended_sessions(session: Session, now: datetime, config: WebConfig) -> int:
    """Delete sessions that have ended (idle or past their lifetime) but were never seen again;
    `bob serve` runs this every few minutes so the table holds live sessions only."""
    result = session.execute(
        delete(WebSession).where(
            (WebSession.last_seen_at < now - config.idle_timeout)
            | (WebSession.created_at < now - config.lifetime)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
