"""Delivery preferences on the command line: `bob prefs show|set` and `bob prefs agency
show|set`, the operators' twin of `/bob settings` and the web settings page (what they do:
:mod:`app.commands.prefs`).

Every command acts as one enroller (`--as`), with that enroller's rights: their own
preferences, or, for an agency's managers, those of anyone in the agency (`--for`) and the
agency's defaults. Values are checked by the rules when the command runs, so a bad one is
one line, the same line the other doors show.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.arguments import AS_HELP

SWITCH = "on|off"
FOR_HELP = "whose preferences (license number or email on file); default: your own"
RESET_HELP = (
    "follow the agency's default again for a setting: email, slack, email-no-alerts, "
    "slack-no-alerts or deliver-at (repeatable)"
)


def register(commands: Any) -> None:
    prefs = commands.add_parser(
        "prefs",
        help="how the Daily Summary reaches a person (email, Slack DM, quiet topics, delivery time)",
        description="The secure mailbox always receives every digest; these choose only its email and DM.",
    )
    sub = prefs.add_subparsers(dest="prefs_command", required=True, metavar="ACTION")

    show = _acting(sub.add_parser("show", help="a person's delivery preferences as they apply"))
    show.add_argument("--for", dest="person", help=FOR_HELP)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler="app.commands.prefs:prefs_show")

    change = _acting(sub.add_parser("set", help="change a person's delivery preferences (audited)"))
    change.add_argument("--for", dest="person", help=FOR_HELP)
    _switches(change, "")
    change.add_argument(
        "--deliver-at", metavar="HH:MM", help="local delivery time, within the agency's window"
    )
    change.add_argument(
        "--quiet", action="append", default=[], metavar="TOPIC", help="quiet one of bob's own topics"
    )
    change.add_argument(
        "--unquiet", action="append", default=[], metavar="TOPIC", help="hear a quiet topic again"
    )
    change.add_argument("--reset", action="append", default=[], metavar="SETTING", help=RESET_HELP)
    change.set_defaults(handler="app.commands.prefs:prefs_set")

    agency = sub.add_parser("agency", help="the agency's delivery window and the defaults its people follow")
    agency_sub = agency.add_subparsers(dest="prefs_agency_command", required=True, metavar="ACTION")
    agency_show = _acting(agency_sub.add_parser("show", help="your agency's window and defaults"))
    agency_show.add_argument("--json", action="store_true", help="print JSON")
    agency_show.set_defaults(handler="app.commands.prefs:agency_show")

    agency_set = _acting(
        agency_sub.add_parser("set", help="change your agency's window and defaults (managers)")
    )
    _switches(agency_set, "default ")
    agency_set.add_argument(
        "--deliver-at",
        metavar="HH:MM|none",
        help="default delivery time ('none': as soon as the run is done)",
    )
    agency_set.add_argument(
        "--window", metavar="HH:MM-HH:MM", help="the delivery times people may choose from"
    )
    agency_set.set_defaults(handler="app.commands.prefs:agency_set")


def _switches(parser: argparse.ArgumentParser, what: str) -> None:
    """One on/off option per switch, its ``dest`` the setting's name in the store."""
    parser.add_argument("--email", dest="email_digest", metavar=SWITCH, help=f"{what}Daily Summary by email")
    parser.add_argument(
        "--slack",
        dest="slack_digest",
        metavar=SWITCH,
        help=f"{what}Daily Summary as a Slack DM (when linked)",
    )
    parser.add_argument("--email-no-alerts", metavar=SWITCH, help=f"{what}No Alerts digests by email")
    parser.add_argument("--slack-no-alerts", metavar=SWITCH, help=f"{what}No Alerts digests in Slack")


def _acting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="actor", required=True, help=AS_HELP)
    return parser
