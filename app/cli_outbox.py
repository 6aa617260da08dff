"""`bob outbox status|drain|failed|retry`: the email outbox (what they do:
:mod:`app.commands.outbox`, and :mod:`app.commands.outbox_drain` for sending)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="the email outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    status = outbox_sub.add_parser(
        "status", help="count queued, sending, sent and failed emails; the oldest queued one's age"
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler="app.commands.outbox:outbox_status")
    drain = outbox_sub.add_parser(
        "drain",
        help="send every email that is due (captured as .eml files when smtp.host is empty)",
    )
    drain.add_argument("--once", action="store_true", help="send one batch, then stop")
    drain.set_defaults(handler="app.commands.outbox_drain:outbox_drain")
    failed = outbox_sub.add_parser("failed", help="list failed emails with their reasons (no addresses)")
    failed.add_argument("--json", action="store_true", help="print JSON")
    failed.set_defaults(handler="app.commands.outbox:outbox_failed")
    retry = outbox_sub.add_parser("retry", help="queue failed emails again (all, or those named)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="ids from `bob outbox failed`")
    retry.set_defaults(handler="app.commands.outbox:outbox_retry")
