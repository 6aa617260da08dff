"""Consumer Retention Workspace metrics: the portal's tiles, computed set-based in SQL.

Tiles: open cases, open cases by priority (risk 1 Very Low … 5 Very High), aging of open
cases (<7, <30, <45, <60 days, older), all cases by reason, and average resolution time.
Each is one grouped query for every enroller or every agency at once, so a manager roll-up
over hundreds of enrollers costs the same few queries as one enroller's tiles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from rules.crw_words import RISK_LABELS
from store.models import CrwCase, CrwStatus, Enroller

# (upper bound in days, label); None is the open-ended last bucket.
AGING_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (7, "<7 days"),
    (30, "<30 days"),
    (45, "<45 days"),
    (60, "<60 days"),
    (None, "60+ days"),
)
AGING_THRESHOLDS = tuple(days for days, _ in AGING_BUCKETS if days is not None)

AnySelect = Select[*tuple[Any, ...]]
GroupBy = Literal["enroller", "agency"]


@dataclass
class CrwTiles:
    open_cases: int = 0
    open_by_risk: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RISK_LABELS, 0))
    aging: dict[str, int] = field(default_factory=lambda: {label: 0 for _, label in AGING_BUCKETS})
    by_reason: dict[str, int] = field(default_factory=dict)
    closed_cases: int = 0
    average_resolution_days: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "open_cases": self.open_cases,
            "open_by_risk": [
                {"risk": risk, "label": RISK_LABELS[risk], "count": n}
                for risk, n in self.open_by_risk.items()
            ],
            "aging": [{"bucket": label, "count": n} for label, n in self.aging.items()],
            "by_reason": [{"reason": r, "count": n} for r, n in sorted(self.by_reason.items())],
            "closed_cases": self.closed_cases,
            "average_resolution_days": self.average_resolution_days,
        }


def _group_column(group_by: GroupBy) -> ColumnElement[int] | InstrumentedAttribute[int]:
    return Enroller.agency_id if group_by == "agency" else CrwCase.assigned_enroller_id


def _scoped(query: AnySelect, group_by: GroupBy, ids: Iterable[int] | None) -> AnySelect:
    query = query.join(Enroller, Enroller.id == CrwCase.assigned_enroller_id)
    if ids is not None:
        query = query.where(_group_column(group_by).in_(list(ids)))
    return query


def _aging_label(as_of: datetime) -> ColumnElement[str]:
    """The bucket of an open case's age at ``as_of``, as a CASE over opened_at (no date math
    in SQL, so SQLite and PostgreSQL agree)."""
    whens = [
        (CrwCase.opened_at > as_of - timedelta(days=days), label)
        for days, label in AGING_BUCKETS
        if days is not None
    ]
    return case(*whens, else_=AGING_BUCKETS[-1][1])


def _duration_days(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def crw_tiles(
    session: Session, as_of: datetime, group_by: GroupBy = "enroller", ids: Iterable[int] | None = None
) -> dict[int, CrwTiles]:
    """Tiles for each enroller (or agency) with CRW cases, keyed by its id."""
    ids = None if ids is None else list(ids)
    group = _group_column(group_by).label("owner")
    tiles: dict[int, CrwTiles] = defaultdict(CrwTiles)
    is_open = CrwCase.status != CrwStatus.CLOSED
    started = CrwCase.opened_at <= as_of

    open_rows = session.execute(
        _scoped(select(group, CrwCase.risk, _aging_label(as_of).label("bucket"), func.count()), group_by, ids)
        .where(is_open, started)
        .group_by(group, CrwCase.risk, "bucket")
    )
    for owner, risk, bucket, n in open_rows:
        tile = tiles[owner]
        tile.open_cases += n
        tile.open_by_risk[risk] = tile.open_by_risk.get(risk, 0) + n
        tile.aging[bucket] += n

    for owner, reason, n in session.execute(
        _scoped(select(group, CrwCase.reason, func.count()), group_by, ids)
        .where(started)
        .group_by(group, CrwCase.reason)
    ):
        tiles[owner].by_reason[reason] = n

    closed = CrwCase.status == CrwStatus.CLOSED
    duration = _duration_days(session, CrwCase.opened_at, CrwCase.closed_at)
    for owner, n, average in session.execute(
        _scoped(select(group, func.count(), func.avg(duration)), group_by, ids)
        .where(closed, CrwCase.closed_at <= as_of)
        .group_by(group)
    ):
        tiles[owner].closed_cases = n
        tiles[owner].average_resolution_days = round(float(average), 1) if average is not None else None
    return dict(tiles)


@dataclass(frozen=True)
class CrwEvent:
    """Something for an enroller's Daily Summary: a new case, or a case growing older."""

    assignee_id: int
    case_number: str
    risk: int
    reason: str
    what: str


def crw_events(session: Session, cutoff: datetime, agency_ids: Iterable[int] | None = None) -> list[CrwEvent]:
    """Open cases assigned during the business day before ``cutoff``, and open cases whose
    age crossed 7, 30, 45 or 60 days during it; one query, ordered by assignee."""
    window_start = cutoff - timedelta(days=1)
    crossed = [
        (
            (CrwCase.opened_at <= cutoff - timedelta(days=days))
            & (CrwCase.opened_at > window_start - timedelta(days=days)),
            f"open {days} days",
        )
        for days in reversed(AGING_THRESHOLDS)
    ]
    newly_assigned = (CrwCase.assigned_at < cutoff) & (CrwCase.assigned_at >= window_start)
    what = case((newly_assigned, "newly assigned"), *crossed, else_=None).label("what")
    query = (
        select(CrwCase.assigned_enroller_id, CrwCase.case_number, CrwCase.risk, CrwCase.reason, what)
        .where(CrwCase.status != CrwStatus.CLOSED, what.is_not(None))
        .order_by(CrwCase.assigned_enroller_id, CrwCase.risk.desc(), CrwCase.case_number)
    )
    if agency_ids is not None:
        query = query.join(Enroller, Enroller.id == CrwCase.assigned_enroller_id).where(
            Enroller.agency_id.in_(list(agency_ids))
        )
    return [CrwEvent(*row) for row in session.execute(query)]
