"""`bob import`: load bob's own files, a CalHEERS Book of Business or a HealthSherpa export
(what it does: :mod:`app.commands.importing`)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from store.importers.cells import CellError, parse_moment

FORMATS = ("calheers-bob", "healthsherpa", "healthsherpa-dmi", "healthsherpa-svi")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="load bob's own CSV/XLSX files, a CalHEERS Book of Business or a HealthSherpa export",
        description=(
            "bob import PATH loads bob's own files (a folder, or files named after their "
            "entity; see docs/data-dictionary.md). bob import calheers-bob FILE.xlsx --agency CODE "
            "loads a Book of Business workbook; bob import healthsherpa FILE.csv --agency CODE a "
            "HealthSherpa clients export; bob import healthsherpa-dmi|healthsherpa-svi FILE.csv "
            "--agency CODE its DMI or SVI follow-ups export. Bad rows go to NAME.rejects.csv "
            "beside the input."
        ),
    )
    parser.add_argument("source", metavar="PATH|calheers-bob|healthsherpa|healthsherpa-dmi|healthsherpa-svi")
    parser.add_argument("file", nargs="?", help="the file, after one of the formats")
    parser.add_argument("--agency", help="code of the agency whose book this is")
    parser.add_argument(
        "--as-of",
        type=moment_argument,
        metavar="WHEN",
        help="when the file's facts were true (YYYY-MM-DD or YYYY-MM-DDTHH:MM, agency time): "
        "facts the file does not date are stamped so; default: what the file states, else now",
    )
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--password", help="password of an encrypted workbook")
    secret.add_argument("--password-file", type=Path, help="file holding that password")
    parser.set_defaults(handler="app.commands.importing:import_command")


def moment_argument(text: str) -> date | datetime:
    """``--as-of``: a date (local midnight) or a date-time, read in the agency's zone unless
    it carries an offset."""
    try:
        return parse_moment(text)
    except CellError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or date-time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
