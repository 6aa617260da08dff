"""The workbook's "About" sheet: what it holds, whose, as of when, from where, and how to
handle it; the same sheet for every kind of export, told by the kind's own data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from exports.columns import KINDS, BookColumn
from exports.follow_up_columns import ExportDay
from exports.kinds import ExportKind
from exports.masking import masked_headers
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
    kind: ExportKind
    columns: Sequence[BookColumn]
    day: ExportDay


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
    snapshot, record, kind = facts.snapshot, facts.record, facts.kind
    lines = [
        (kind.title, facts.scope.label),
        ("Scope", "Agency (All Agents)" if facts.scope.subject is None else "One agent"),
        ("As of", facts.as_of.strftime("%A %Y-%m-%d %H:%M %Z")),
        (ABOUT_AS_OF, facts.as_of.isoformat(timespec="seconds")),
        (
            "Source",
            f"Weekly snapshot of {snapshot.business_date.isoformat()}"
            if snapshot
            else "Live data from bob's store",
        ),
        (f"{kind.row_noun.capitalize()} (rows)", f"{row_count:,}"),
        ("Masking", _masking(facts.columns, record.masked)),
        ("Requested by", facts.requester.display_name),
        ("Requested via", record.requested_via),
        ("Export number", str(record.id)),
        (
            "Columns",
            f"{len(facts.columns)} (A-{facts.columns[-1].letter}); "
            "a blank cell means not applicable or not provided",
        ),
    ]
    if kind.window is not None:
        lines.insert(5, ("Covers", kind.window.format(since=facts.day.window_start.isoformat())))
    if facts.include_changes:
        lines.append(
            (
                "Changed since last snapshot",
                f"compared with the snapshot of {facts.baseline.business_date.isoformat()}"
                if facts.baseline
                else "no earlier snapshot to compare with",
            )
        )
    if any(column.pii for column in facts.columns):
        handling = "Contains PII: keep it encrypted, do not forward it, delete it when done."
    else:
        handling = "Names the agency's people: keep it encrypted, do not forward it, delete it when done."
    lines.append(("Handling", handling))
    return lines


def _masking(columns: Sequence[BookColumn], masked: bool) -> str:
    headers = masked_headers(columns)
    if not headers:
        return "Nothing to mask: the file holds no SSN, date of birth or income"
    words = headers[0] if len(headers) == 1 else ", ".join(headers[:-1]) + " and " + headers[-1]
    if masked:
        return f"{words} masked with asterisks"
    return f"None: the file holds the full {words}"
