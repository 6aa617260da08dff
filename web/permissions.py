"""Who the signed-in enroller is to the pages: what their role allows, read from
``rules/access.py``'s table, so a page offers only the links its reader may follow (the
actions themselves check again), and their agency's time zone, in which its dates are shown."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rules.access import ALLOWED, Action
from store.models import Agency, Enroller
from store.zones import DEFAULT_TIME_ZONE

DEFAULT_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)


@dataclass(frozen=True)
class Reader:
    actions: frozenset[Action]
    zone: ZoneInfo


def reader(
    sessions: sessionmaker[Session], enroller_id: int, default_zone: ZoneInfo = DEFAULT_ZONE
) -> Reader:
    """The enroller's allowed actions (none if unknown) and their agency's time zone."""
    with sessions() as session:
        row = session.execute(
            select(Enroller.role, Agency.time_zone)
            .join(Agency, Agency.id == Enroller.agency_id)
            .where(Enroller.id == enroller_id)
        ).first()
    if row is None:
        return Reader(frozenset(), default_zone)
    actions = frozenset(action for action, roles in ALLOWED.items() if row.role in roles)
    return Reader(actions, ZoneInfo(row.time_zone) if row.time_zone else default_zone)
