"""What the signed-in enroller's role allows, read from ``rules/access.py``'s table, so a page
offers only the links its reader may follow (the actions themselves check again)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rules.access import ALLOWED, Action
from store.models import Enroller


def allowed_actions(sessions: sessionmaker[Session], enroller_id: int) -> frozenset[Action]:
    """Every action the enroller's role may take (none for an unknown enroller)."""
    with sessions() as session:
        role = session.scalar(select(Enroller.role).where(Enroller.id == enroller_id))
    return frozenset(action for action, roles in ALLOWED.items() if role in roles)
