"""Export commands: `bob export …`, `bob exports list|expire`, `bob snapshot take` (what they
do: :mod:`app.commands.export`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.arguments import AS_HELP, SHOW_PASSWORD_HELP, parse_date

SCOPE_HELP = (
    "nothing for your own book, `agency` for All Agents, or `agent <full name|license>`; "
    "or `followups [dmi|svi] [agency]`, `at-risk [agency]`, `roster` (managers)"
)


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="export an encrypted Book of Business (or follow-ups, at-risk, roster) workbook",
        description="Export a Book of Business, follow-ups (due from two months back onward), "
        "delegations at risk (pending or recently removed) or the agency's roster as a "
        "password-encrypted .xlsx. Its password is emailed to you (or printed with "
        "--show-password): never send the two together.",
    )
    export.add_argument("scope", nargs="*", metavar="SCOPE", help=SCOPE_HELP)
    export.add_argument("--as", dest="requester", required=True, help=AS_HELP)
    masking = export.add_mutually_exclusive_group()
    masking.add_argument(
        "--masked",
        dest="masked",
        action="store_true",
        default=None,
        help="mask SSN, date of birth and income (where the workbook has them) with asterisks",
    )
    masking.add_argument(
        "--unmasked",
        dest="masked",
        action="store_false",
        help="full SSN, date of birth and income even if masking is the default",
    )
    export.add_argument("--snapshot", action="store_true", help="last Friday's frozen book")
    export.add_argument("--changes", action="store_true", help='add the sheet "Changed since last snapshot"')
    export.add_argument("--out", type=Path, help="also copy the encrypted file into this folder")
    export.add_argument("--show-password", action="store_true", help=SHOW_PASSWORD_HELP)
    export.set_defaults(handler="app.commands.export:export_book")
    _register_history(commands)


def _register_history(commands: Any) -> None:
    exports = commands.add_parser("exports", help="export history and expiry")
    exports_sub = exports.add_subparsers(dest="exports_command", required=True, metavar="ACTION")
    listing = exports_sub.add_parser("list", help="your exports, newest first")
    listing.add_argument("--as", dest="requester", required=True, help=AS_HELP)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler="app.commands.export:exports_list")
    exports_sub.add_parser("expire", help="delete export files past their expiry").set_defaults(
        handler="app.commands.export:exports_expire"
    )

    snapshot = commands.add_parser("snapshot", help="the weekly Book of Business snapshot")
    snapshot_sub = snapshot.add_subparsers(dest="snapshot_command", required=True, metavar="ACTION")
    take = snapshot_sub.add_parser("take", help="freeze every agency's book (once per date)")
    take.add_argument(
        "--date", type=parse_date, help="business date YYYY-MM-DD (default: today in each agency's zone)"
    )
    take.set_defaults(handler="app.commands.export:snapshot_take")
