"""Operator commands: `bob runs` (the run ledger) and `bob doctor` (is every part bob needs
set up and reachable?). Heavy imports stay inside the handlers, so `bob --help` stays fast."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli_core import at_least
from app.runtime import Runtime


def register(commands: Any) -> None:
    runs = commands.add_parser(
        "runs",
        help="the run ledger: each scheduled run, its state, digests and the process that ran it",
    )
    runs.add_argument("--job", help="only this job (daily_summary, purge, serve)")
    runs.add_argument("--limit", type=at_least(1), default=30, help="at most this many (default 30)")
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.set_defaults(handler=show_runs)
    doctor = commands.add_parser(
        "doctor",
        help="check config, database schema, SMTP, Slack, disk and file permissions; sends nothing",
        description="One line per check, ok or FAIL with the fix. Exit status 1 when any check fails.",
    )
    doctor.set_defaults(handler=doctor_checks)


def show_runs(runtime: Runtime, args: argparse.Namespace) -> None:
    from app.cli_core import print_listing
    from store.runs import RunEntry, recent_runs

    runtime.require_schema()
    zone = runtime.config.schedule.zone
    with runtime.sessions() as session:
        rows = recent_runs(session, args.limit, args.job)

    def line(run: RunEntry) -> str:
        started = f"{run.started_at.astimezone(zone):%m-%d %H:%M}"
        finished = f"{run.finished_at.astimezone(zone):%m-%d %H:%M}" if run.finished_at else "-"
        digests = "-" if run.digests is None else str(run.digests)
        problem = f"  error: {run.error}" if run.error else ""
        return (
            f"{run.job:<14} {run.run_key:<12} {run.state:<8} started {started}  finished {finished:<11}"
            f" digests {digests:<7} attempts {run.attempts}  by {run.ran_by}{problem}"
        )

    print_listing(rows, args.json, RunEntry.as_dict, line, "no runs recorded yet")
    if rows and not args.json:
        print(f"times in {runtime.config.schedule.time_zone}; a Daily Summary run covers every agency")


def doctor_checks(runtime: Runtime, args: argparse.Namespace) -> int:
    import asyncio

    from ops.checks import passed
    from ops.doctor import all_checks

    where = args.config or "defaults (no config file), $BOB_CONFIG or ./bob.toml"
    checks = [passed("config", f"read from {where}"), *asyncio.run(all_checks(runtime))]
    for check in checks:
        print(check.line())
    failures = sum(not check.ok for check in checks)
    print(f"{failures} of {len(checks)} checks failed" if failures else f"all {len(checks)} checks passed")
    return 1 if failures else 0
