"""A `bob serve`'s Daily Summary tick in a child process, on a clock the test drives.

The test writes one aware instant (ISO 8601) per line; the child pins its clock there, runs
one tick (:meth:`mailer.scheduler.DailySummaryJob.run_due`) and answers ``ok`` with the
number of business dates it ran. Two children fed the same instants are two processes whose
ticks fire together, as two `bob serve` processes' do, racing for every claim.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, time, timedelta, tzinfo

import store.models.base
from mailer.daily_summary import DeliverySettings
from mailer.scheduler import DailySummaryJob
from store.db import make_engine, session_factory

moment = [datetime.now(UTC)]


class PinnedClock(datetime):
    """What ``store.models.utcnow()`` reads: the instant the test sent last."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return moment[0].astimezone(tz or UTC)


async def main(url: str, look_back_days: str) -> None:
    store.models.base.datetime = PinnedClock  # type: ignore[misc]
    settings = DeliverySettings(
        from_address="bob@agency.test",
        mailbox_hint="Use /bob mailbox.",
        include_pii_in_email=False,
        lease=timedelta(minutes=15),
        web_base_url="",
        unsubscribe_secret="",
        unsubscribe_address="",
    )
    engine = make_engine(url)
    job = DailySummaryJob(session_factory(engine), settings, time(6, 0), int(look_back_days))
    for line in sys.stdin:
        moment[0] = datetime.fromisoformat(line.strip())
        ran = [result for result in await job.run_due() if result.ran]
        print(f"ok {len(ran)}", flush=True)
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
