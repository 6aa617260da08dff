"""Consumer Retention Workspace commands: `bob crw …` and `bob transfer`, twins of `/bob crw`
(what they do: :mod:`app.commands.crw`).

Every command acts as one enroller (`--as` license number or email on file) with exactly the
rights that enroller has in chat; lists print case numbers and risk, never consumer PII.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.arguments import AS_HELP, SHOW_PASSWORD_HELP, at_least
from rules.crw_words import RESOLUTION_REASONS, RISK_LABELS

CASE_HELP = "the CRW case number (CRW-7000000567), or the consumer's case number digests print"


def register(commands: Any) -> None:
    crw = commands.add_parser("crw", help="Consumer Retention Workspace cases")
    sub = crw.add_subparsers(dest="crw_command", required=True, metavar="ACTION")
    _register_reads(sub)
    _register_case_work(sub)
    _register_manager_commands(sub, commands)


def _register_reads(sub: Any) -> None:
    tiles = _acting(sub.add_parser("tiles", help="your tiles: open, by priority, aging, by reason"))
    tiles.add_argument("--json", action="store_true", help="print JSON")
    tiles.set_defaults(handler="app.commands.crw:crw_tiles_command")

    listing = _acting(sub.add_parser("list", help="your open cases, riskiest and oldest first"))
    listing.add_argument("--risk", type=int, choices=sorted(RISK_LABELS), help="only this risk")
    listing.add_argument("--aging", type=at_least(0), metavar="DAYS", help="open cases at least DAYS old")
    listing.add_argument("--agency", action="store_true", help="every case of your agency (managers)")
    listing.add_argument("--closed", action="store_true", help="include closed cases")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler="app.commands.crw:crw_list")

    show = _acting(sub.add_parser("show", help="one case with its notes"))
    show.add_argument("case", help=CASE_HELP)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler="app.commands.crw:crw_show")


def _register_case_work(sub: Any) -> None:
    note = _acting(sub.add_parser("note", help="document an interaction on a case"))
    note.add_argument("case", help=CASE_HELP)
    note.add_argument("text", nargs="+", help="what happened")
    note.set_defaults(handler="app.commands.crw:crw_note")

    close = _acting(sub.add_parser("close", help="close a case with its resolution"))
    close.add_argument("case", help=CASE_HELP)
    close.add_argument(
        "--reason",
        required=True,
        help="one of: "
        + "; ".join(RESOLUTION_REASONS)
        + " (its first words are enough, e.g. 'moved to medi-cal')",
    )
    close.add_argument("--steps", required=True, help="the steps taken to resolve it")
    close.set_defaults(handler="app.commands.crw:crw_close")


def _register_manager_commands(sub: Any, commands: Any) -> None:
    agency = _acting(sub.add_parser("agency", help="every enroller's CRW activity (managers)"))
    agency.add_argument("--json", action="store_true", help="print JSON")
    agency.set_defaults(handler="app.commands.crw:crw_agency")

    report = _acting(
        sub.add_parser(
            "report",
            help="the manager's encrypted CRW report (.xlsx)",
            description="Write the agency's CRW report as a password-encrypted .xlsx. Its password "
            "is emailed to you (or printed with --show-password): never send the two together.",
        )
    )
    report.add_argument("--agency", required=True, help="your agency's code")
    report.add_argument("--out", type=Path, required=True, help="the new .xlsx file to write")
    report.add_argument("--show-password", action="store_true", help=SHOW_PASSWORD_HELP)
    report.set_defaults(handler="app.commands.crw:crw_report")

    transfer = _acting(
        commands.add_parser(
            "transfer", help="transfer a CRW case to an Agent Level 2 of your agency (managers)"
        )
    )
    transfer.add_argument("case", help=CASE_HELP)
    transfer.add_argument("agent", nargs="+", help="the agent's full name or license number")
    transfer.set_defaults(handler="app.commands.crw:crw_transfer")


def _acting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="actor", required=True, help=AS_HELP)
    return parser
