"""Evaluate every topic for one business date and record what fires in the alert ledger.

Each (topic, calendar) pair is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: the
selector finds the candidates, the policy's condition and period key decide what is due,
and the ledger's unique key makes a second evaluation of the same date add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Select, literal, select
from sqlalchemy.orm import Session

from rules.topics import ONE_TIME_LOOKBACK_DAYS, TOPICS, SelectionWindow, Topic
from store.db import insert_ignoring_duplicates
from store.models import Agency, Alert
from store.zones import local_midnight

_LEDGER_COLUMNS = ["topic", "recipient_id", "consumer_id", "event_key", "period_key", "business_date"]


def calendars(session: Session) -> list[str]:
    """The distinct agency time zones: one evaluation per local calendar."""
    return list(session.scalars(select(Agency.time_zone).distinct().order_by(Agency.time_zone)))


def _agencies(topic: Topic, zone: str) -> Select[int]:
    """The agencies of the calendar whose Daily Summary has ``topic``: bob's own topics only
    where the agency has not turned them off."""
    agencies = select(Agency.id).where(Agency.time_zone == zone)
    return agencies.where(Agency.bob_topics.is_(True)) if topic.bobs_own else agencies


def alerts_statement(session: Session, topic: Topic, day: date, zone: str) -> Insert:
    window = SelectionWindow(
        day=day,
        cutoff=local_midnight(day, ZoneInfo(zone)),
        lookback_start=local_midnight(day - timedelta(days=ONE_TIME_LOOKBACK_DAYS), ZoneInfo(zone)),
        agency_ids=_agencies(topic, zone),
    )
    candidate = topic.selector(window).subquery("candidate")
    due = select(
        literal(topic.name).label("topic"),
        candidate.c.recipient_id,
        candidate.c.consumer_id,
        candidate.c.event_key,
        literal(topic.policy.period_key(day)).label("period_key"),
        literal(day).label("business_date"),
    ).where(topic.policy.due(topic.name, candidate.c, day))
    insert = insert_ignoring_duplicates(session, Alert)
    # preserve_rowcount: psycopg reports -1 for INSERT … SELECT otherwise.
    return (
        insert.from_select(_LEDGER_COLUMNS, due)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)
    )


def record_alerts(session: Session, day: date, topics: Iterable[Topic] = TOPICS) -> dict[str, int]:
    """Insert the alerts due on ``day`` for every topic; returns new rows per topic."""
    added: dict[str, int] = {}
    zones = calendars(session)
    for topic in topics:
        added[topic.name] = 0
        if not topic.policy.applies_on(day):
            continue
        for zone in zones:
            result = session.execute(alerts_statement(session, topic, day, zone))
            added[topic.name] += result.rowcount  # type: ignore[attr-defined]
    return added
