"""Keep the state history in step with the current tables.

Whoever changes a tracked state (an enrollment's status or binder payment, a delegation's
status, an enroller's active flag) also sets the matching ``*_changed_at`` column to the
time the change became true. :func:`record_history` then closes each entity's open period
at that time and opens the next one. It is idempotent and cheap when nothing changed (one
set-based query finds the rows whose state differs from their open period), so importers,
the seed and the Daily Summary run call it freely; it is the only writer of the history.

A change is never dated before the period it ends began: history is appended, not rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from store.models import (
    Delegation,
    DelegationPeriod,
    Enroller,
    EnrollerPeriod,
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    HistoryChange,
)

_BATCH = 5000


@dataclass(frozen=True)
class Tracked:
    """One kind of entity whose state is kept as history, declared as data."""

    current: Table
    periods: Table
    key: str  # the periods' column naming the entity
    states: dict[str, str]  # state column -> the current column saying since when
    begins: str  # the current column saying when the entity itself began
    carried: tuple[str, ...] = ()  # fixed columns copied onto every period, for joins
    status_since: str | None = None  # the state whose own start each period remembers
    # The state an entity began in, when its states may have changed since it began.
    began: Callable[[Table], dict[str, ColumnElement[Any]]] | None = None


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _enrollment_began(cur: Table) -> dict[str, ColumnElement[Any]]:
    """An enrollment first seen already changed (a backfill: submitted on the 19th, binder
    paid on the 21st) began pending and unpaid, or effectuated if it is now terminated; the
    sync then adds each change at its own time, so a replay of the 20th sees it unpaid."""
    status_later = cur.c.status_changed_at > cur.c.created_at
    before = case(
        (cur.c.status == EnrollmentStatus.TERMINATED.value, EnrollmentStatus.EFFECTUATED.value),
        else_=EnrollmentStatus.PENDING.value,
    )
    binder_later = cur.c.binder_changed_at > cur.c.created_at
    return {
        "status": case((status_later, before), else_=cur.c.status),
        "binder_paid": case((binder_later, ~cur.c.binder_paid), else_=cur.c.binder_paid),
        "status_since": case((status_later, cur.c.created_at), else_=cur.c.status_changed_at),
    }


ENROLLMENTS = Tracked(
    _table(Enrollment),
    _table(EnrollmentPeriod),
    "enrollment_id",
    {"status": "status_changed_at", "binder_paid": "binder_changed_at"},
    begins="created_at",
    carried=("consumer_id",),
    status_since="status",
    began=_enrollment_began,
)
DELEGATIONS = Tracked(
    _table(Delegation),
    _table(DelegationPeriod),
    "delegation_id",
    {"status": "status_changed_at"},
    begins="status_changed_at",
    carried=("consumer_id", "enroller_id"),
)
ENROLLERS = Tracked(
    _table(Enroller),
    _table(EnrollerPeriod),
    "enroller_id",
    {"active": "active_changed_at"},
    "active_changed_at",
)
TRACKED = (ENROLLMENTS, DELEGATIONS, ENROLLERS)
HISTORY_TABLES = tuple(kind.periods.name for kind in TRACKED)
_QUEUE = _table(HistoryChange)
ANALYZE_AFTER = 10_000  # periods opened at once: PostgreSQL's statistics are then stale


def refresh_statistics(session: Session) -> None:
    """PostgreSQL plans the selectors' joins by its statistics, which a first sync of a large
    book leaves empty until autovacuum comes by (a 1M-consumer run then picked nested loops
    and did not finish in 15 minutes)."""
    if session.get_bind().dialect.name == "postgresql":
        for table in HISTORY_TABLES:
            session.execute(text(f"ANALYZE {table}"))


def record_history(
    session: Session, consumer_ids: Iterable[int] | None = None, kinds: Iterable[Tracked] = TRACKED
) -> int:
    """Bring the history of ``kinds`` up to date (only ``consumer_ids``' enrollments and
    delegations when given); returns how many periods were opened.

    Without ``consumer_ids`` it syncs the entities queued in ``history_changes``: the
    database's triggers queue every entity inserted or whose tracked state is updated,
    whoever wrote it, so a sync never compares the whole book with its history (two full
    passes over 1.2M enrollments and 1M delegations at 1M consumers, on every run)."""
    ids = None if consumer_ids is None else sorted(set(consumer_ids))
    opened = 0
    for kind in kinds:
        if ids is None:
            upto = session.scalar(select(func.max(_QUEUE.c.id)).where(_QUEUE.c.kind == kind.current.name))
            while upto is not None and (taken := _take_queue(session, kind, upto)):
                opened += _sync(session, kind, entity_ids=taken)
        elif "consumer_id" in kind.carried:
            for start in range(0, len(ids), _BATCH):
                opened += _sync(session, kind, consumer_ids=ids[start : start + _BATCH])
    return opened


def _take_queue(session: Session, kind: Tracked, upto: int) -> list[int]:
    """Delete the next ``_BATCH`` of ``kind``'s queued rows up to id ``upto`` and return their
    entities (each once, in order); none when the queue is empty up to there. A delete takes
    exactly the rows committed when it runs (a row committed later is taken by a later batch
    or the next sync), and a rolled-back sync leaves the queue as it was. In batches, so a
    queue of millions (a first sync, a full re-import) never sits in memory at once."""
    batch = (
        select(_QUEUE.c.id)
        .where(_QUEUE.c.kind == kind.current.name, _QUEUE.c.id <= upto)
        .order_by(_QUEUE.c.id)
        .limit(_BATCH)
    )
    taken = delete(_QUEUE).where(_QUEUE.c.id.in_(batch.scalar_subquery())).returning(_QUEUE.c.entity_id)
    return sorted(set(session.scalars(taken)))


def _sync(
    session: Session,
    kind: Tracked,
    consumer_ids: list[int] | None = None,
    entity_ids: list[int] | None = None,
) -> int:
    """Open the first period of new entities in one statement, then page through the changed
    rows by id, writing each page's periods before the next."""
    opened = _open_first_periods(session, kind, consumer_ids, entity_ids)
    after = 0
    while True:
        rows = session.execute(_changed(kind, consumer_ids, entity_ids, after)).all()
        if not rows:
            return opened
        closes: list[dict[str, Any]] = []
        opens: list[dict[str, Any]] = []
        for row in rows:
            _periods(kind, row._mapping, closes, opens)
        _write(session, kind.periods, closes, opens)
        opened += len(opens)
        after = rows[-1].id


def _open_first_periods(
    session: Session, kind: Tracked, consumer_ids: list[int] | None, entity_ids: list[int] | None
) -> int:
    """``INSERT … SELECT`` the first period of every entity that has none yet."""
    cur, per = kind.current, kind.periods
    values: dict[str, ColumnElement[Any]] = {kind.key: cur.c.id, **{c: cur.c[c] for c in kind.carried}}
    values |= {s: cur.c[s] for s in kind.states}
    if kind.status_since:
        values["status_since"] = cur.c[kind.states[kind.status_since]]
    if kind.began:
        values |= kind.began(cur)
    values["valid_from"] = cur.c[kind.begins]
    query = select(*values.values()).where(
        ~exists().where(per.c[kind.key] == cur.c.id, per.c.valid_to.is_(None))
    )
    query = _among(query, cur, consumer_ids, entity_ids)
    result = session.execute(
        insert(per).from_select(list(values), query).execution_options(preserve_rowcount=True)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _write(
    session: Session, periods: Table, closes: list[dict[str, Any]], opens: list[dict[str, Any]]
) -> None:
    if closes:
        session.execute(
            update(periods).where(periods.c.id == bindparam("_id")).values(valid_to=bindparam("_to")),
            closes,
            execution_options={"synchronize_session": False},
        )
    if opens:
        session.execute(insert(periods), opens)


def _among(
    query: Select[Any], cur: Table, consumer_ids: list[int] | None, entity_ids: list[int] | None
) -> Select[Any]:
    """Only ``consumer_ids``' entities, or only ``entity_ids``, when given."""
    if consumer_ids is not None:
        query = query.where(cur.c.consumer_id.in_(consumer_ids))
    if entity_ids is not None:
        query = query.where(cur.c.id.in_(entity_ids))
    return query


def _changed(
    kind: Tracked, consumer_ids: list[int] | None, entity_ids: list[int] | None, after: int
) -> Select[Any]:
    """Current rows (by id, after ``after``) whose state differs from their open period."""
    cur, per = kind.current, kind.periods
    columns: list[ColumnElement[Any]] = [cur.c.id, *(cur.c[c] for c in kind.carried)]
    columns += [cur.c[s] for s in kind.states] + [cur.c[s] for s in kind.states.values()]
    columns += [per.c.id.label("open_id"), per.c.valid_from.label("open_from")]
    columns += [per.c[s].label(f"open_{s}") for s in kind.states]
    if kind.status_since:
        columns.append(per.c.status_since.label("open_since"))
    query = (
        select(*dict.fromkeys(columns))
        .join(per, and_(per.c[kind.key] == cur.c.id, per.c.valid_to.is_(None)))
        .where(cur.c.id > after, or_(*(cur.c[state] != per.c[state] for state in kind.states)))
        .order_by(cur.c.id)
        .limit(_BATCH)
    )
    return _among(query, cur, consumer_ids, entity_ids)


def _periods(kind: Tracked, row: Any, closes: list[dict[str, Any]], opens: list[dict[str, Any]]) -> None:
    """The periods that take ``row`` from its open period to its current state: one per
    change, in the order the changes happened."""
    fixed = {kind.key: row["id"], **{c: row[c] for c in kind.carried}}
    state = {s: row[f"open_{s}"] for s in kind.states}
    since_value = row["open_since"] if kind.status_since else None
    start: datetime = row["open_from"]
    changes = sorted((row[kind.states[s]], s) for s in kind.states if row[s] != state[s])
    for n, (at, column) in enumerate(changes):
        at = max(at, start)
        if n == 0:
            closes.append({"_id": row["open_id"], "_to": at})
        else:
            opens[-1]["valid_to"] = at
        state[column] = row[column]
        if column == kind.status_since:
            since_value = at
        since = {"status_since": since_value} if kind.status_since else {}
        opens.append({**fixed, **state, **since, "valid_from": at, "valid_to": None})
        start = at


def held(start: Any, end: Any, cutoff: datetime) -> ColumnElement[bool]:
    """What began at ``start`` and ends at ``end`` (NULL: not yet) holds just before ``cutoff``:
    a change dated exactly at the cutoff is not yet in effect, as a fact dated then is not yet
    in the book."""
    return and_(start < cutoff, or_(end.is_(None), end >= cutoff))


def in_effect(period: Any, cutoff: datetime) -> ColumnElement[bool]:
    """The history period holds just before ``cutoff``."""
    return held(period.valid_from, period.valid_to, cutoff)
