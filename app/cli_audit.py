"""`bob audit`: the audit log for an access review, filtered by person, action and dates
(business dates in ``schedule.time_zone``), as lines, CSV or JSON. What it does:
:mod:`app.commands.audit`."""

from __future__ import annotations

from typing import Any

from app.arguments import at_least, parse_date


def register(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="the audit log (who did or read what, when, through which channel) for an access review",
    )
    audit.add_argument("--person", help="only this enroller (license number or email on file)")
    audit.add_argument("--action", help="only this action and its sub-actions (e.g. mailbox, crw.show)")
    audit.add_argument("--from", dest="first", type=parse_date, metavar="D1", help="from business date D1")
    audit.add_argument("--to", dest="last", type=parse_date, metavar="D2", help="through business date D2")
    audit.add_argument("--limit", type=at_least(1), default=10_000, help="at most this many (default 10000)")
    form = audit.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true", help="print CSV (one row per entry)")
    form.add_argument("--json", action="store_true", help="print JSON")
    audit.set_defaults(handler="app.commands.audit:show_audit")
