"""What the core commands do: `bob summary run`, `bob mailbox …` (their arguments:
:mod:`app.cli_core`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from app.progress import progress_bar
from app.read_audit import cli_via, record_cli_read
from app.runtime import Runtime
from mailer.daily_summary import RunResult, run_daily_summary
from mailer.dry_run import preview_daily_summaries, preview_daily_summary
from mailer.summary_dates import check_business_date
from rules.calendar import business_date, days
from rules.mailbox import mailbox_listing, open_message
from rules.people import enroller_on_file
from store.errors import BobError
from store.mailbox import MailboxEntry
from store.models import utcnow

T = TypeVar("T")


def actor_id(runtime: Runtime, who: str, *, acting: bool = True) -> int:
    """The enroller a command acts as (``--as``), or whose mailbox it reads (``acting=False``);
    unknown, or inactive and acting, is a one-line error (the rules' own answer to an
    inactive actor, "link your account", is chat's)."""
    runtime.require_schema()
    with runtime.sessions() as session:
        enroller = enroller_on_file(session, who)
        if acting and not enroller.active:
            raise BobError("that enroller is not active; ask your agency manager to reactivate them")
        return enroller.id


def print_listing(
    rows: Sequence[T], as_json: bool, row_json: Callable[[T], Any], line: Callable[[T], str], empty: str
) -> None:
    """A listing command's output: the rows as a JSON list, or one line per row (``empty``
    when there are none)."""
    if as_json:
        print(json.dumps([row_json(row) for row in rows], indent=2))
        return
    if not rows:
        print(empty)
    for row in rows:
        print(line(row))


def summary_run(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    if args.first is not None or args.last is not None:
        summary_range(runtime, args)
        return
    day = args.date or business_date(utcnow(), runtime.config.schedule.zone)
    with progress_bar("writing digests", "digests") as bar:
        result = summary_for_date(
            runtime, day, allow_old=args.allow_old, dry_run=args.dry_run, after_batch=bar.reach
        )
    print(result.preview() if args.dry_run else result.summary())


def summary_range(runtime: Runtime, args: argparse.Namespace) -> None:
    """Every date from ``--from`` to ``--to``, in order, one line each; each date is checked
    before the first runs, so a bad range writes nothing."""
    if args.first is None or args.last is None or args.first > args.last:
        raise BobError("give a range as --from D1 --to D2 with D1 on or before D2")
    dates = days(args.first, args.last)
    for day in (dates[0], dates[-1]):
        _check_date(runtime, day, args.allow_old)
    if args.dry_run:
        results: Iterable[RunResult] = preview_daily_summaries(runtime.engine, dates, runtime.delivery)
    else:
        results = (run_daily_summary(runtime.sessions, day, runtime.delivery) for day in dates)
    with progress_bar("running dates", "dates", len(dates)) as bar:
        for result in results:
            bar.advance(1)
            print(result.preview() if args.dry_run else result.summary())


def _check_date(runtime: Runtime, day: date, allow_old: bool) -> None:
    schedule = runtime.config.schedule
    today = business_date(utcnow(), schedule.zone)
    check_business_date(day, today, schedule.time_zone, schedule.max_back_days, allow_old=allow_old)


def summary_for_date(
    runtime: Runtime,
    day: date,
    *,
    allow_old: bool = False,
    dry_run: bool = False,
    after_batch: Callable[[int], None] | None = None,
) -> RunResult:
    """The Daily Summary of one business date by hand: refused when the date is implausible,
    else previewed (``dry_run``: nothing stored or sent) or run."""
    _check_date(runtime, day, allow_old)
    if dry_run:
        return preview_daily_summary(runtime.engine, day, runtime.delivery)
    return run_daily_summary(runtime.sessions, day, runtime.delivery, after_batch=after_batch)


def mailbox_list(runtime: Runtime, args: argparse.Namespace) -> None:
    reader = actor_id(runtime, args.enroller, acting=False)
    rows = mailbox_listing(runtime.sessions, reader, utcnow(), limit=args.limit)
    record_cli_read(runtime, reader, "mailbox.list", "own")
    print_listing(rows, args.json, MailboxEntry.as_dict, _mailbox_line, "the mailbox is empty")


def _mailbox_line(row: MailboxEntry) -> str:
    unread = " " if row.read_at else "*"
    return f"{row.id:>8} {unread} {row.business_date}  {row.subject}  ({row.alert_count} alerts)"


def mailbox_show(runtime: Runtime, args: argparse.Namespace) -> None:
    reader = actor_id(runtime, args.enroller, acting=False)
    message = open_message(runtime.sessions, reader, args.message_id, utcnow(), cli_via())
    record_cli_read(runtime, reader, "mailbox.read", f"message:{args.message_id}")
    payload = {
        **message.as_dict(),
        "alerts": message.alerts,
        "body_text": message.body_text,
        "body_html": message.body_html,
    }
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        print(payload["body_html"] if args.html else payload["body_text"])
