"""What the core commands do: `bob mailbox …`, and the helpers other commands share (their
arguments: :mod:`app.cli_core`; `bob summary run` is :mod:`app.commands.summary`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from app.read_audit import cli_via, record_cli_read
from app.runtime import Runtime
from rules.mailbox import mailbox_listing, open_message
from rules.people import enroller_on_file
from store.errors import BobError
from store.mailbox import MailboxEntry
from store.models import utcnow

T = TypeVar("T")


def actor_id(runtime: Runtime, who: str, *, acting: bool = True) -> int:
    """The enroller a command acts as (``--as``), or whose mailbox it reads (``acting=False``);
    unknown, or inactive and acting, is a one-line error (the rules' own answer to an
    inactive actor, "link your account", is chat's)."""
    runtime.require_schema()
    with runtime.sessions() as session:
        enroller = enroller_on_file(session, who)
        if acting and not enroller.active:
            raise BobError("that enroller is not active; ask your agency manager to reactivate them")
        return enroller.id


def print_listing(
    rows: Sequence[T], as_json: bool, row_json: Callable[[T], Any], line: Callable[[T], str], empty: str
) -> None:
    """A listing command's output: the rows as a JSON list, or one line per row (``empty``
    when there are none)."""
    if as_json:
        print(json.dumps([row_json(row) for row in rows], indent=2))
        return
    if not rows:
        print(empty)
    for row in rows:
        print(line(row))


def mailbox_list(runtime: Runtime, args: argparse.Namespace) -> None:
    reader = actor_id(runtime, args.enroller, acting=False)
    rows = mailbox_listing(runtime.sessions, reader, utcnow(), limit=args.limit)
    record_cli_read(runtime, reader, "mailbox.list", "own")
    print_listing(rows, args.json, MailboxEntry.as_dict, _mailbox_line, "the mailbox is empty")


def _mailbox_line(row: MailboxEntry) -> str:
    unread = " " if row.read_at else "*"
    return f"{row.id:>8} {unread} {row.business_date}  {row.subject}  ({row.alert_count} alerts)"


def mailbox_show(runtime: Runtime, args: argparse.Namespace) -> None:
    reader = actor_id(runtime, args.enroller, acting=False)
    message = open_message(runtime.sessions, reader, args.message_id, utcnow(), cli_via())
    record_cli_read(runtime, reader, "mailbox.read", f"message:{args.message_id}")
    payload = {
        **message.as_dict(),
        "alerts": message.alerts,
        "body_text": message.body_text,
        "body_html": message.body_html,
    }
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        print(payload["body_html"] if args.html else payload["body_text"])
