"""What `bob import` does (its arguments: :mod:`app.cli_import`): load bob's own files, a
CalHEERS Book of Business or a HealthSherpa export.

The progress bar goes to stderr, and only on a terminal (see :mod:`app.progress`), with the
time remaining when the number of rows is known (a CSV file); the summary line goes to
stdout. Neither ever shows a value from the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli_import import FORMATS
from app.progress import progress_bar
from app.runtime import Runtime
from store.errors import BobError
from store.importers.calheers import import_calheers
from store.importers.dictionary import import_bob_files
from store.importers.healthsherpa import import_healthsherpa
from store.importers.healthsherpa_follow_ups import import_healthsherpa_follow_ups
from store.importers.records import ImportSummary
from store.models import FollowUpKind

FOLLOW_UP_FORMATS = {"healthsherpa-dmi": FollowUpKind.DMI, "healthsherpa-svi": FollowUpKind.SVI}


def _password(args: argparse.Namespace) -> str | None:
    if args.password_file is None:
        return args.password
    try:
        return args.password_file.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError:
        raise BobError(f"cannot read the password file {args.password_file}; check the path") from None


def _csv_rows(path: Path) -> int | None:
    """The data rows of a CSV file, counted by line ends (a quoted line break counts one
    more, so the time left is an estimate); None for anything else."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    with path.open("rb") as data:
        lines = sum(block.count(b"\n") for block in iter(lambda: data.read(1 << 20), b""))
    return max(lines - 1, 0)


def import_command(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    file: str = args.file or ""
    if args.source in FORMATS:
        if args.file is None:
            raise BobError(f"give the file to import: bob import {args.source} FILE --agency CODE")
        if args.agency is None:
            raise BobError(f"say whose book it is: bob import {args.source} FILE --agency CODE")
    elif args.file is not None:
        raise BobError(
            f"unknown format {args.source!r}: use {', '.join(FORMATS)}, or a path to bob's own files"
        )
    summaries: list[ImportSummary]
    total = _csv_rows(Path(file or args.source))
    with progress_bar("importing", "rows", total) as bar:
        progress = bar.advance
        if args.source == "calheers-bob":
            summaries = [
                import_calheers(
                    Path(file), runtime.sessions, args.agency, _password(args), progress, as_of=args.as_of
                )
            ]
        elif args.source == "healthsherpa":
            summaries = [
                import_healthsherpa(Path(file), runtime.sessions, args.agency, progress, as_of=args.as_of)
            ]
        elif args.source in FOLLOW_UP_FORMATS:
            summaries = [
                import_healthsherpa_follow_ups(
                    Path(file),
                    runtime.sessions,
                    args.agency,
                    FOLLOW_UP_FORMATS[args.source],
                    progress,
                    as_of=args.as_of,
                )
            ]
        else:
            summaries = import_bob_files(
                Path(args.source),
                runtime.sessions,
                args.agency,
                _password(args),
                progress,
                default_zone=runtime.config.schedule.time_zone,
                as_of=args.as_of,
            )
    for summary in summaries:
        print(summary.line())
        if summary.ignored_columns:
            print(f"  ignored columns bob does not keep: {', '.join(summary.ignored_columns)}")
