"""What the help-request commands do: `bob help-request show|list|new|update`, twins of
`/bob help-request` (their arguments: :mod:`app.cli_help`)."""

from __future__ import annotations

import argparse
import json

from app.commands.core import actor_id, print_listing
from app.read_audit import record_cli_read
from app.runtime import Runtime
from rules.casework.help_requests import (
    HelpRequestView,
    create_request,
    list_requests,
    show_request,
    update_request,
)
from store.models import utcnow


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
