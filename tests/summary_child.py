"""Run one Daily Summary in a child process, optionally dying (os._exit) at a chosen step.

Used by the crash and concurrency tests: a process that vanishes mid-run is what a power
cut or SIGKILL looks like to the database.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from typing import Any

import mailer.daily_summary as daily
from store.db import make_engine, session_factory


def die(*_args: Any, **_kwargs: Any) -> None:
    os._exit(17)


def main(url: str, day: str, crash_at: str, batch: str) -> None:
    daily.BATCH = int(batch)
    hook = None
    if crash_at == "after_alerts":
        daily.digests_for = die  # type: ignore[assignment]
    elif crash_at.startswith("after_batch_"):
        limit = int(crash_at.rsplit("_", 1)[1]) * int(batch)
        hook = lambda written: die() if written >= limit else None  # noqa: E731
    elif crash_at == "mid_batch":
        calls = {"n": 0}
        real = daily.queue_emails

        def queue_then_die(*args: Any, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                die()
            real(*args, **kwargs)

        daily.queue_emails = queue_then_die  # type: ignore[assignment]
    elif crash_at == "before_finish":
        daily.finish = die  # type: ignore[assignment]
    settings = daily.DeliverySettings(
        from_address="bob@agency.test",
        mailbox_hint="Use /bob mailbox.",
        include_pii_in_email=False,
        lease=timedelta(minutes=15),
        web_base_url="",
        unsubscribe_secret="",
        unsubscribe_address="",
    )
    result = daily.run_daily_summary(
        session_factory(make_engine(url)), date.fromisoformat(day), settings, after_batch=hook
    )
    print(result.digests, result.ran)


if __name__ == "__main__":
    main(*sys.argv[1:5])
