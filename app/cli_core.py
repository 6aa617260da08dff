"""Core commands: `bob db upgrade`, `bob summary run`, `bob mailbox …` (what they do:
:mod:`app.commands.summary`, :mod:`app.commands.core`, and :mod:`app.commands.db` for the
schema)."""

from __future__ import annotations

from typing import Any

from app.arguments import at_least, parse_date


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply migrations up to the newest schema")
    upgrade.set_defaults(handler="app.commands.db:db_upgrade")

    summary = commands.add_parser("summary", help="the Daily Summary")
    summary_sub = summary.add_subparsers(dest="summary_command", required=True, metavar="ACTION")
    run = summary_sub.add_parser(
        "run",
        help="run the Daily Summary for one business date, or for a range in order",
        description="Runs one business date (--date, default today), or every date from --from to "
        "--to in order, in this process: the scheduler's code path, ledger and exactly-once.",
    )
    when = run.add_mutually_exclusive_group()
    when.add_argument("--date", type=parse_date, help="business date YYYY-MM-DD (default: today, local)")
    when.add_argument("--from", dest="first", type=parse_date, metavar="D1", help="first date of a range")
    run.add_argument(
        "--to", dest="last", type=parse_date, metavar="D2", help="last date of a range (with --from)"
    )
    run.add_argument("--allow-old", action="store_true", help="run a date older than schedule.max_back_days")
    run.add_argument(
        "--dry-run", action="store_true", help="show what the date would produce; store and send nothing"
    )
    run.set_defaults(handler="app.commands.summary:summary_run")

    mailbox = commands.add_parser("mailbox", help="read an enroller's secure mailbox")
    mailbox_sub = mailbox.add_subparsers(dest="mailbox_command", required=True, metavar="ACTION")
    listing = mailbox_sub.add_parser("list", help="list digests, newest first")
    listing.add_argument("enroller", help="the enroller's license number or email on file")
    listing.add_argument("--limit", type=at_least(1), default=20, help="at most this many (default 20)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler="app.commands.core:mailbox_list")
    show = mailbox_sub.add_parser("show", help="show one digest")
    show.add_argument("enroller", help="the enroller's license number or email on file")
    show.add_argument("message_id", type=at_least(1))
    show.add_argument("--html", action="store_true", help="print the HTML twin")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler="app.commands.core:mailbox_show")
