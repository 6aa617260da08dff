"""The outbox as gauges, read from the database at each scrape: how many emails wait in each
state and how long the oldest queued one has waited. Read, not counted, so every process
reports the same shared queue."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from store.models import utcnow
from store.outbox import outbox_counts, queue_age


class OutboxGauges(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.sessions() as session:
            counts, age = outbox_counts(session), queue_age(session)
        depth = GaugeMetricFamily("bob_outbox_emails", "Outbox emails in each state", labels=["status"])
        for status, count in counts.items():
            depth.add_metric([status], count)
        yield depth
        oldest = age.oldest_queued_at
        waited = (utcnow() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "bob_outbox_oldest_queued_seconds",
            "How long the oldest queued email has waited (0: none)",
            waited,
        )
