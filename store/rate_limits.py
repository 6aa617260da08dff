"""Limits that hold when requests arrive at once: each use is claimed with one conditional
upsert, so two requests can never both take the last use of a window (a count followed by an
insert let 20 simultaneous `/bob link` requests send 6 codes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_
from sqlalchemy.orm import Session

from store.db import insert_ignoring_duplicates
from store.models import RateLimit


def claim_use(session: Session, key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one use of ``key`` and say whether it is within ``limit`` uses per ``window``
    (a window starts at the first use after the previous one ended). A refused use is not
    counted. The row stays locked until the caller's transaction ends."""
    insert = insert_ignoring_duplicates(session, RateLimit).values(key=key, window_start=now, used=1)
    ended = RateLimit.window_start <= now - window
    claim = insert.on_conflict_do_update(
        index_elements=[RateLimit.key],
        set_={
            "used": case((ended, 1), else_=RateLimit.used + 1),
            "window_start": case((ended, insert.excluded.window_start), else_=RateLimit.window_start),
        },
        where=or_(ended, RateLimit.used < limit),
    ).returning(RateLimit.used)
    return session.execute(claim).first() is not None


def forget_ended_windows(session: Session, prefix: str, window: timedelta, now: datetime) -> int:
    """Delete the counts of keys starting with ``prefix`` whose window has ended: they limit
    nothing any more, and a key may be a hash of an address asked about."""
    ended = delete(RateLimit).where(
        RateLimit.key.startswith(prefix, autoescape=True), RateLimit.window_start <= now - window
    )
    return int(session.execute(ended).rowcount or 0)  # type: ignore[attr-defined]
