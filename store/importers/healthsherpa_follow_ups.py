"""HealthSherpa's DMI follow-ups and SVI follow-ups CSV exports, by their snake_case headers.

HealthSherpa lists each Data Matching Issue (DMI) or SEP Verification Issue (SVI) with a due
date from two months ago onward. Its export legends are not public, so bob reads the
columns it needs under the names the clients export uses and the likely alternatives
(``ALIASES``; docs/data-dictionary.md states these assumptions); anything else in the file
(names, contact, agent) is ignored and named in the summary. One row is one follow-up of an
application already in bob (import the clients export first). Blank and masked cells are
unknown, as in the clients export; a follow-up that drops out of a later export is not
taken as cleared (it may only have fallen out of the two-month window).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from store.importers.cells import MASKED, choice, parse_date, parse_moment, text
from store.importers.columns import Column, RowReader, normalize, require_headers, unknown_headers
from store.importers.context import agency_context
from store.importers.follow_ups import (
    TABLES,
    FollowUpLabels,
    FollowUpRecord,
    derived_ref,
    write_follow_ups,
)
from store.importers.records import ImportSummary
from store.importers.rejects import RejectsFile, rejects_path_for
from store.importers.runner import Plan, Progress, run_plan
from store.importers.sources import Table, open_table
from store.models import FollowUpKind, FollowUpSource, FollowUpStatus

NOT_AN_EXPORT = (
    "{name} does not look like a HealthSherpa DMI or SVI follow-ups export: its header lacks {missing}"
)

STATUS = choice(
    {
        "Open": FollowUpStatus.OPEN,
        "Outstanding": FollowUpStatus.OPEN,
        "Action Needed": FollowUpStatus.OPEN,
        "Action Required": FollowUpStatus.OPEN,
        "Pending": FollowUpStatus.OPEN,
        "Submitted": FollowUpStatus.SUBMITTED,
        "Documents Submitted": FollowUpStatus.SUBMITTED,
        "Pending Review": FollowUpStatus.SUBMITTED,
        "In Review": FollowUpStatus.SUBMITTED,
        "Resolved": FollowUpStatus.CLEARED,
        "Cleared": FollowUpStatus.CLEARED,
        "Verified": FollowUpStatus.CLEARED,
        "Closed": FollowUpStatus.CLEARED,
        "Expired": FollowUpStatus.EXPIRED,
    }
)
COLUMNS: tuple[Column, ...] = (
    Column("ffm_app_id", text(32), required=True),
    Column("issue_id", text(60)),
    Column("issue_type", text(120)),
    Column("due_date", parse_date, required=True),
    Column("status", STATUS),
    Column("created_at", parse_moment),
    Column("status_updated_at", parse_moment),
)
# Other names the same column may have in an export (matched as loosely as the columns).
ALIASES = {
    normalize(alias): column
    for column, aliases in {
        "ffm_app_id": ("application_id", "app_id"),
        "issue_id": ("dmi_id", "svi_id", "follow_up_id", "inconsistency_id"),
        "issue_type": ("dmi_type", "svi_type", "verification_type", "document_type", "inconsistency_type"),
        "due_date": ("dmi_due_date", "svi_due_date", "deadline", "resolve_by"),
        "status": ("dmi_status", "svi_status", "issue_status", "verification_status"),
        "created_at": ("date_created", "created_date", "opened_at"),
        "status_updated_at": ("updated_at", "last_updated", "status_date"),
    }.items()
    for alias in aliases
}
REQUIRED_HEADERS = ("ffm_app_id", "due_date")
LABELS = FollowUpLabels("ffm_app_id", "issue_id", "created_at", "status_updated_at")
UNNAMED = {FollowUpKind.DMI: "DMI documents", FollowUpKind.SVI: "SEP verification documents"}


def canonical_header(header: Sequence[str]) -> list[str]:
    """The header with each alias replaced by the column bob knows it as."""
    return [ALIASES.get(normalize(name), name) for name in header]


def _known(values: dict[str, Any], name: str) -> Any:
    value = values.get(name, MASKED)
    return None if value is MASKED else value


def map_row(reader: RowReader, kind: FollowUpKind, number: int, cells: list[Any]) -> FollowUpRecord:
    values = reader.read(number, cells)
    case = values["ffm_app_id"]
    needed = _known(values, "issue_type") or UNNAMED[kind]
    issue_id = _known(values, "issue_id")
    return FollowUpRecord(
        number,
        case,
        f"{kind.value}:{issue_id}" if issue_id else derived_ref(case, kind, needed),
        kind,
        needed,
        values["due_date"],
        status=_known(values, "status"),
        raised=_known(values, "created_at"),
        status_since=_known(values, "status_updated_at"),
    )


def _checked(table: Table) -> list[str]:
    header = canonical_header(table.header)
    require_headers(Table(table.name, header, table.rows), REQUIRED_HEADERS, NOT_AN_EXPORT)
    return header


def import_healthsherpa_follow_ups(
    path: Path,
    sessions: sessionmaker[Session],
    agency_code: str,
    kind: FollowUpKind,
    progress: Progress | None = None,
    now: datetime | None = None,
    as_of: date | datetime | None = None,
) -> ImportSummary:
    """Load a HealthSherpa DMI (``kind`` DMI) or SVI follow-ups CSV export into one agency."""
    ctx = agency_context(sessions, agency_code, now, as_of=as_of)
    with open_table(path) as table:
        header = _checked(table)
        reader = RowReader.for_header(header, COLUMNS, blank_is_unknown=True)
        plan: Plan[FollowUpRecord] = Plan(
            map_row=partial(map_row, reader, kind),
            key_of=lambda record: record.external_ref,
            key_column="issue_id",
            write_chunk=partial(write_follow_ups, FollowUpSource.HEALTHSHERPA, LABELS, ctx),
            tables=TABLES,
        )
        summary = ImportSummary(
            table.name, ignored_columns=unknown_headers(header, COLUMNS), as_of=ctx.describe_as_of()
        )
        with RejectsFile(rejects_path_for(path)) as rejects:
            return run_plan(plan, plan.records(table.rows), sessions, rejects, summary, progress)
