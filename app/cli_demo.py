"""`bob demo`: a synthetic agency on SQLite, its Daily Summaries and their email captured
locally (what it does: :mod:`app.commands.demo`)."""

from __future__ import annotations

from typing import Any

from app.arguments import at_least


def register(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="build a demo agency on SQLite, run the Daily Summary and capture its email locally",
        description="Builds a fresh demo database at var/demo.db (replacing the last one), "
        "runs the Daily Summary for the last few business dates, and drains the outbox "
        "into a local capture SMTP server that writes .eml files. Needs no Slack and no SMTP.",
    )
    demo.add_argument("--agencies", type=at_least(1), default=2)
    demo.add_argument("--consumers", type=at_least(1), default=1500)
    demo.add_argument("--days", type=at_least(1), default=3, help="business dates to run, ending today")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument(
        "--serve",
        action="store_true",
        help="then serve the web mailbox (and the scheduler, mail captured) until Ctrl-C, and print "
        "a one-time sign-in link for a demo agency manager",
    )
    demo.set_defaults(handler="app.commands.demo:demo_command")
