"""The import's agency, its time zone for business dates, and the import's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.errors import BobError
from store.models import Agency, utcnow
from store.zones import DEFAULT_TIME_ZONE, local_midnight


@dataclass(frozen=True)
class ImportContext:
    """The agency whose book this is (None: bob's own files, which name their agencies),
    its time zone for business dates, and the import's clock."""

    agency_id: int | None
    zone: ZoneInfo
    now: datetime
    agency_code: str | None = None

    def local_midnight(self, day: date) -> datetime:
        return local_midnight(day, self.zone)

    def when(self, day: date | None) -> datetime:
        """The instant a dated fact began: its local midnight, unless unknown or future."""
        if day is None:
            return self.now
        return min(self.local_midnight(day), self.now)


class UnknownAgency(BobError):
    """The --agency code names no agency in the store."""


def agency_context(
    sessions: sessionmaker[Session],
    code: str | None,
    now: datetime | None,
    default_zone: str = DEFAULT_TIME_ZONE,
) -> ImportContext:
    """The import's agency (by code) and clock; fails before anything is read or written."""
    now = now or utcnow()
    if code is None:
        return ImportContext(None, ZoneInfo(default_zone), now)
    with sessions() as session:
        agency = session.execute(select(Agency.id, Agency.time_zone).where(Agency.code == code)).first()
    if agency is None:
        raise UnknownAgency(
            f"no agency has the code {code!r}; check --agency, or load it first with "
            "`bob import agencies.csv`"
        )
    return ImportContext(agency.id, ZoneInfo(agency.time_zone), now, code)
