"""The import's agency, its time zone for business dates, and its two clocks.

``now`` is when bob learns the facts (the import's wall clock); ``as_of`` is when the file says
they were true: ``--as-of``, else the as-of the file states, else ``now``. A fact the file
dates itself keeps its own time; every other fact is stamped ``as_of``. No fact is ever
dated after ``as_of``, which is never after ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.errors import BobError
from store.models import Agency, utcnow
from store.zones import DEFAULT_TIME_ZONE, local_midnight


@dataclass(frozen=True)
class AsOf:
    """When the file's facts were true, and what said so (for the summary line)."""

    at: datetime
    source: str = "the import time"

    def describe(self, zone: ZoneInfo) -> str:
        return f"as of {self.at.astimezone(zone):%Y-%m-%d %H:%M %Z} ({self.source})"


@dataclass(frozen=True)
class ImportContext:
    """The agency whose book this is (None: bob's own files, which name their agencies),
    its time zone for business dates, and the import's clocks."""

    agency_id: int | None
    zone: ZoneInfo
    now: datetime
    agency_code: str | None = None
    as_of_given: AsOf | None = field(default=None)

    @property
    def as_of(self) -> datetime:
        return self.as_of_given.at if self.as_of_given else self.now

    def describe_as_of(self) -> str:
        return (self.as_of_given or AsOf(self.now)).describe(self.zone)

    def moment(self, value: date | datetime | None) -> datetime:
        """The instant a fact became true: a date is its local midnight, a date-time without
        an offset is local time; a fact the file does not date is as of the file."""
        if value is None:
            return self.as_of
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=self.zone)).astimezone(UTC)
        return local_midnight(value, self.zone)

    def is_future(self, value: date | datetime | None) -> bool:
        """Whether a dated fact claims to be true after the file's as-of."""
        return value is not None and self.moment(value) > self.as_of

    def given(self, value: date | datetime | None, source: str) -> ImportContext:
        """This context with the as-of ``value`` (read in the agency's zone) unless one was
        given already: the command line wins over what the file states."""
        if value is None or self.as_of_given is not None:
            return self
        as_of = AsOf(self.moment(value), source)
        if as_of.at > self.now:
            when = f"{as_of.at.astimezone(self.zone):%Y-%m-%d %H:%M %Z}"
            raise FutureAsOf(f"the as-of {when} ({source}) is after the import time: no fact is known early")
        return replace(self, as_of_given=as_of)


PORTAL_ZONE = ZoneInfo("America/Los_Angeles")  # CalHEERS keeps Pacific time, whatever the agency's zone


def book_friday(now: datetime) -> datetime:
    """The Friday 21:00 Pacific a Book of Business downloaded at ``now`` describes: the portal
    rebuilds the book each Friday from 21:00, with the week's data as of then."""
    local = now.astimezone(PORTAL_ZONE)
    friday = local.date() - timedelta(days=(local.weekday() - 4) % 7)
    at = datetime.combine(friday, time(21), tzinfo=PORTAL_ZONE)
    return (at if at <= now else at - timedelta(days=7)).astimezone(UTC)


class UnknownAgency(BobError):
    """The --agency code names no agency in the store."""


class FutureAsOf(BobError):
    """An as-of after the import's own time: facts cannot be known before they happen."""


def agency_context(
    sessions: sessionmaker[Session],
    code: str | None,
    now: datetime | None,
    default_zone: str = DEFAULT_TIME_ZONE,
    as_of: date | datetime | None = None,
) -> ImportContext:
    """The import's agency (by code) and clocks, with the ``--as-of`` given; fails before
    anything is read or written."""
    now = now or utcnow()
    if code is None:
        return ImportContext(None, ZoneInfo(default_zone), now).given(as_of, "--as-of")
    with sessions() as session:
        agency = session.execute(select(Agency.id, Agency.time_zone).where(Agency.code == code)).first()
    if agency is None:
        raise UnknownAgency(
            f"no agency has the code {code!r}; check --agency, or load it first with "
            "`bob import agencies.csv`"
        )
    return ImportContext(agency.id, ZoneInfo(agency.time_zone), now, code).given(as_of, "--as-of")
