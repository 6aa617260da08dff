"""The ``[ops]`` settings, owned by ops and read into it by app.config: where `bob serve`
answers ``/healthz``, ``/readyz`` and ``/metrics``, apart from the Slack/web port."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpsConfig:
    # Off (0) unless set: several `bob serve` processes on one machine each need their own.
    port: int = field(default=0, metadata={"min": 0, "max": 65535})
    host: str = "127.0.0.1"
