"""The mailer's Prometheus metrics: what scheduled runs and outbox drains did in this process.

Labels are bounded sets bob chooses (a topic's name, an outcome, a job's name), never a person,
an address or a case. `bob serve` exposes them at ``/metrics`` (``ops.http``).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from mailer.daily_summary import RunResult
from mailer.sender import DrainResult

DIGESTS_WRITTEN = Counter("bob_digests_written", "Digests written to mailboxes (and queued as email)")
ALERTS = Counter("bob_alerts", "New alerts recorded by Daily Summary runs", ["topic"])
EMAILS = Counter("bob_emails", "Outbox emails by what their attempt ended in", ["outcome"])
RUN_SECONDS = Histogram(
    "bob_run_seconds",
    "How long a scheduled job took",
    ["job"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
)

DAILY_SUMMARY_SECONDS = Histogram(
    "bob_daily_summary_seconds",
    "How long one Daily Summary run took (one business date, the agencies due together)",
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)


def count_daily_summary(result: RunResult, seconds: float) -> None:
    """One business date's run; a date already done (``ran`` false) counts nothing."""
    if not result.ran:
        return
    DAILY_SUMMARY_SECONDS.observe(seconds)
    DIGESTS_WRITTEN.inc(result.digests)
    for topic, count in result.alerts.items():
        ALERTS.labels(topic).inc(count)


def count_drain(result: DrainResult) -> None:
    EMAILS.labels("sent").inc(result.sent)
    EMAILS.labels("failed").inc(result.failed)
    EMAILS.labels("retried").inc(result.retried)
