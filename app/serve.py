"""`bob serve`: the scheduler, the Slack bot and the web mailbox in one asyncio process.

Jobs: each agency's Daily Summary at its own local time in its own zone (a tick every
``schedule.catch_up_every_seconds`` runs the agencies whose time has come), the outbox drain every
minute, the digest DM drain (with Slack configured), the weekly Book of Business snapshot
(Friday 21:00), the expiry of old export files, and the nightly purge of what
``[retention]`` lets go (once per business date; on start too, when its hour has passed).
Missed Daily Summaries are caught up by the same tick, on start and after (back to the
first one this database ran, or its first `bob serve`), so a run whose process died is
finished by another. Several `bob serve` processes may share one PostgreSQL database:
the run ledger and the outbox and DM claims keep them from doing any piece of work twice.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from contextlib import AsyncExitStack
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from app.http_server import start_http
from app.interpreter import share_the_interpreter
from app.purge import PurgeJob
from app.runtime import Runtime
from bot.dm_drain import drain_slack_dms
from bot.web_client import web_client
from exports.expiry import expire_exports
from exports.snapshots import take_snapshot
from mailer.metrics import count_drain
from mailer.scheduler import (
    DailySummaryJob,
    ScheduledJob,
    build_scheduler,
    daily_summary_tick,
    daily_trigger,
    weekly_trigger,
)
from mailer.sender import drain_outbox
from mailer.settings import SmtpConfig
from mailer.sink import smtp_or_capture
from mailer.smtp import SessionFault
from ops.alerting import OperatorAlerts
from ops.http import Readiness, ops_app, start_ops_server
from ops.monitor import Monitor
from rules.calendar import business_date
from rules.web_signin import forget_spent_links
from store.db import transaction
from store.errors import BobError
from store.models import Agency, utcnow
from store.rate_limits import forget_ended_windows
from web.sessions import forget_ended_sessions
from web.signin_requests import HOUR as SIGNIN_LIMIT_WINDOW
from web.signin_requests import KEY_PREFIX as SIGNIN_LIMIT_KEYS

log = logging.getLogger(__name__)

EXPORT_EXPIRY_CHECK_SECONDS = 300
WEB_SESSION_CHECK_SECONDS = 300


def operator_monitor(runtime: Runtime) -> Monitor | None:
    """The operators' watch when ``[ops]`` names someone to tell; None otherwise."""
    config = runtime.config
    if not (config.ops.operator_emails or config.ops.alert_slack_channel):
        return None
    alerts = OperatorAlerts(runtime.sessions, config.ops, config.slack, config.smtp.from_address)
    return Monitor(runtime, alerts)


def _snapshot_every_agency(runtime: Runtime) -> int:
    """Freeze each agency's book for today's business date (idempotent per agency and date)."""
    now = utcnow()
    day = business_date(now, runtime.config.schedule.zone)
    with runtime.sessions() as session:
        agency_ids = list(session.scalars(select(Agency.id).order_by(Agency.id)))
    return sum(take_snapshot(runtime.sessions, agency_id, day, now) for agency_id in agency_ids)


def _forget_web_sessions(runtime: Runtime) -> None:
    """Delete ended web sessions, long-spent sign-in links and the ended windows of sign-in
    limits (housekeeping, no business rule)."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        ended = forget_ended_sessions(session, now, runtime.config.web)
        spent = forget_spent_links(session, now)
        forget_ended_windows(session, SIGNIN_LIMIT_KEYS, SIGNIN_LIMIT_WINDOW, now)
    if ended or spent:
        log.info("web: %d ended sessions and %d spent sign-in links deleted", ended, spent)


class ServedJobs:
    """The work `bob serve` does on a schedule; each job logs what it did."""

    def __init__(self, runtime: Runtime, smtp: SmtpConfig) -> None:
        self.runtime = runtime
        self.smtp = smtp
        schedule = runtime.config.schedule
        self.daily = DailySummaryJob(
            runtime.sessions, runtime.delivery, schedule.daily_summary_time, schedule.catch_up_days
        )
        self.purge = PurgeJob(
            runtime.sessions,
            runtime.config.retention,
            schedule.zone,
            timedelta(seconds=schedule.run_lease_seconds),
        )
        self.monitor = operator_monitor(runtime)
        self.slack_client: AsyncWebClient | None = None

    async def start_up(self) -> None:
        """Note the first start on this database, catch up the dates missed since, purge if
        today's purge is due and not done, and run the operators' checks once."""
        await self.daily.start()
        await self.purge.run_if_due()
        if self.monitor is not None:
            await self.monitor.check()

    async def run_due_summaries(self) -> None:
        await self.daily.run_due()

    async def drain(self) -> None:
        try:
            result = await drain_outbox(self.runtime.sessions, self.smtp)
        except SessionFault as fault:
            if self.monitor is not None:
                await self.monitor.smtp_refused(str(fault))
            raise
        count_drain(result)
        if self.monitor is not None:
            await self.monitor.drained(result)
        if result.sent or result.retried or result.failed:
            log.info("outbox: %s", result.summary())

    async def drain_dms(self) -> None:
        """Post the queued digest DMs (with Slack configured; one client, so its pace and
        Retry-After holds span every run)."""
        if self.slack_client is None:
            self.slack_client = web_client(self.runtime.config.slack)
        result = await drain_slack_dms(
            self.runtime.sessions,
            self.slack_client,
            self.runtime.config.slack,
            web_base_url=self.runtime.config.web.base_url,
        )
        if result.sent or result.retried or result.failed:
            log.info("slack DMs: %s", result.summary())

    async def snapshot(self) -> None:
        rows = await asyncio.to_thread(_snapshot_every_agency, self.runtime)
        log.info("weekly snapshot: %d rows frozen", rows)

    async def expire(self) -> None:
        await asyncio.to_thread(expire_exports, self.runtime.sessions, utcnow())

    async def forget_web_sessions(self) -> None:
        await asyncio.to_thread(_forget_web_sessions, self.runtime)

    def _watch(self) -> list[ScheduledJob]:
        """The operators' checks, when ``[ops]`` names someone to tell."""
        if self.monitor is None:
            return []
        every = IntervalTrigger(seconds=self.runtime.config.ops.check_every_seconds)
        return [ScheduledJob("ops_monitor", every, self.monitor.check)]

    def scheduled(self) -> list[ScheduledJob]:
        """Each job with its trigger; the cron ones in ``schedule.time_zone``, the Daily
        Summary's tick in every agency's own."""
        schedule = self.runtime.config.schedule
        zone = schedule.zone
        tick = daily_summary_tick(schedule.catch_up_every_seconds, utcnow())
        return self._watch() + [
            ScheduledJob("daily_summary", tick, self.run_due_summaries, max_instances=2),
            ScheduledJob("outbox_drain", IntervalTrigger(seconds=schedule.outbox_drain_seconds), self.drain),
            ScheduledJob(
                "weekly_snapshot",
                weekly_trigger(schedule.snapshot_day, schedule.snapshot_time, zone),
                self.snapshot,
            ),
            ScheduledJob("expire_exports", IntervalTrigger(seconds=EXPORT_EXPIRY_CHECK_SECONDS), self.expire),
            ScheduledJob("purge", daily_trigger(self.purge.at, zone), self.purge.run_if_due),
            ScheduledJob(
                "forget_web_sessions",
                IntervalTrigger(seconds=WEB_SESSION_CHECK_SECONDS),
                self.forget_web_sessions,
            ),
            *self._slack_jobs(),
        ]

    def _slack_jobs(self) -> list[ScheduledJob]:
        slack = self.runtime.config.slack
        if not slack.bot_token:
            return []
        return [
            ScheduledJob("slack_dm_drain", IntervalTrigger(seconds=slack.dm_drain_seconds), self.drain_dms)
        ]


async def _start_ops(runtime: Runtime, scheduler: AsyncIOScheduler, stack: AsyncExitStack) -> None:
    """Answer /healthz, /readyz and /metrics on ``[ops]``'s address, when a port is set."""
    ops = runtime.config.ops
    if not ops.port:
        return
    readiness = Readiness(runtime.engine, lambda: bool(scheduler.running))
    try:
        url, stop = await start_ops_server(ops_app(readiness, runtime.sessions), ops.host, ops.port)
    except OSError as exc:
        why = "is in use, perhaps by another bob serve" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise BobError(
            f"{ops.host}:{ops.port} {why}: /healthz and /metrics cannot listen there; set ops.port"
        ) from None
    stack.push_async_callback(stop)
    log.info("health and metrics at %s (/healthz, /readyz, /metrics)", url)


async def serve(runtime: Runtime, stop: asyncio.Event, *, with_bot: bool | None = None) -> None:
    """Run until ``stop`` is set. The web pages are always served; the bot starts when Slack
    credentials are configured (or ``with_bot`` says so), and without them bob says so."""
    runtime.require_schema()
    config = runtime.config
    async with AsyncExitStack() as stack:
        smtp, captured_in = stack.enter_context(smtp_or_capture(config.smtp, config.mail.capture_dir))
        if captured_in is not None:
            log.info("smtp.host is empty: emails are captured as .eml files in %s", captured_in)
        jobs = ServedJobs(runtime, smtp)
        scheduler = build_scheduler(jobs.scheduled(), config.schedule.zone)
        scheduler.start()
        stack.callback(scheduler.shutdown, wait=False)
        await _start_ops(runtime, scheduler, stack)
        schedule = config.schedule
        log.info(
            "bob serve started: each agency's Daily Summary at its own time in its own zone "
            "(%s where it set none), checked every %d s, catch-up over %d days",
            schedule.daily_summary_at,
            schedule.catch_up_every_seconds,
            schedule.catch_up_days,
        )

        wants_bot = bool(config.slack.bot_token) if with_bot is None else with_bot
        if not wants_bot:
            log.info(
                "Slack is not configured (BOB_SLACK_BOT_TOKEN): running the mailer and the web pages only"
            )
        await start_http(runtime, stack, with_bot=wants_bot)
        share_the_interpreter()

        await jobs.start_up()
        try:
            await jobs.drain()
        except SessionFault as fault:  # the server's or the settings': keep serving, drain again later
            log.error("outbox drain on start failed: %s", fault)
        log.info("start-up done: missed dates caught up, outbox drained")
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
