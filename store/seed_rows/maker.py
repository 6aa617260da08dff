"""The state every row maker shares: the random stream, the ``as_of`` instant and the next ids.

Every value comes from the generator and the ``as_of`` instant, never from the clock, so the
same seed and ``as_of`` give the same rows. Every timestamp is before ``as_of``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from store import names
from store.seed_rows.draws import Weighted, below, between_ints, pick, slug
from store.zones import DEFAULT_TIME_ZONE

Row = dict[str, Any]
TIME_ZONE = DEFAULT_TIME_ZONE
DAY = 86_400

LANGUAGE = Weighted([name for name, _ in names.LANGUAGES], [w for _, w in names.LANGUAGES])
# English speakers' names: every community, weighted like the state's population.
_ENGLISH_POOL = Weighted(list(names.NAMES), [55, 28, 5, 3, 4, 2, 1, 1, 0.5, 0.5])
PLACE = Weighted(names.PLACES, [place[4] for place in names.PLACES])


@dataclass
class ConsumerRows:
    """The rows of one chunk of consumers, table by table, in insert order."""

    consumers: list[Row] = field(default_factory=list)
    delegations: list[Row] = field(default_factory=list)
    delegation_history: list[Row] = field(default_factory=list)
    enrollments: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    notices: list[Row] = field(default_factory=list)
    flags: list[Row] = field(default_factory=list)
    crw_cases: list[Row] = field(default_factory=list)
    follow_ups: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        return {
            "consumers": self.consumers,
            "delegations": self.delegations,
            "delegation_history": self.delegation_history,
            "enrollments": self.enrollments,
            "consents": self.consents,
            "notices": self.notices,
            "consumer_flags": self.flags,
            "crw_cases": self.crw_cases,
            "follow_ups": self.follow_ups,
        }

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables().values())


class RowMaker:
    """One random stream, the ``as_of`` instant, and the next free id of each table.

    ``next_ids`` holds the first free id of each table, so the rows can be inserted with
    explicit ids (children reference parents without a round trip) next to existing data.
    """

    def __init__(self, rng: random.Random, as_of: datetime, next_ids: dict[str, int]) -> None:
        self.rng = rng
        # Follow-ups draw from a stream of their own, derived without a draw from ``rng``, so
        # adding them left every other seeded row as it was.
        self.follow_up_rng = random.Random(repr(rng.getstate()[1]))
        self.as_of = as_of
        self.zone = ZoneInfo(TIME_ZONE)
        self.today = as_of.astimezone(self.zone).date()
        self.next_ids = dict(next_ids)

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def _ago(self, low_seconds: int, high_seconds: int) -> datetime:
        return self.as_of - timedelta(seconds=between_ints(self.rng, low_seconds, high_seconds))

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(int((end - start).total_seconds()), 1)
        return start + timedelta(seconds=below(self.rng, span))

    def _name(self, language: str) -> tuple[str, str]:
        r = self.rng
        pool = language
        if language == "English":
            pool = _ENGLISH_POOL.pick(r)
        firsts, lasts = names.NAMES[pool]
        return pick(r, firsts), pick(r, lasts)

    def _ssn(self) -> str:
        """SSN-shaped, with area number 900-999: never issued as a Social Security number."""
        r = self.rng
        group, serial = between_ints(r, 1, 100), between_ints(r, 1, 10000)
        return f"9{below(r, 100):02d}-{group:02d}-{serial:04d}"

    def _email(self, first: str, last: str) -> str:
        domain = pick(self.rng, names.EMAIL_DOMAINS)
        return f"{slug(first)}.{slug(last)}{between_ints(self.rng, 1, 1000)}@{domain}"

    def _phone(self, area_codes: Sequence[str]) -> str:
        return f"({pick(self.rng, area_codes)}) 555-01{below(self.rng, 100):02d}"
