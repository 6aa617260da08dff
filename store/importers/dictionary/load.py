"""bob's own import files: one CSV (or one sheet of a workbook) per entity.

A folder is loaded in dependency order (agencies before enrollers before consumers before
what hangs off a consumer); each entity has its plan: how a row is read, keyed and written.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from store.importers.cases import CASE_TABLES, CaseLabels, apply_cases
from store.importers.columns import RowReader
from store.importers.context import ImportContext, agency_context
from store.importers.dictionary.agencies import agency_row, enroller_row, upsert, write_enrollers
from store.importers.dictionary.case_rows import case_key, case_record
from store.importers.dictionary.entities import ENTITY_COLUMNS
from store.importers.dictionary.files import EntityFile, check_header, entity_files
from store.importers.dictionary.follow_up_rows import LABELS as FOLLOW_UP_LABELS
from store.importers.dictionary.follow_up_rows import follow_up_record
from store.importers.follow_ups import TABLES as FOLLOW_UP_TABLES
from store.importers.follow_ups import write_follow_ups
from store.importers.records import ImportSummary
from store.importers.rejects import RejectsFile
from store.importers.runner import Plan, Progress, run_plan
from store.models import Agency, FollowUpSource
from store.zones import DEFAULT_TIME_ZONE


def _plan(entity: str, reader: RowReader, ctx: ImportContext) -> Plan[Any]:
    if entity == "agencies":
        table: Table = Agency.__table__  # type: ignore[assignment]
        return Plan(
            map_row=partial(agency_row, ctx, reader),
            key_of=lambda row: row.key,
            key_column="code",
            write_chunk=lambda session, rows: (upsert(session, table, "code", rows, ctx.now), []),
        )
    if entity == "enrollers":
        return Plan(
            map_row=partial(enroller_row, reader),
            key_of=lambda row: row.key,
            key_column="license_number",
            write_chunk=partial(write_enrollers, ctx),
        )
    if entity == "follow_ups":
        return Plan(
            map_row=partial(follow_up_record, reader),
            key_of=lambda record: record.external_ref,
            key_column="external_ref",
            write_chunk=partial(write_follow_ups, FollowUpSource.BOB_FILE, FOLLOW_UP_LABELS, ctx),
            tables=FOLLOW_UP_TABLES,
        )
    labels = CaseLabels("case_number", "first_name", "enroller_license", "plan_year")
    return Plan(
        map_row=partial(case_record, entity, reader),
        key_of=partial(case_key, entity),
        key_column="case_number",
        write_chunk=lambda session, chunk: apply_cases(session, chunk, ctx, labels),
        tables=CASE_TABLES,
    )


def import_bob_files(
    path: Path,
    sessions: sessionmaker[Session],
    agency_code: str | None = None,
    password: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    default_zone: str = DEFAULT_TIME_ZONE,
    as_of: date | datetime | None = None,
) -> list[ImportSummary]:
    """Load one entity file, a workbook of entity sheets, or a folder of entity files; facts
    the files do not date are as of ``as_of``, else as of the import."""
    ctx = agency_context(sessions, agency_code, now, default_zone, as_of)
    files = entity_files(path, password)
    for entity_file in files:
        with entity_file.open() as table:
            check_header(entity_file.entity, table)
    return [_load(entity_file, sessions, ctx, progress) for entity_file in files]


def _load(
    entity_file: EntityFile,
    sessions: sessionmaker[Session],
    ctx: ImportContext,
    progress: Progress | None,
) -> ImportSummary:
    with entity_file.open() as table:
        reader = RowReader.for_header(table.header, ENTITY_COLUMNS[entity_file.entity])
        summary = ImportSummary(table.name, as_of=ctx.describe_as_of())
        with RejectsFile(entity_file.rejects) as rejects:
            plan = _plan(entity_file.entity, reader, ctx)
            return run_plan(plan, plan.records(table.rows), sessions, rejects, summary, progress)
