"""Help-request commands: `bob help-request show|list|new|update`, twins of `/bob help-request`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_core import AS_HELP, actor_id, print_listing
from app.read_audit import record_cli_read
from app.runtime import Runtime
from rules.casework.help_requests import (
    HelpRequestView,
    create_request,
    list_requests,
    show_request,
    update_request,
)
from store.models import HelpCategory, HelpStatus, utcnow

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
    show.set_defaults(handler=help_show)

    listing = sub.add_parser("list", help="help requests you can see, newest first")
    listing.add_argument("--open", action="store_true", help="only those not resolved or closed")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=help_list)

    new = sub.add_parser("new", help="file a help request")
    new.add_argument(
        "--category", type=parse_category, required=True, help="one of: " + ", ".join(CATEGORIES)
    )
    new.add_argument("--topic", required=True, help="what the issue is about")
    new.add_argument("--details", required=True, help="the details of the issue")
    new.add_argument("--json", action="store_true", help="print JSON")
    new.set_defaults(handler=help_new)

    change = sub.add_parser("update", help="set a help request's status (support staff)")
    change.add_argument("number", help="the help request number")
    change.add_argument("--status", type=parse_status, required=True, help="one of: " + ", ".join(HelpStatus))
    change.add_argument("--note", help="a note for the enroller")
    change.set_defaults(handler=help_update)

    for parser in (show, listing, new, change):
        parser.add_argument("--as", dest="actor", required=True, help=AS_HELP)


def _print_request(view: HelpRequestView) -> None:
    print(f"Help request {view.number}: {view.status}")
    print(f"Category: {view.category} (routed to {view.routed_team})")
    print(f"Topic: {view.topic}")
    print(
        f"Filed by {view.enroller} on {view.created_at:%Y-%m-%d %H:%M}Z, "
        f"updated {view.updated_at:%Y-%m-%d %H:%M}Z"
    )
    if view.details:
        print(f"Details: {view.details}")
    for update in view.updates:
        note = f": {update['note']}" if update["note"] else ""
        print(f"  {update['at']:%Y-%m-%d %H:%M}Z {update['author']} set {update['status']}{note}")


def help_show(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    view = show_request(runtime.sessions, actor, args.number, utcnow())
    record_cli_read(runtime, actor, "help.show", view.number)
    if args.json:
        print(json.dumps(view.as_dict(), indent=2))
    else:
        _print_request(view)


def help_list(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    views = list_requests(runtime.sessions, actor, utcnow(), open_only=args.open)
    record_cli_read(runtime, actor, "help.list", "open" if args.open else "all")
    print_listing(views, args.json, HelpRequestView.as_dict, _request_line, "no help requests")


def _request_line(view: HelpRequestView) -> str:
    return f"{view.number}  {view.status:<19} {view.updated_at:%Y-%m-%d}  {view.topic}  ({view.enroller})"


def help_new(runtime: Runtime, args: argparse.Namespace) -> None:
    view = create_request(
        runtime.sessions, actor_id(runtime, args.actor), args.category, args.topic, args.details, utcnow()
    )
    if args.json:
        print(json.dumps(view.as_dict(), indent=2))
    else:
        print(f"help request {view.number} submitted; routed to {view.routed_team}")


def help_update(runtime: Runtime, args: argparse.Namespace) -> None:
    view = update_request(
        runtime.sessions, actor_id(runtime, args.actor), args.number, args.status, args.note, utcnow()
    )
    print(f"help request {view.number} is now {view.status}")
