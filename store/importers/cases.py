"""Writing a chunk of :class:`CaseRecord` into the store, set-based and idempotent.

Each chunk is one transaction. Everything the chunk needs is loaded with one query per
table (consumers by case number, then their enrollments, delegations, consents, notices
and flags by consumer id); the differences are worked out in Python over that small set,
and written back with one executemany per kind of change. A record that changes nothing
writes nothing, so importing the same file twice leaves the store as it was.

Natural keys (the schema has no unique index for most of them):
consumer = case number; enrollment = (consumer, plan year, coverage); delegation =
(consumer, enroller); consent = (consumer, valid thru); notice = (consumer, kind, date);
flag row = (consumer, kind, raised date, detail). Counted flags (the Book of Business and
HealthSherpa give counts, not rows) are reconciled: missing ones are raised, surplus open
ones resolved, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Result, Table, select
from sqlalchemy.orm import Session, sessionmaker

from store.errors import BobError
from store.importers.bulk import insert_rows, update_rows
from store.importers.records import CaseRecord, EnrollmentFacts, Reject
from store.models import (
    Agency,
    Consent,
    Consumer,
    ConsumerFlag,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentStatus,
    Notice,
    utcnow,
)
from store.zones import DEFAULT_TIME_ZONE

CONSUMERS: Table = Consumer.__table__  # type: ignore[assignment]
ENROLLMENTS: Table = Enrollment.__table__  # type: ignore[assignment]
DELEGATIONS: Table = Delegation.__table__  # type: ignore[assignment]
CONSENTS: Table = Consent.__table__  # type: ignore[assignment]
NOTICES: Table = Notice.__table__  # type: ignore[assignment]
FLAGS: Table = ConsumerFlag.__table__  # type: ignore[assignment]
CASE_TABLES = tuple(t.name for t in (CONSUMERS, ENROLLMENTS, DELEGATIONS, CONSENTS, NOTICES, FLAGS))

CONSUMER_FIELDS = tuple(
    c.name for c in CONSUMERS.columns if c.name not in {"id", "case_number", "created_at", "updated_at"}
)
EMPTY_CONSUMER = dict.fromkeys(CONSUMER_FIELDS)  # a new consumer's unknown fields
ENROLLMENT_FIELDS = (
    "program", "carrier", "plan_name", "metal_tier", "status", "start_date", "end_date",
    "gross_premium_cents", "aptc_cents", "net_premium_cents", "csr_level", "binder_paid",
)  # fmt: skip
ENROLLMENT_KEY = ("consumer_id", "plan_year", "coverage")
DELEGATION_FIELDS = ("id", "consumer_id", "enroller_id", "status", "delegated_on", "removed_at")
ENROLLMENT_REQUIRED = ("program", "status")
NOT_NULL = (*ENROLLMENT_REQUIRED, "binder_paid")
NAMES = ("first_name", "last_name")
EnrollmentKey = tuple[int, int, str]


@dataclass(frozen=True)
class CaseLabels:
    """The source's column names, so a reject points at the column the user sees."""

    case_number: str
    names: str
    delegation: str
    enrollment: str


@dataclass(frozen=True)
class ImportContext:
    """The agency whose book this is (None: bob's own files, which name their agencies),
    its time zone for business dates, and the import's clock."""

    agency_id: int | None
    zone: ZoneInfo
    now: datetime
    agency_code: str | None = None

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

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


def _dicts(result: Result[Any]) -> Iterator[dict[str, Any]]:
    """Rows as plain dicts (the keys looked up once, not per row)."""
    keys = list(result.keys())
    return (dict(zip(keys, row, strict=True)) for row in result)


class _Chunk:
    """The store's view of one chunk's consumers, loaded once, plus the writes to make."""

    def __init__(self, session: Session, records: list[CaseRecord], ctx: ImportContext) -> None:
        self.session = session
        self.ctx = ctx
        numbers = {r.case_number for r in records}
        columns = [
            CONSUMERS.c.id,
            CONSUMERS.c.case_number,
            *(CONSUMERS.c[f] for f in CONSUMER_FIELDS),
        ]
        self.consumers: dict[str, dict[str, Any]] = {
            row["case_number"]: row
            for row in _dicts(session.execute(select(*columns).where(CONSUMERS.c.case_number.in_(numbers))))
        }
        ids = [c["id"] for c in self.consumers.values()]
        self.agencies: dict[int, set[int]] = defaultdict(set)
        self.delegations: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _dicts(
            session.execute(
                select(*(DELEGATIONS.c[f] for f in DELEGATION_FIELDS), Enroller.agency_id)
                .join(Enroller, Enroller.id == DELEGATIONS.c.enroller_id)
                .where(DELEGATIONS.c.consumer_id.in_(ids))
            )
        ):
            self.delegations[row["consumer_id"]].append(row)
            if row["status"] != DelegationStatus.REMOVED:
                self.agencies[row["consumer_id"]].add(row["agency_id"])
        self.enrollments: dict[EnrollmentKey, dict[str, Any]] = {}
        for row in _dicts(
            session.execute(
                select(*(ENROLLMENTS.c[f] for f in ("id", *ENROLLMENT_KEY, *ENROLLMENT_FIELDS)))
                .where(ENROLLMENTS.c.consumer_id.in_(ids))
                .order_by(ENROLLMENTS.c.id)
            )
        ):
            self.enrollments[(row["consumer_id"], row["plan_year"], str(row["coverage"]))] = row
        self.created_ids: set[int] = set()  # consumers inserted by this chunk: nothing else yet
        licenses = {d.license_number for r in records for d in r.delegations}
        self.enrollers: dict[str, tuple[int, int]] = {
            row.license_number: (row.id, row.agency_id)
            for row in session.execute(
                select(Enroller.license_number, Enroller.id, Enroller.agency_id).where(
                    Enroller.license_number.in_(licenses)
                )
            )
        }


def _problem(record: CaseRecord, chunk: _Chunk, labels: CaseLabels) -> Reject | None:
    """Why the record cannot be loaded at all, checked before anything is written."""
    ctx, stored = chunk.ctx, chunk.consumers.get(record.case_number)
    if stored is None:
        if not record.may_create:
            return Reject(record.row, labels.case_number, "unknown case number; load the consumer first")
        if not record.consumer.get("first_name") or not record.consumer.get("last_name"):
            return Reject(record.row, labels.names, "first and last name are required for a new case")
    elif ctx.agency_id is not None:
        agencies = chunk.agencies.get(stored["id"], set())
        if agencies and ctx.agency_id not in agencies:
            return Reject(record.row, labels.case_number, "the case is on another agency's book")
    for delegation in record.delegations:
        enroller = chunk.enrollers.get(delegation.license_number)
        if enroller is None:
            return Reject(
                delegation.row,
                labels.delegation,
                "no enroller has this license number; load the enroller first",
            )
        if ctx.agency_id is not None and enroller[1] != ctx.agency_id:
            return Reject(delegation.row, labels.delegation, "the enroller is in another agency")
    for facts in record.enrollments:
        known = (
            stored is not None and (stored["id"], facts.plan_year, facts.coverage.value) in chunk.enrollments
        )
        missing = [name for name in ENROLLMENT_REQUIRED if facts.fields.get(name) is None]
        if not known and missing:
            return Reject(
                record.row, labels.enrollment,
                f"a new {facts.coverage.value} enrollment needs {' and '.join(missing)}",
            )  # fmt: skip
    return None


def _changes(stored: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in known.items() if stored.get(name) != value}


def apply_cases(
    session: Session, records: list[CaseRecord], ctx: ImportContext, labels: CaseLabels
) -> tuple[list[tuple[CaseRecord, str]], list[Reject]]:
    """Load one chunk; returns each record with its outcome, and the reasons for rejects."""
    chunk = _Chunk(session, records, ctx)
    rejects: list[Reject] = []
    accepted: list[CaseRecord] = []
    outcomes: list[tuple[CaseRecord, str]] = []
    for record in records:
        problem = _problem(record, chunk, labels)
        if problem:
            rejects.append(problem)
            outcomes.append((record, "rejected"))
        else:
            accepted.append(record)
    touched: set[int] = set()  # ids (in ``accepted``) of records that wrote something
    created = _write_consumers(chunk, accepted, touched)
    ids = {number: stored["id"] for number, stored in chunk.consumers.items()}
    _write_enrollments(chunk, accepted, ids, touched)
    _write_delegations(chunk, accepted, ids, touched)
    _write_dated_facts(chunk, accepted, ids, touched)
    _write_flags(chunk, accepted, ids, touched)
    outcomes += [
        (r, "created" if id(r) in created else "updated" if id(r) in touched else "unchanged")
        for r in accepted
    ]
    return outcomes, rejects


def _write_consumers(chunk: _Chunk, records: list[CaseRecord], touched: set[int]) -> set[int]:
    new: dict[str, dict[str, Any]] = {}
    created: set[int] = set()
    updates: dict[int, dict[str, Any]] = {}
    for record in records:
        stored = chunk.consumers.get(record.case_number)
        if stored is None and record.case_number not in new:
            new[record.case_number] = {
                **EMPTY_CONSUMER, **record.consumer,
                "case_number": record.case_number, "created_at": chunk.ctx.now,
                "updated_at": chunk.ctx.now,
            }  # fmt: skip
            created.add(id(record))
            continue
        if stored is None:
            continue
        known = {k: v for k, v in record.consumer.items() if v is not None or k not in NAMES}
        changes = _changes(stored, known)
        if changes:
            stored.update(changes)
            updates.setdefault(stored["id"], {"updated_at": chunk.ctx.now}).update(changes)
            touched.add(id(record))
    insert_rows(chunk.session, CONSUMERS, list(new.values()))
    update_rows(chunk.session, CONSUMERS, updates.items())
    if new:
        for row in chunk.session.execute(
            select(CONSUMERS.c.id, CONSUMERS.c.case_number).where(CONSUMERS.c.case_number.in_(new))
        ):
            stored = chunk.consumers[row.case_number] = new[row.case_number]
            stored["id"] = row.id
            chunk.created_ids.add(row.id)
    return created


def _status_since(facts: EnrollmentFacts, ctx: ImportContext) -> datetime:
    """When a first-seen enrollment took its status: an old cancellation or termination is
    history (dated by its end date), so a first import does not announce it as news."""
    if facts.fields.get("status") in (EnrollmentStatus.CANCELED, EnrollmentStatus.TERMINATED):
        return ctx.when(facts.fields.get("end_date"))
    return ctx.now


def _write_enrollments(
    chunk: _Chunk, records: list[CaseRecord], ids: dict[str, int], touched: set[int]
) -> None:
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    defaults = {**dict.fromkeys(ENROLLMENT_FIELDS), "binder_paid": False}
    for record in records:
        consumer_id = ids[record.case_number]
        for facts in record.enrollments:
            key = (consumer_id, facts.plan_year, facts.coverage.value)
            stored = chunk.enrollments.get(key)
            if stored is None:
                row = {
                    **defaults, **facts.fields, "consumer_id": consumer_id,
                    "plan_year": facts.plan_year, "coverage": facts.coverage,
                    "created_at": chunk.ctx.now, "status_changed_at": _status_since(facts, chunk.ctx),
                }  # fmt: skip
                if row["binder_paid"] is None:  # program and status were checked by _problem
                    row["binder_paid"] = False
                inserts.append(row)
                chunk.enrollments[key] = row
                touched.add(id(record))
                continue
            known = {k: v for k, v in facts.fields.items() if v is not None or k not in NOT_NULL}
            changes = _changes(stored, known)
            if not changes:
                continue
            if "status" in changes:
                changes["status_changed_at"] = chunk.ctx.now
            stored.update(changes)
            if "id" in stored:
                updates.append((stored["id"], changes))
            touched.add(id(record))
    insert_rows(chunk.session, ENROLLMENTS, inserts)
    update_rows(chunk.session, ENROLLMENTS, updates)


def _write_delegations(
    chunk: _Chunk, records: list[CaseRecord], ids: dict[str, int], touched: set[int]
) -> None:
    now = chunk.ctx.now
    inserts: list[dict[str, Any]] = []
    updates: dict[int, dict[str, Any]] = {}
    ended = {"status": DelegationStatus.REMOVED, "removed_at": now}
    for record in records:
        if not record.delegations:
            continue
        rows = chunk.delegations[ids[record.case_number]]
        listed: dict[int, set[int]] = defaultdict(set)  # agency -> enrollers the record names
        for facts in record.delegations:
            enroller_id, agency_id = chunk.enrollers[facts.license_number]
            listed[agency_id].add(enroller_id)
            mine = next((d for d in rows if d["enroller_id"] == enroller_id), None)
            wanted: dict[str, Any] = {"status": facts.status, "removed_at": None}
            if facts.status == DelegationStatus.REMOVED:
                wanted["removed_at"] = (mine or {}).get("removed_at") or now
            if facts.knows_date:
                wanted["delegated_on"] = facts.delegated_on
            if mine is None:
                mine = {
                    "consumer_id": ids[record.case_number], "enroller_id": enroller_id,
                    "agency_id": agency_id, "delegated_on": None, "created_at": now, **wanted,
                }  # fmt: skip
                inserts.append(mine)
                rows.append(mine)
                touched.add(id(record))
            elif changes := _changes(mine, wanted):
                mine.update(changes)
                if "id" in mine:
                    updates.setdefault(mine["id"], {}).update(changes)
                touched.add(id(record))
        if not record.delegations_complete:
            continue
        for other in rows:
            if (
                other["agency_id"] in listed
                and other["enroller_id"] not in listed[other["agency_id"]]
                and other["status"] != DelegationStatus.REMOVED
            ):
                other.update(ended)
                updates.setdefault(other["id"], {}).update(ended)
                touched.add(id(record))
    insert_rows(chunk.session, DELEGATIONS, inserts)  # "agency_id" is no column: not written
    update_rows(chunk.session, DELEGATIONS, updates.items())


def _write_dated_facts(
    chunk: _Chunk, records: list[CaseRecord], ids: dict[str, int], touched: set[int]
) -> None:
    """Consents and notices: rows are only ever added, keyed by their date."""
    wanted = [r for r in records if r.consent_valid_thru is not None or r.notices]
    if not wanted:
        return
    consumer_ids = {ids[r.case_number] for r in wanted} - chunk.created_ids
    session = chunk.session
    consents: set[tuple[Any, ...]] = set()
    notices: set[tuple[Any, ...]] = set()
    if consumer_ids:
        consents.update(
            tuple(row)
            for row in session.execute(
                select(CONSENTS.c.consumer_id, CONSENTS.c.valid_thru).where(
                    CONSENTS.c.consumer_id.in_(consumer_ids)
                )
            )
        )
        notices.update(
            tuple(row)
            for row in session.execute(
                select(NOTICES.c.consumer_id, NOTICES.c.kind, NOTICES.c.notice_date).where(
                    NOTICES.c.consumer_id.in_(consumer_ids)
                )
            )
        )
    new_consents: list[dict[str, Any]] = []
    new_notices: list[dict[str, Any]] = []
    for record in wanted:
        consumer_id = ids[record.case_number]
        if record.consent_valid_thru is not None and (consumer_id, record.consent_valid_thru) not in consents:
            consents.add((consumer_id, record.consent_valid_thru))
            new_consents.append(
                {
                    "consumer_id": consumer_id,
                    "valid_thru": record.consent_valid_thru,
                    "created_at": chunk.ctx.now,
                }
            )
            touched.add(id(record))
        for kind, day in record.notices:
            if (consumer_id, kind, day) not in notices:
                notices.add((consumer_id, kind, day))
                new_notices.append(
                    {
                        "consumer_id": consumer_id,
                        "kind": kind,
                        "notice_date": day,
                        "created_at": chunk.ctx.when(day),
                    }
                )
                touched.add(id(record))
    insert_rows(session, CONSENTS, new_consents)
    insert_rows(session, NOTICES, new_notices)


def _write_flags(chunk: _Chunk, records: list[CaseRecord], ids: dict[str, int], touched: set[int]) -> None:
    wanted = [r for r in records if r.flag_counts or r.flags]
    if not wanted:
        return
    ctx, session = chunk.ctx, chunk.session
    consumer_ids = {ids[r.case_number] for r in wanted} - chunk.created_ids
    flags: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if consumer_ids:
        for row in _dicts(
            session.execute(
                select(FLAGS)
                .where(FLAGS.c.consumer_id.in_(consumer_ids))
                .order_by(FLAGS.c.raised_at, FLAGS.c.id)
            )
        ):
            flags[row["consumer_id"]].append(row)
    inserts: list[dict[str, Any]] = []
    resolved: list[tuple[int, dict[str, Any]]] = []
    for record in wanted:
        consumer_id = ids[record.case_number]
        mine = flags[consumer_id]
        for wanted_count in record.flag_counts:
            open_flags = [
                f for f in mine
                if f["kind"] == wanted_count.kind and f["resolved_at"] is None
                and (wanted_count.detail is None or f["detail"] == wanted_count.detail)
            ]  # fmt: skip
            missing = wanted_count.open_count - len(open_flags)
            for _ in range(missing):
                flag: dict[str, Any] = {
                    "consumer_id": consumer_id, "kind": wanted_count.kind,
                    "detail": wanted_count.raise_detail, "raised_at": ctx.now, "resolved_at": None,
                }  # fmt: skip
                inserts.append(flag)
                mine.append(flag)
            surplus = open_flags[len(open_flags) + missing :] if missing < 0 else []
            for flag in surplus:  # the newest open flags go first
                flag["resolved_at"] = ctx.now
                if "id" in flag:
                    resolved.append((flag["id"], {"resolved_at": ctx.now}))
            if missing:
                touched.add(id(record))
        for facts in record.flags:
            raised_at = ctx.local_midnight(facts.raised_on)
            resolved_at = None if facts.resolved_on is None else ctx.local_midnight(facts.resolved_on)
            key = (facts.kind, raised_at, facts.detail)
            same = (f for f in mine if (f["kind"], f["raised_at"], f["detail"]) == key)
            stored = next(same, None)
            if stored is None:
                flag = {
                    "consumer_id": consumer_id, "kind": facts.kind, "detail": facts.detail,
                    "raised_at": raised_at, "resolved_at": resolved_at,
                }  # fmt: skip
                inserts.append(flag)
                mine.append(flag)
                touched.add(id(record))
            elif stored["resolved_at"] != resolved_at:
                stored["resolved_at"] = resolved_at
                if "id" in stored:
                    resolved.append((stored["id"], {"resolved_at": resolved_at}))
                touched.add(id(record))
    insert_rows(session, FLAGS, inserts)
    update_rows(session, FLAGS, resolved)
