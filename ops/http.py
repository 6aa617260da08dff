"""`bob serve`'s operations endpoints on their own address (``[ops]``), apart from Slack's:

* ``/healthz``: the process is up (200, always, while it serves).
* ``/readyz``: the database answers, its schema is the newest, and the scheduler runs (200);
  else 503 with one line per failed part. A load balancer or orchestrator reads it.
* ``/metrics``: Prometheus text: the counters and histograms of this process
  (``mailer.metrics``, ``exports.metrics``, ``bot.metrics``) plus the outbox gauges, read
  from the database at each scrape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ops.outbox_gauges import OutboxGauges
from ops.schema import schema_is_current

READY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Readiness:
    engine: Engine
    scheduler_running: Callable[[], bool]

    def problems(self) -> list[str]:
        """What keeps bob from being ready, one short line each (no URL, no password)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current = schema_is_current(self.engine)
        except Exception as exc:  # any driver error: unreachable, dropped, refused
            return [f"database: unreachable ({type(exc).__name__})"]
        found = [] if current else ["schema: not the newest; run `bob db upgrade`"]
        return found + ([] if self.scheduler_running() else ["scheduler: not running"])


def ops_app(readiness: Readiness, sessions: sessionmaker[Session]) -> web.Application:
    outbox = CollectorRegistry(auto_describe=True)
    outbox.register(OutboxGauges(sessions))

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(request: web.Request) -> web.Response:
        try:
            problems = await asyncio.wait_for(asyncio.to_thread(readiness.problems), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            problems = [f"database: no answer within {READY_TIMEOUT_SECONDS:g}s"]
        if problems:
            return web.Response(status=503, text="".join(f"{line}\n" for line in problems))
        return web.Response(text="ready\n")

    async def metrics(request: web.Request) -> web.Response:
        def scrape() -> bytes:
            try:
                gauges = generate_latest(outbox)
            except Exception:  # the database is away: the process's own metrics still count
                gauges = b""
            return generate_latest(REGISTRY) + gauges

        body = await asyncio.to_thread(scrape)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_ops_server(
    app: web.Application, host: str, port: int
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """Listen on ``host:port``; returns the base URL and the coroutine function that stops it."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    return f"http://{bound_host}:{bound_port}", runner.cleanup
