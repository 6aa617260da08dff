"""Who is asking: the id of the enroller a Slack user is linked to, looked up per request."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.identity import linked_enroller


def linked_enroller_id(sessions: sessionmaker[Session], slack_user_id: str) -> int | None:
    """The linked active enroller's id, or None when the user must `/bob link` first."""
    with sessions() as session:
        enroller = linked_enroller(session, slack_user_id)
        return enroller.id if enroller is not None else None
