"""Evaluate every topic for one business date and record what fires in the alert ledger.

A run covers the agencies it claimed (each agency's run starts on its own clock). Each
(topic, calendar) pair is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: the
selector finds the candidates, the policy's condition and period key decide what is due,
and the ledger's unique key makes a second evaluation of the same date add nothing. On
PostgreSQL the SELECT is staged in a temporary table first, where it may run on parallel
workers (:mod:`store.staging`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Insert, Select, func, literal, select, text, true
from sqlalchemy.orm import Session

from rules.topics import DUE_SOON_DAYS, ONE_TIME_LOOKBACK_DAYS, TOPICS, SelectionWindow, Topic
from store.db import insert_ignoring_duplicates
from store.models import Agency, Alert, Enroller
from store.staging import StageSelect, staged
from store.zones import local_midnight

STAGE = "due_alerts"
_LEDGER_COLUMNS = ["topic", "recipient_id", "consumer_id", "event_key", "period_key", "business_date"]


def _among(agency_ids: Collection[int] | None) -> ColumnElement[bool]:
    """Every agency (``None``), or only ``agency_ids``."""
    return true() if agency_ids is None else Agency.id.in_(list(agency_ids))


def calendars(session: Session, agency_ids: Collection[int] | None = None) -> list[str]:
    """The distinct time zones of the agencies: one evaluation per local calendar."""
    zones = select(Agency.time_zone).where(_among(agency_ids)).distinct().order_by(Agency.time_zone)
    return list(session.scalars(zones))


def _agencies(topic: Topic, zone: str, agency_ids: Collection[int] | None) -> Select[int]:
    """The agencies of the calendar whose Daily Summary has ``topic``: bob's own topics only
    where the agency has not turned them off."""
    agencies = select(Agency.id).where(Agency.time_zone == zone, _among(agency_ids))
    return agencies.where(Agency.bob_topics.is_(True)) if topic.bobs_own else agencies


def _due_soon_days(session: Session, agencies: Select[int]) -> tuple[int, ...]:
    """Every day count the agencies alert on before a due date: bob's default for those that
    list none, and each list the others keep (validated "30,15,5,1" when imported)."""
    listed = session.scalars(select(Agency.due_soon_days).where(Agency.id.in_(agencies)).distinct())
    days = set()
    for days_listed in listed:
        words = (days_listed or "").split(",")
        days |= (
            {int(word) for word in words if word.strip().isdecimal()} if days_listed else set(DUE_SOON_DAYS)
        )
    return tuple(sorted(days))


def alerts_statement(
    session: Session, topic: Topic, day: date, zone: str, agency_ids: Collection[int] | None = None
) -> Insert:
    """The topic's ``INSERT … SELECT`` of the alerts due on ``day`` in the calendar ``zone``."""
    return _into_ledger(session, _due(session, topic, day, zone, agency_ids))


def _into_ledger(session: Session, rows: Select[Any]) -> Insert:
    """``INSERT INTO alerts … SELECT rows``, a row already recorded left alone."""
    # preserve_rowcount: psycopg reports -1 for INSERT … SELECT otherwise.
    return (
        insert_ignoring_duplicates(session, Alert)
        .from_select(_LEDGER_COLUMNS, rows)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)
    )


def _due(
    session: Session, topic: Topic, day: date, zone: str, agency_ids: Collection[int] | None
) -> Select[Any]:
    """The ledger rows the topic adds on ``day`` in the calendar ``zone``."""
    agencies = _agencies(topic, zone, agency_ids)
    window = SelectionWindow(
        day=day,
        cutoff=local_midnight(day, ZoneInfo(zone)),
        lookback_start=local_midnight(day - timedelta(days=ONE_TIME_LOOKBACK_DAYS), ZoneInfo(zone)),
        agency_ids=agencies,
        due_soon_days=_due_soon_days(session, agencies) if topic.bobs_own else (),
    )
    candidate = topic.selector(window).subquery("candidate")
    return select(
        literal(topic.name).label("topic"),
        candidate.c.recipient_id,
        candidate.c.consumer_id,
        candidate.c.event_key,
        literal(topic.policy.period_key(day)).label("period_key"),
        literal(day).label("business_date"),
    ).where(topic.policy.due(topic.name, candidate.c, day))


def _record(session: Session, topic: Topic, day: date, zone: str, agency_ids: Collection[int] | None) -> int:
    """Record the topic's alerts of ``day`` in ``zone``; returns how many were new. On
    PostgreSQL the selection is staged first, where it may run in parallel (:mod:`store.staging`)."""
    if session.get_bind().dialect.name != "postgresql":
        return int(session.execute(alerts_statement(session, topic, day, zone, agency_ids)).rowcount)  # type: ignore[attr-defined]
    session.execute(StageSelect(STAGE, _due(session, topic, day, zone, agency_ids)))
    insert = _into_ledger(session, select(*staged(STAGE, _LEDGER_COLUMNS).c))
    added = int(session.execute(insert).rowcount)  # type: ignore[attr-defined]
    session.execute(text(f"DROP TABLE {STAGE}"))
    return added


def record_alerts(
    session: Session,
    day: date,
    topics: Iterable[Topic] = TOPICS,
    agency_ids: Collection[int] | None = None,
) -> dict[str, int]:
    """Insert the alerts due on ``day`` for every topic, for ``agency_ids`` (default: every
    agency); returns new rows per topic."""
    added: dict[str, int] = {}
    zones = calendars(session, agency_ids)
    for topic in topics:
        added[topic.name] = 0
        if not topic.policy.applies_on(day):
            continue
        for zone in zones:
            added[topic.name] += _record(session, topic, day, zone, agency_ids)
    return added


def alerts_by_agency(session: Session, day: date, agency_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """The ledger's alerts of ``day`` per agency and topic, every topic listed: what each
    agency's run recorded (a date's alerts are recorded only by its runs)."""
    counts = {agency_id: {topic.name: 0 for topic in TOPICS} for agency_id in agency_ids}
    query = (
        select(Enroller.agency_id, Alert.topic, func.count())
        .join(Enroller, Enroller.id == Alert.recipient_id)
        .where(Alert.business_date == day, Enroller.agency_id.in_(list(agency_ids)))
        .group_by(Enroller.agency_id, Alert.topic)
    )
    for agency_id, topic, count in session.execute(query):
        counts[agency_id][topic] = count
    return counts
