"""The workbook's "About" sheet: whose book, as of when, from where, and how to handle it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from exports.columns import COLUMNS, KINDS
from exports.scope import BookScope
from exports.workbook import Sheet
from store.importers.sources import ABOUT_AS_OF
from store.models import Enroller, ExportRecord, Snapshot


@dataclass(frozen=True)
class AboutFacts:
    """What the About sheet says, known before the rows are written."""

    scope: BookScope
    requester: Enroller
    record: ExportRecord
    snapshot: Snapshot | None
    baseline: Snapshot | None
    include_changes: bool
    as_of: datetime


def about_sheet(facts: AboutFacts, row_count: int) -> Sheet:
    return Sheet(
        "About",
        ("Item", "Value"),
        (KINDS[0], KINDS[0]),
        (28, 70),
        about_lines(facts, row_count),
        filtered=False,
    )


def about_lines(facts: AboutFacts, row_count: int) -> list[tuple[str, str]]:
    snapshot, record = facts.snapshot, facts.record
    lines = [
        ("Book of Business", facts.scope.label),
        ("Scope", "Agency (All Agents)" if facts.scope.subject is None else "One agent"),
        ("As of", facts.as_of.strftime("%A %Y-%m-%d %H:%M %Z")),
        (ABOUT_AS_OF, facts.as_of.isoformat(timespec="seconds")),
        (
            "Source",
            f"Weekly snapshot of {snapshot.business_date.isoformat()}"
            if snapshot
            else "Live data from bob's store",
        ),
        ("Consumers (rows)", f"{row_count:,}"),
        (
            "Masking",
            "SSN, date of birth and annual income are masked with asterisks"
            if record.masked
            else "None: the file holds full SSN, date of birth and income",
        ),
        ("Requested by", facts.requester.display_name),
        ("Requested via", record.requested_via),
        ("Export number", str(record.id)),
        (
            "Columns",
            f"{len(COLUMNS)} (A-{COLUMNS[-1].letter}); a blank cell means not applicable or not provided",
        ),
    ]
    if facts.include_changes:
        lines.append(
            (
                "Changed since last snapshot",
                f"compared with the snapshot of {facts.baseline.business_date.isoformat()}"
                if facts.baseline
                else "no earlier snapshot to compare with",
            )
        )
    lines.append(("Handling", "Contains PII: keep it encrypted, do not forward it, delete it when done."))
    return lines
