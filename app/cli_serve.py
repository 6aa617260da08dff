"""`bob serve`: run the scheduler and the Slack bot (what it does: :mod:`app.commands.serve`)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the scheduled jobs and the Slack bot until SIGINT/SIGTERM",
        description="Runs the Daily Summary each morning, drains the outbox, takes the weekly "
        "snapshot and expires old exports; serves the Slack bot when BOB_SLACK_BOT_TOKEN and "
        "BOB_SLACK_SIGNING_SECRET are set. Catches up missed Daily Summaries on start.",
    )
    serve.set_defaults(handler="app.commands.serve:serve_command")
