"""What `bob summary run` does (its arguments: :mod:`app.cli_core`): the Daily Summary of one
business date, or of a range of dates in order, by hand.

A date already done is answered from one read of the run ledger before anything else is
loaded: the run's rules, its templates (Jinja) and the progress bar (rich) are imported only
for a date that runs, so re-running a done date costs little more than opening the store.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from datetime import date

from app.runtime import Runtime
from mailer.run_ledger import finished
from mailer.run_result import JOB, RunResult
from mailer.summary_dates import check_business_date
from rules.calendar import business_date, days
from store.errors import BobError
from store.models import utcnow


def summary_run(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    if args.first is not None or args.last is not None:
        summary_range(runtime, args)
        return
    day = args.date or business_date(utcnow(), runtime.config.schedule.zone)
    _check_date(runtime, day, args.allow_old)
    if finished(runtime.sessions, JOB, day.isoformat()):
        done = RunResult(day, ran=False)
        print(done.preview() if args.dry_run else done.summary())
        return
    from app.progress import progress_bar

    with progress_bar("writing digests", "digests") as bar:
        result = _run_date(runtime, day, dry_run=args.dry_run, after_batch=bar.reach)
    print(result.preview() if args.dry_run else result.summary())


def summary_range(runtime: Runtime, args: argparse.Namespace) -> None:
    """Every date from ``--from`` to ``--to``, in order, one line each; each date is checked
    before the first runs, so a bad range writes nothing."""
    from app.progress import progress_bar
    from mailer.daily_summary import run_daily_summary
    from mailer.dry_run import preview_daily_summaries

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


def _run_date(runtime: Runtime, day: date, *, dry_run: bool, after_batch: Callable[[int], None]) -> RunResult:
    """Run the Daily Summary of ``day`` (checked already), or preview it (``dry_run``:
    nothing stored or sent)."""
    if dry_run:
        from mailer.dry_run import preview_daily_summary

        return preview_daily_summary(runtime.engine, day, runtime.delivery)
    from mailer.daily_summary import run_daily_summary

    return run_daily_summary(runtime.sessions, day, runtime.delivery, after_batch=after_batch)
