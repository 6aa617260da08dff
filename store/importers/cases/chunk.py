"""The store's view of one chunk's consumer cases, loaded with one query per table.

Everything the chunk needs is loaded once (consumers by case number, then their
delegations and enrollments by consumer id, and the enrollers the chunk names); the writers
work out the differences in Python over that small set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Result, Table, select
from sqlalchemy.orm import Session

from store.history import HISTORY_TABLES
from store.importers.context import ImportContext
from store.importers.records import CaseRecord
from store.models import (
    Consent,
    Consumer,
    ConsumerFlag,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    Notice,
)

CONSUMERS: Table = Consumer.__table__  # type: ignore[assignment]
ENROLLMENTS: Table = Enrollment.__table__  # type: ignore[assignment]
DELEGATIONS: Table = Delegation.__table__  # type: ignore[assignment]
CONSENTS: Table = Consent.__table__  # type: ignore[assignment]
NOTICES: Table = Notice.__table__  # type: ignore[assignment]
FLAGS: Table = ConsumerFlag.__table__  # type: ignore[assignment]
CASE_TABLES = (
    *(t.name for t in (CONSUMERS, ENROLLMENTS, DELEGATIONS, CONSENTS, NOTICES, FLAGS)),
    *HISTORY_TABLES,
)

CONSUMER_FIELDS = tuple(
    c.name for c in CONSUMERS.columns if c.name not in {"id", "case_number", "created_at", "updated_at"}
)
ENROLLMENT_FIELDS = (
    "program", "carrier", "plan_name", "metal_tier", "status", "start_date", "end_date",
    "gross_premium_cents", "aptc_cents", "net_premium_cents", "csr_level", "binder_paid",
)  # fmt: skip
ENROLLMENT_KEY = ("consumer_id", "plan_year", "coverage")
DELEGATION_FIELDS = ("id", "consumer_id", "enroller_id", "status", "delegated_on", "removed_at")
EnrollmentKey = tuple[int, int, str]


class RowOutcomes:
    """Which records (by ``id``) created a row of the store and which changed one.

    A record is counted *created* when it inserted a row its file describes (a consumer, an
    enrollment, a delegation, a consent, a notice, a dated flag), *updated* when it only
    changed stored rows (counted flags raised or resolved to match a count are changes),
    and *unchanged* otherwise, so each file's counts are exact for the entity it holds.
    """

    def __init__(self) -> None:
        self.created: set[int] = set()
        self.updated: set[int] = set()

    def outcome(self, record: CaseRecord) -> str:
        if id(record) in self.created:
            return "created"
        return "updated" if id(record) in self.updated else "unchanged"


def dicts(result: Result[Any]) -> Iterator[dict[str, Any]]:
    """Rows as plain dicts (the keys looked up once, not per row)."""
    keys = list(result.keys())
    return (dict(zip(keys, row, strict=True)) for row in result)


def changed_fields(stored: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """The known fields whose value differs from the stored one."""
    return {name: value for name, value in known.items() if stored.get(name) != value}


class CaseChunk:
    """The store's view of one chunk's consumers, loaded once, plus the writes to make."""

    def __init__(self, session: Session, records: list[CaseRecord], ctx: ImportContext) -> None:
        self.session = session
        self.ctx = ctx
        self.consumers = self._consumers(records)
        ids = [c["id"] for c in self.consumers.values()]
        self.agencies: dict[int, set[int]] = defaultdict(set)
        self.delegations: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self._load_delegations(ids)
        self.enrollments = self._enrollments(ids)
        self.created_ids: set[int] = set()  # consumers inserted by this chunk: nothing else yet
        self.enrollers = self._enrollers(records)

    def _consumers(self, records: list[CaseRecord]) -> dict[str, dict[str, Any]]:
        numbers = {r.case_number for r in records}
        columns = [
            CONSUMERS.c.id,
            CONSUMERS.c.case_number,
            *(CONSUMERS.c[f] for f in CONSUMER_FIELDS),
        ]
        return {
            row["case_number"]: row
            for row in dicts(
                self.session.execute(select(*columns).where(CONSUMERS.c.case_number.in_(numbers)))
            )
        }

    def _load_delegations(self, ids: list[int]) -> None:
        for row in dicts(
            self.session.execute(
                select(*(DELEGATIONS.c[f] for f in DELEGATION_FIELDS), Enroller.agency_id)
                .join(Enroller, Enroller.id == DELEGATIONS.c.enroller_id)
                .where(DELEGATIONS.c.consumer_id.in_(ids))
            )
        ):
            self.delegations[row["consumer_id"]].append(row)
            if row["status"] != DelegationStatus.REMOVED:
                self.agencies[row["consumer_id"]].add(row["agency_id"])

    def _enrollments(self, ids: list[int]) -> dict[EnrollmentKey, dict[str, Any]]:
        enrollments: dict[EnrollmentKey, dict[str, Any]] = {}
        for row in dicts(
            self.session.execute(
                select(*(ENROLLMENTS.c[f] for f in ("id", *ENROLLMENT_KEY, *ENROLLMENT_FIELDS)))
                .where(ENROLLMENTS.c.consumer_id.in_(ids))
                .order_by(ENROLLMENTS.c.id)
            )
        ):
            enrollments[(row["consumer_id"], row["plan_year"], str(row["coverage"]))] = row
        return enrollments

    def _enrollers(self, records: list[CaseRecord]) -> dict[str, tuple[int, int]]:
        licenses = {d.license_number for r in records for d in r.delegations}
        return {
            row.license_number: (row.id, row.agency_id)
            for row in self.session.execute(
                select(Enroller.license_number, Enroller.id, Enroller.agency_id).where(
                    Enroller.license_number.in_(licenses)
                )
            )
        }
