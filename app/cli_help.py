"""Help-request commands: `bob help-request show|list|new|update`, twins of `/bob help-request`
(what they do: :mod:`app.commands.help_requests`)."""

from __future__ import annotations

import argparse
from typing import Any

from app.arguments import AS_HELP
from store.help_request_terms import HelpCategory, HelpStatus

# Short names for the four portal categories, so they can be typed on a command line.
CATEGORIES = {
    "consumer-case": HelpCategory.CONSUMER_CASE,
    "profile": HelpCategory.PROFILE,
    "contracts": HelpCategory.CONTRACTS,
    "service-center": HelpCategory.SERVICE_CENTER,
}


def parse_category(value: str) -> HelpCategory:
    wanted = value.strip().casefold()
    for short, category in CATEGORIES.items():
        if wanted in (short, category.value.casefold()):
            return category
    raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a category; use one of: {', '.join(CATEGORIES)}")


def parse_status(value: str) -> HelpStatus:
    try:
        return HelpStatus(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a status; use one of: {', '.join(HelpStatus)}"
        ) from None


def register(commands: Any) -> None:
    help_request = commands.add_parser("help-request", help="help requests to the exchange")
    sub = help_request.add_subparsers(dest="help_command", required=True, metavar="ACTION")

    show = sub.add_parser("show", help="one help request with its status history")
    show.add_argument("number", help="the help request number, e.g. HR-2026-000123")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler="app.commands.help_requests:help_show")

    listing = sub.add_parser("list", help="help requests you can see, newest first")
    listing.add_argument("--open", action="store_true", help="only those not resolved or closed")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler="app.commands.help_requests:help_list")

    new = sub.add_parser("new", help="file a help request")
    new.add_argument(
        "--category", type=parse_category, required=True, help="one of: " + ", ".join(CATEGORIES)
    )
    new.add_argument("--topic", required=True, help="what the issue is about")
    new.add_argument("--details", required=True, help="the details of the issue")
    new.add_argument("--json", action="store_true", help="print JSON")
    new.set_defaults(handler="app.commands.help_requests:help_new")

    change = sub.add_parser("update", help="set a help request's status (support staff)")
    change.add_argument("number", help="the help request number")
    change.add_argument("--status", type=parse_status, required=True, help="one of: " + ", ".join(HelpStatus))
    change.add_argument("--note", help="a note for the enroller")
    change.set_defaults(handler="app.commands.help_requests:help_update")

    for parser in (show, listing, new, change):
        parser.add_argument("--as", dest="actor", required=True, help=AS_HELP)
