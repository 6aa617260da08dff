"""Operator commands: `bob runs` (the run ledger) and `bob doctor` (is every part bob needs
set up and reachable?). What they do: :mod:`app.commands.ops`."""

from __future__ import annotations

from typing import Any

from app.arguments import at_least


def register(commands: Any) -> None:
    runs = commands.add_parser(
        "runs",
        help="the run ledger: each scheduled run, its state, digests and the process that ran it",
    )
    runs.add_argument("--job", help="only this job (daily_summary, purge, serve)")
    runs.add_argument("--limit", type=at_least(1), default=30, help="at most this many (default 30)")
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.set_defaults(handler="app.commands.ops:show_runs")
    doctor = commands.add_parser(
        "doctor",
        help="check config, database schema, SMTP, Slack, disk and file permissions; sends nothing",
        description="One line per check, ok or FAIL with the fix. Exit status 1 when any check fails.",
    )
    doctor.set_defaults(handler="app.commands.ops:doctor_checks")
