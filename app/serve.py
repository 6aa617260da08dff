"""`bob serve`: the scheduler and the Slack bot in one asyncio process.

Jobs (all in the agency time zone): the Daily Summary each morning, the outbox drain every
minute, the weekly Book of Business snapshot (Friday 21:00), and the expiry of old export
files. Missed Daily Summaries are caught up on start and re-checked every few minutes, so a run
whose process died is finished by another. Several `bob serve` processes may share
one PostgreSQL database: the run ledger and the outbox claims keep them from doing any
piece of work twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from app.runtime import Runtime
from bot.app import start_bot
from bot.deps import BotDeps, BotSettings
from exports.expiry import expire_exports
from exports.snapshots import take_snapshot
from mailer.scheduler import (
    DailySummaryJob,
    ScheduledJob,
    build_scheduler,
    daily_trigger,
    weekly_trigger,
)
from mailer.sender import drain_outbox
from mailer.sink import smtp_or_capture
from rules.calendar import business_date
from store.models import Agency, utcnow

log = logging.getLogger(__name__)

EXPORT_EXPIRY_CHECK_SECONDS = 300


def bot_deps(runtime: Runtime) -> BotDeps:
    config = runtime.config
    return BotDeps(
        runtime.sessions,
        BotSettings(
            bot_token=config.slack.bot_token,
            signing_secret=config.slack.signing_secret,
            app_token=config.slack.app_token,
            api_base_url=config.slack.api_base_url,
            host=config.slack.host,
            port=config.slack.port,
            password_delivery=config.exports.password_delivery,
            from_address=config.smtp.from_address,
            time_zone=config.schedule.time_zone,
        ),
        exports_config=config.exports,
    )


def _snapshot_every_agency(runtime: Runtime) -> int:
    """Freeze each agency's book for today's business date (idempotent per agency and date)."""
    now = utcnow()
    day = business_date(now, runtime.config.schedule.zone)
    with runtime.sessions() as session:
        agency_ids = list(session.scalars(select(Agency.id).order_by(Agency.id)))
    return sum(take_snapshot(runtime.sessions, agency_id, day, now) for agency_id in agency_ids)


async def serve(runtime: Runtime, stop: asyncio.Event, *, with_bot: bool | None = None) -> None:
    """Run until ``stop`` is set. The bot starts when Slack credentials are configured (or
    ``with_bot`` says so); without them bob runs as a mailer only and says so."""
    runtime.require_schema()
    config = runtime.config
    schedule = config.schedule
    zone = schedule.zone
    daily = DailySummaryJob(
        runtime.sessions, runtime.delivery, zone, schedule.daily_summary_time, schedule.catch_up_days
    )
    async with AsyncExitStack() as stack:
        smtp, captured_in = stack.enter_context(smtp_or_capture(config.smtp, config.mail.capture_dir))
        if captured_in is not None:
            log.warning("smtp.host is empty: emails are captured as .eml files in %s", captured_in)

        async def catch_up() -> None:
            for result in await daily.catch_up():
                if result.ran:
                    log.warning("caught up: %s", result.summary())

        async def drain() -> None:
            result = await drain_outbox(runtime.sessions, smtp)
            if result.sent or result.retried or result.failed:
                log.info("outbox: %s", result.summary())

        async def snapshot() -> None:
            rows = await asyncio.to_thread(_snapshot_every_agency, runtime)
            log.info("weekly snapshot: %d rows frozen", rows)

        async def expire() -> None:
            await asyncio.to_thread(expire_exports, runtime.sessions, utcnow())

        weekly = weekly_trigger(schedule.snapshot_day, schedule.snapshot_time, zone)
        jobs = [
            ScheduledJob("daily_summary", daily_trigger(schedule.daily_summary_time, zone), daily.run_today),
            ScheduledJob("catch_up", IntervalTrigger(seconds=schedule.catch_up_every_seconds), catch_up),
            ScheduledJob("outbox_drain", IntervalTrigger(seconds=schedule.outbox_drain_seconds), drain),
            ScheduledJob("weekly_snapshot", weekly, snapshot),
            ScheduledJob("expire_exports", IntervalTrigger(seconds=EXPORT_EXPIRY_CHECK_SECONDS), expire),
        ]
        scheduler = build_scheduler(jobs, zone)
        scheduler.start()
        stack.callback(scheduler.shutdown, wait=False)

        wants_bot = with_bot if with_bot is not None else bool(config.slack.bot_token)
        if wants_bot:
            bot = await start_bot(bot_deps(runtime))
            stack.push_async_callback(bot.stop)
            log.warning("Slack bot listening at %s", bot.url or "Socket Mode")
        else:
            log.warning("Slack is not configured (BOB_SLACK_BOT_TOKEN): running the mailer only")

        await catch_up()
        await drain()
        await stop.wait()


def run_forever(runtime: Runtime) -> None:
    """Serve until SIGINT or SIGTERM, then shut down cleanly."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(runtime, stop)

    asyncio.run(main())
