"""The exports' Prometheus metrics: how many workbooks this process built and how long each
took, by outcome (succeeded or failed) only."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram

EXPORTS = Counter("bob_exports", "Book of Business exports built, by outcome", ["status"])
EXPORT_SECONDS = Histogram(
    "bob_export_seconds",
    "How long an export took to build and encrypt",
    buckets=(0.5, 2, 5, 15, 60, 180, 600),
)


def count_export(status: str, started: float) -> None:
    """One export ended with ``status``; ``started`` is its ``time.monotonic()``."""
    EXPORTS.labels(status).inc()
    EXPORT_SECONDS.observe(time.monotonic() - started)
