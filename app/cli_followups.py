"""`bob followups`: the outstanding DMI, SVI and document follow-ups with their due dates, twin
of `/bob followups` (what it does: :mod:`app.commands.followups`).

It acts as one enroller (`--as` license number or email on file) with exactly the rights
that enroller has in chat; lines print case numbers, never consumer PII.
"""

from __future__ import annotations

from typing import Any

from app.arguments import AS_HELP, at_least

MAX_DUE_DAYS = 366  # as rules.casework.follow_up_queue.MAX_DUE_DAYS, which the rules enforce


def register(commands: Any) -> None:
    followups = commands.add_parser(
        "followups",
        help="outstanding follow-ups (DMI, SVI, documents), soonest due first",
        description="List the outstanding follow-ups of your book (or, for managers, the "
        "agency's) by due date. --due and --overdue together list both.",
    )
    followups.add_argument("--as", dest="actor", required=True, help=AS_HELP)
    followups.add_argument(
        "--due",
        type=at_least(0),
        metavar="DAYS",
        help=f"due within DAYS days from today (at most {MAX_DUE_DAYS})",
    )
    followups.add_argument("--overdue", action="store_true", help="due before today")
    followups.add_argument("--agency", action="store_true", help="the whole agency's book (managers)")
    followups.add_argument("--page", type=at_least(1), default=1, help="which page of 40 (default 1)")
    followups.add_argument("--all", action="store_true", help="every follow-up on one listing, no pages")
    followups.add_argument("--json", action="store_true", help="print JSON")
    followups.set_defaults(handler="app.commands.followups:followups_list")
