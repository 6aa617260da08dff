"""`bob seed`: a realistic, reproducible synthetic book of business of any size.

The same seed and ``as_of`` make the same rows. Rows get explicit ids, assigned in Python
after the highest id already in each table, so children reference their parents without a
round trip and seeding again into the same database adds new, distinct agencies (license and
case numbers derive from the ids). Consumers are generated and inserted chunk by chunk, one
transaction per chunk with Core ``executemany``, so memory stays flat whatever the size.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from store.errors import BobError
from store.history import record_history, refresh_statistics
from store.models import Agency, Base, Consumer, CrwCase, Enroller, utcnow
from store.seed_rows import MIN_STAFF, BookMaker, Staff, case_number, crw_case_number

TABLES = (
    "agencies",
    "enrollers",
    "consumers",
    "delegations",
    "delegation_history",
    "enrollments",
    "consents",
    "notices",
    "consumer_flags",
    "crw_cases",
    "follow_ups",
)
CHUNK = 10_000


class SeedError(BobError):
    """The seed cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class SeedPlan:
    agencies: int
    consumers: int
    enrollers: int | None = None
    seed: int = 1
    as_of: datetime | None = None
    chunk: int = CHUNK

    @property
    def enroller_count(self) -> int:
        """As asked, else one enroller per 100 consumers (at least ``MIN_STAFF`` + 1 each)."""
        if self.enrollers is not None:
            return self.enrollers
        return max(self.consumers // 100, (MIN_STAFF + 1) * self.agencies)

    def check(self) -> None:
        if self.agencies < 1:
            raise SeedError("--agencies must be at least 1")
        if self.consumers < 0:
            raise SeedError("--consumers cannot be negative")
        if self.enroller_count < MIN_STAFF * self.agencies:
            raise SeedError(
                f"--enrollers {self.enroller_count} is too few for {self.agencies} agencies; "
                f"each needs at least {MIN_STAFF} (manager, primary contact, admin, agent)"
            )
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise SeedError("as_of must be an aware datetime (UTC)")
        if self.chunk < 1:
            raise SeedError("chunk must be at least 1")


@dataclass(frozen=True)
class SeedProgress:
    consumers_done: int
    consumers_total: int
    rows: int
    seconds: float


@dataclass(frozen=True)
class SeedResult:
    agencies: int
    enrollers: int
    consumers: int
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"seeded {self.agencies:,} agencies, {self.enrollers:,} enrollers, "
            f"{self.consumers:,} consumers ({self.rows:,} rows in {self.seconds:.1f} s, "
            f"{self.rows_per_second:,.0f} rows/s)"
        )


def _next_ids(conn: Connection) -> dict[str, int]:
    tables = Base.metadata.tables
    return {
        name: int(conn.scalar(select(func.coalesce(func.max(tables[name].c.id), 0))) or 0) + 1
        for name in TABLES
    }


def _any_taken(conn: Connection, column: Any, values: list[str]) -> bool:
    return any(
        conn.scalar(select(func.count()).where(column.in_(values[start : start + 500])))
        for start in range(0, len(values), 500)
    )


def _refuse_collisions(conn: Connection, staff: Staff, first_consumer: int, consumers: int) -> None:
    """Imported rows could hold the codes, license or case numbers the seed derives from its
    ids; refuse before writing anything rather than fail halfway on a unique key."""
    taken = [
        ("agency codes", _any_taken(conn, Agency.code, [row["code"] for row in staff.agencies])),
        (
            "license numbers",
            _any_taken(conn, Enroller.license_number, [row["license_number"] for row in staff.enrollers]),
        ),
    ]
    if consumers:
        last_consumer = first_consumer + consumers - 1
        for what, column, number in (
            ("case numbers", Consumer.case_number, case_number),
            ("CRW case numbers", CrwCase.case_number, crw_case_number),
        ):
            between = column.between(number(first_consumer), number(last_consumer))
            taken.append((what, bool(conn.scalar(select(func.count()).where(between)))))
    for what, clash in taken:
        if clash:
            raise SeedError(
                f"the database already holds rows with the {what} this seed would use; "
                "seed into a fresh database (another database.url)"
            )


def _insert(conn: Connection, table: str, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(insert(Base.metadata.tables[table]), rows)


def _after_bulk_load(conn: Connection) -> None:
    """PostgreSQL: explicit ids leave the id sequences behind, so move them past the new rows;
    and refresh the planner's statistics, without which the first Daily Summary run picks
    nested loops over the fresh tables (10 s instead of 0.1 s for 10k consumers)."""
    for table in TABLES:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
        conn.execute(text(f"ANALYZE {table}"))


def seed_book(
    engine: Engine, plan: SeedPlan, on_chunk: Callable[[SeedProgress], None] | None = None
) -> SeedResult:
    """Add ``plan``'s agencies, enrollers and consumers to the database at ``engine``."""
    plan.check()
    started = time.perf_counter()
    as_of = plan.as_of or utcnow()
    with engine.begin() as conn:
        maker = BookMaker(random.Random(plan.seed), as_of, _next_ids(conn))
        first_consumer = maker.next_ids["consumers"]
        staff = maker.staff(plan.agencies, plan.enroller_count)
        _refuse_collisions(conn, staff, first_consumer, plan.consumers)
        _insert(conn, "agencies", staff.agencies)
        _insert(conn, "enrollers", staff.enrollers)
    rows = len(staff.agencies) + len(staff.enrollers)
    done = 0
    while done < plan.consumers:
        count = min(plan.chunk, plan.consumers - done)
        chunk = maker.consumers(staff, count)
        with engine.begin() as conn:
            for table, table_rows in chunk.tables().items():
                _insert(conn, table, table_rows)
        done += count
        rows += len(chunk)
        if on_chunk:
            on_chunk(SeedProgress(done, plan.consumers, rows, time.perf_counter() - started))
    if engine.dialect.name == "postgresql":  # before the history sync draws ids from them
        with engine.begin() as conn:
            _after_bulk_load(conn)
    with Session(engine) as session, session.begin():
        record_history(session)  # each new row's first period, from the queue the inserts filled
        refresh_statistics(session)
    return SeedResult(
        len(staff.agencies),
        len(staff.enrollers),
        plan.consumers,
        rows,
        time.perf_counter() - started,
    )
