"""The open help requests the Home tab shows: support staff see the whole queue (its size and
its oldest requests, which wait longest); everyone else sees only the requests they filed.

Read through the same audited action as `/bob help-request list open` ("help.list"), so a Home
tab read leaves the same trail as the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, may
from rules.casework.help_requests import (
    _COLUMNS,
    OPEN_STATUSES,
    HelpRequestView,
    _act,
    _filer,
    _view,
)
from store.models import Enroller, HelpRequest

SHOWN_OLDEST = 5


@dataclass(frozen=True)
class OpenHelpRequests:
    """``count`` open requests in reach, ``requests`` the oldest few; ``whole_queue`` says
    whether they are the exchange's queue (support staff) or the reader's own."""

    count: int
    requests: list[HelpRequestView]
    whole_queue: bool


def open_help_requests(
    sessions: sessionmaker[Session], actor_id: int, now: datetime, shown: int = SHOWN_OLDEST
) -> OpenHelpRequests:
    """The open requests for the actor's Home tab, oldest first (they wait longest)."""

    def work(session: Session, actor: Enroller) -> OpenHelpRequests:
        whole_queue = may(actor, Action.READ_ALL_HELP_REQUESTS)
        reach = [HelpRequest.status.in_(OPEN_STATUSES), HelpRequest.created_at <= now]
        if not whole_queue:
            reach.append(HelpRequest.enroller_id == actor.id)
        count = session.scalar(select(func.count()).select_from(HelpRequest).where(*reach)) or 0
        rows = session.execute(
            select(*_COLUMNS)
            .join(_filer, _filer.id == HelpRequest.enroller_id)
            .where(*reach)
            .order_by(HelpRequest.created_at, HelpRequest.id)
            .limit(shown)
        )
        return OpenHelpRequests(count, [_view(row) for row in rows], whole_queue)

    return _act(sessions, actor_id, "help.list", "open", now, work)
