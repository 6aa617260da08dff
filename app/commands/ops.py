"""What `bob runs` and `bob doctor` do (their arguments: :mod:`app.cli_ops`)."""

from __future__ import annotations

import argparse
import asyncio

from app.commands.core import print_listing
from app.runtime import Runtime
from mailer.daily_summary import JOB as DAILY_SUMMARY
from ops.checks import passed
from ops.doctor import all_checks
from store.runs import RunEntry, recent_runs


def show_runs(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    zone = runtime.config.schedule.zone
    with runtime.sessions() as session:
        rows = recent_runs(session, args.limit, args.job)

    def line(run: RunEntry) -> str:
        started = f"{run.started_at.astimezone(zone):%m-%d %H:%M}"
        finished = f"{run.finished_at.astimezone(zone):%m-%d %H:%M}" if run.finished_at else "-"
        digests = "-" if run.digests is None else str(run.digests)
        problem = f"  error: {run.error}" if run.error else ""
        agency = _cell(run.agency or ("every agency" if run.job == DAILY_SUMMARY else "-"), 24)
        return (
            f"{run.job:<14} {run.run_key:<12} {agency:<24} {run.state:<8} started {started}"
            f"  finished {finished:<11} digests {digests:<7} attempts {run.attempts}"
            f"  by {run.ran_by}{problem}"
        )

    print_listing(rows, args.json, RunEntry.as_dict, line, "no runs recorded yet")
    if rows and not args.json:
        print(
            f"times in {runtime.config.schedule.time_zone}; a Daily Summary runs per agency, "
            "on the agency's own clock"
        )


def _cell(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters (an agency's name may be long), so columns line up."""
    return text if len(text) <= width else text[: width - 1] + "…"


def doctor_checks(runtime: Runtime, args: argparse.Namespace) -> int:
    where = args.config or "defaults (no config file), $BOB_CONFIG or ./bob.toml"
    checks = [passed("config", f"read from {where}"), *asyncio.run(all_checks(runtime))]
    for check in checks:
        print(check.line())
    failures = sum(not check.ok for check in checks)
    print(f"{failures} of {len(checks)} checks failed" if failures else f"all {len(checks)} checks passed")
    return 1 if failures else 0
