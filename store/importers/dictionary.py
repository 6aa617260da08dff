"""bob's own import files: one CSV (or one sheet of a workbook) per entity.

The columns of each entity are declared here as data and documented, with examples, in
``docs/data-dictionary.md``. A folder is loaded in dependency order (agencies before
enrollers before consumers before what hangs off a consumer). Every file's header is
checked before anything is written, so a misspelt column stops the whole import cleanly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from store.importers.cases import CASE_TABLES, CaseLabels, apply_cases
from store.importers.cells import (
    MASKED,
    CellError,
    count,
    enum_choice,
    parse_cents,
    parse_date,
    percent,
    text,
    yes_no,
)
from store.importers.columns import Column, RowReader, normalize, reject
from store.importers.context import ImportContext, agency_context
from store.importers.records import (
    CaseRecord,
    DelegationFacts,
    EnrollmentFacts,
    FlagFacts,
    ImportSummary,
    Reject,
)
from store.importers.rejects import RejectsFile, rejects_path_for
from store.importers.runner import Plan, Progress, run_plan
from store.importers.sources import (
    SourceError,
    data_sheets,
    open_csv,
    open_workbook,
    sheet_table,
)
from store.importers.sources import (
    Table as SourceTable,
)
from store.models import (
    Agency,
    Coverage,
    DelegationStatus,
    Enroller,
    EnrollmentStatus,
    FlagKind,
    NoticeKind,
    Program,
    Role,
)


def time_zone(raw: Any) -> str:
    name = str(raw).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CellError("not a time zone name such as America/Los_Angeles") from None
    return name


CASE = Column("case_number", text(32), required=True)
FLAG_COLUMNS = (
    CASE,
    Column("raised_on", parse_date, required=True),
    Column("detail", text(200)),
    Column("resolved_on", parse_date),
)

ENTITY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "agencies": (
        Column("code", text(64), required=True),
        Column("name", text(200), required=True),
        Column("time_zone", time_zone),
        Column("prevent_downline_exports", yes_no),
        Column("mask_exports_by_default", yes_no),
    ),
    "enrollers": (
        Column("license_number", text(32), required=True),
        Column("agency_code", text(64), required=True),
        Column("first_name", text(100), required=True),
        Column("last_name", text(100), required=True),
        Column("email", text(254), required=True),
        Column("phone", text(32)),
        Column("role", enum_choice(Role), required=True),
        Column("active", yes_no),
    ),
    "consumers": (
        CASE,
        Column("first_name", text(100), required=True),
        Column("last_name", text(100), required=True),
        Column("date_of_birth", parse_date),
        Column("ssn", text(11)),
        Column("email", text(254)),
        Column("primary_phone", text(32)),
        Column("secondary_phone", text(32)),
        Column("written_language", text(40)),
        Column("spoken_language", text(40)),
        Column("address_line1", text(200)),
        Column("address_line2", text(200)),
        Column("city", text(100)),
        Column("state", text(2)),
        Column("zip_code", text(10)),
        Column("county", text(60)),
        Column("mailing_address", text(300)),
        Column("household_size", count(1, 99)),
        Column("annual_income", parse_cents),
        Column("fpl_percent", percent),
        Column("application_status", text(40)),
        Column("eligibility_status", text(40)),
        Column("medi_cal_status", text(40)),
        Column("medi_cal_renewal_date", parse_date),
    ),
    "delegations": (
        CASE,
        Column("enroller_license", text(32), required=True),
        Column("status", enum_choice(DelegationStatus), required=True),
        Column("delegated_on", parse_date),
    ),
    "enrollments": (
        CASE,
        Column("plan_year", count(2000, 2100), required=True),
        Column("coverage", enum_choice(Coverage), required=True),
        Column("program", enum_choice(Program), required=True),
        Column("status", enum_choice(EnrollmentStatus), required=True),
        Column("carrier", text(100)),
        Column("plan_name", text(200)),
        Column("metal_tier", text(40)),
        Column("start_date", parse_date),
        Column("end_date", parse_date),
        Column("gross_premium", parse_cents),
        Column("aptc", parse_cents),
        Column("net_premium", parse_cents),
        Column("csr_level", text(40)),
        Column("binder_paid", yes_no),
    ),
    "consents": (CASE, Column("valid_thru", parse_date, required=True)),
    "notices": (
        CASE,
        Column("kind", enum_choice(NoticeKind), required=True),
        Column("notice_date", parse_date, required=True),
    ),
    "actions_requested": FLAG_COLUMNS,
    "enrollment_updates_pending": FLAG_COLUMNS,
    "medicare_aged_out": FLAG_COLUMNS,
}
ENTITIES = tuple(ENTITY_COLUMNS)  # also the load order
FLAG_KINDS = {
    "actions_requested": FlagKind.ACTION_REQUESTED,
    "enrollment_updates_pending": FlagKind.ENROLLMENT_UPDATE_PENDING,
    "medicare_aged_out": FlagKind.MEDICARE_AGED_OUT,
}
RENAMED = {"annual_income": "annual_income_cents", "gross_premium": "gross_premium_cents",
           "aptc": "aptc_cents", "net_premium": "net_premium_cents"}  # fmt: skip


def _known(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {
        RENAMED.get(name, name): values[name]
        for name in names
        if name in values and values[name] is not MASKED
    }


def _case_record(entity: str, reader: RowReader, number: int, cells: list[Any]) -> CaseRecord:
    values = reader.read(number, cells)
    record = CaseRecord(number, values["case_number"], may_create=entity == "consumers")
    if entity == "consumers":
        names = tuple(c.header for c in ENTITY_COLUMNS["consumers"][1:])
        record.consumer = _known(values, names)
    elif entity == "delegations":
        day = values.get("delegated_on", MASKED)
        record.delegations.append(
            DelegationFacts(
                number,
                values["enroller_license"].upper(),
                values["status"],
                None if day is MASKED else day,
                knows_date=day is not MASKED,
            )  # fmt: skip
        )
    elif entity == "enrollments":
        names = tuple(c.header for c in ENTITY_COLUMNS["enrollments"][3:])
        fields = _known(values, names)
        record.enrollments.append(EnrollmentFacts(values["plan_year"], values["coverage"], fields))
    elif entity == "consents":
        record.consent_valid_thru = values["valid_thru"]
    elif entity == "notices":
        record.notices.append((values["kind"], values["notice_date"]))
    else:
        detail = values.get("detail")
        resolved = values.get("resolved_on")
        record.flags.append(
            FlagFacts(
                FLAG_KINDS[entity],
                values["raised_on"],
                None if detail is MASKED else detail,
                None if resolved is MASKED else resolved,
            )  # fmt: skip
        )
    return record


def _case_key(entity: str, record: CaseRecord) -> Hashable:
    if record.delegations:
        return (record.case_number, record.delegations[0].license_number)
    if record.enrollments:
        facts = record.enrollments[0]
        return (record.case_number, facts.plan_year, facts.coverage)
    if record.consent_valid_thru:
        return (record.case_number, record.consent_valid_thru)
    if record.notices:
        return (record.case_number, *record.notices[0])
    if record.flags:
        return (record.case_number, record.flags[0].raised_on, record.flags[0].detail)
    return record.case_number


@dataclass
class Row:
    """An agency or enroller row: its key and the columns it sets."""

    row: int
    key: str
    values: dict[str, Any]


def _upsert(
    session: Session, table: Table, key: str, rows: list[Row], now: datetime
) -> list[tuple[Row, str]]:
    """Insert new keys, update changed ones; agencies and enrollers are few, so this is plain."""
    stored = {
        r._mapping[key]: dict(r._mapping)
        for r in session.execute(select(table).where(table.c[key].in_([row.key for row in rows])))
    }
    outcomes: list[tuple[Row, str]] = []
    for row in rows:
        current = stored.get(row.key)
        if current is None:
            session.execute(insert(table), [{key: row.key, "created_at": now, **row.values}])
            outcomes.append((row, "created"))
            continue
        changes = {k: v for k, v in row.values.items() if current.get(k) != v}
        if changes:
            session.execute(
                update(table).where(table.c.id == bindparam("row_id")),
                [{"row_id": current["id"], **changes}],
            )
        outcomes.append((row, "updated" if changes else "unchanged"))
    return outcomes


def _agency_row(ctx: ImportContext, reader: RowReader, number: int, cells: list[Any]) -> Row:
    values = reader.read(number, cells)
    if ctx.agency_code is not None and values["code"] != ctx.agency_code:
        raise reject(number, "code", "another agency than --agency")
    names = ("name", "time_zone", "prevent_downline_exports", "mask_exports_by_default")
    known = {n: values[n] for n in names if values.get(n) is not None and values[n] is not MASKED}
    return Row(number, values["code"], known)


def _enroller_row(reader: RowReader, number: int, cells: list[Any]) -> Row:
    values = reader.read(number, cells)
    names = ("agency_code", "first_name", "last_name", "email", "phone", "role", "active")
    known = {n: values[n] for n in names if n in values and values[n] is not MASKED}
    if known.get("active") is None:
        known.pop("active", None)
    return Row(number, values["license_number"].upper(), known)


def _write_enrollers(ctx: ImportContext, session: Session, rows: list[Row]) -> Any:
    codes = {row.values["agency_code"] for row in rows}
    query = select(Agency.code, Agency.id).where(Agency.code.in_(codes))
    agencies: dict[str, int] = {code: agency_id for code, agency_id in session.execute(query)}
    good: list[Row] = []
    rejects: list[Reject] = []
    outcomes: list[tuple[Row, str]] = []
    for row in rows:
        code = row.values.pop("agency_code")
        if ctx.agency_code is not None and code != ctx.agency_code:
            rejects.append(Reject(row.row, "agency_code", "another agency than --agency"))
        elif code not in agencies:
            rejects.append(Reject(row.row, "agency_code", "no agency has this code; load it first"))
        else:
            row.values["agency_id"] = agencies[code]
            good.append(row)
            continue
        outcomes.append((row, "rejected"))
    if ctx.agency_code is not None:
        elsewhere = set(
            session.scalars(
                select(Enroller.license_number).where(
                    Enroller.license_number.in_([r.key for r in good]),
                    Enroller.agency_id != ctx.agency_id,
                )
            )
        )
        for row in [r for r in good if r.key in elsewhere]:
            good.remove(row)
            rejects.append(Reject(row.row, "license_number", "the enroller is in another agency"))
            outcomes.append((row, "rejected"))
    table: Table = Enroller.__table__  # type: ignore[assignment]
    return outcomes + _upsert(session, table, "license_number", good, ctx.now), rejects


def _plan(entity: str, reader: RowReader, ctx: ImportContext) -> Plan[Any]:
    if entity == "agencies":
        table: Table = Agency.__table__  # type: ignore[assignment]
        return Plan(
            map_row=partial(_agency_row, ctx, reader),
            key_of=lambda row: row.key,
            key_column="code",
            write_chunk=lambda session, rows: (_upsert(session, table, "code", rows, ctx.now), []),
        )
    if entity == "enrollers":
        return Plan(
            map_row=partial(_enroller_row, reader),
            key_of=lambda row: row.key,
            key_column="license_number",
            write_chunk=partial(_write_enrollers, ctx),
        )
    labels = CaseLabels("case_number", "first_name", "enroller_license", "plan_year")
    return Plan(
        map_row=partial(_case_record, entity, reader),
        key_of=partial(_case_key, entity),
        key_column="case_number",
        write_chunk=lambda session, chunk: apply_cases(session, chunk, ctx, labels),
        tables=CASE_TABLES,
    )


@dataclass
class EntityFile:
    entity: str
    source: Path
    rejects: Path
    open: Callable[[], AbstractContextManager[SourceTable]]


def _check_header(entity: str, table: SourceTable) -> None:
    columns = ENTITY_COLUMNS[entity]
    names = {normalize(column.header) for column in columns}
    present = {normalize(h) for h in table.header}
    unknown = [h for h in table.header if h and normalize(h) not in names]
    missing = [c.header for c in columns if c.required and normalize(c.header) not in present]
    if unknown or missing or any(not h for h in table.header):
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {', '.join(repr(h) for h in unknown)}")
        if missing:
            problems.append(f"missing required column(s) {', '.join(missing)}")
        if any(not h for h in table.header):
            problems.append("a column without a name")
        raise SourceError(f"{table.name} ({entity}): {'; '.join(problems)}; see docs/data-dictionary.md")


def _entity_files(path: Path, password: str | None) -> list[EntityFile]:
    if path.is_dir():
        found = [f for entity in ENTITIES for f in _entity_files_of(path, entity, password)]
        if not found:
            raise SourceError(
                f"{path} holds no file named after an entity ({', '.join(ENTITIES)}) with .csv "
                "or .xlsx; see docs/data-dictionary.md"
            )
        return found
    if not path.is_file():
        raise SourceError(f"{path} is neither a file nor a folder; check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if path.stem not in ENTITY_COLUMNS:
            raise SourceError(
                f"{path.name}: name the file after its entity ({', '.join(ENTITIES)}), or "
                "use `bob import calheers-bob` / `bob import healthsherpa`"
            )
        return [EntityFile(path.stem, path, rejects_path_for(path), partial(open_csv, path))]
    if suffix in {".xlsx", ".xlsm"}:
        with open_workbook(path, password) as book:
            sheets = data_sheets(book)
        if path.stem in ENTITY_COLUMNS and len(sheets) == 1:
            named = {path.stem: sheets[0]}
        else:
            named = {s.strip().lower(): s for s in sheets if s.strip().lower() in ENTITY_COLUMNS}
        if not named:
            raise SourceError(f"{path.name}: no sheet is named after an entity ({', '.join(ENTITIES)})")
        return [
            EntityFile(
                entity,
                path,
                rejects_path_for(path, entity if len(named) > 1 else None),
                partial(_open_sheet, path, password, named[entity], entity),
            )  # fmt: skip
            for entity in ENTITIES
            if entity in named
        ]
    raise SourceError(f"{path.name} is neither .csv nor .xlsx; export it as one of those")


def _entity_files_of(folder: Path, entity: str, password: str | None) -> list[EntityFile]:
    for suffix in (".csv", ".xlsx"):
        candidate = folder / f"{entity}{suffix}"
        if candidate.is_file():
            return _entity_files(candidate, password)
    return []


def _open_sheet(path: Path, password: str | None, sheet: str, entity: str) -> Any:
    return _SheetTable(path, password, sheet, entity)


class _SheetTable(AbstractContextManager[SourceTable]):
    def __init__(self, path: Path, password: str | None, sheet: str, entity: str) -> None:
        self._book = open_workbook(path, password)
        self._sheet, self._label = sheet, f"{path.name}:{entity}"

    def __enter__(self) -> SourceTable:
        return sheet_table(self._book.__enter__(), self._sheet, self._label)

    def __exit__(self, *exc: Any) -> None:
        self._book.__exit__(*exc)


def import_bob_files(
    path: Path,
    sessions: sessionmaker[Session],
    agency_code: str | None = None,
    password: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    default_zone: str = "America/Los_Angeles",
) -> list[ImportSummary]:
    """Load one entity file, a workbook of entity sheets, or a folder of entity files."""
    ctx = agency_context(sessions, agency_code, now, default_zone)
    files = _entity_files(path, password)
    for entity_file in files:
        with entity_file.open() as table:
            _check_header(entity_file.entity, table)
    return [_load(entity_file, sessions, ctx, progress) for entity_file in files]


def _load(
    entity_file: EntityFile,
    sessions: sessionmaker[Session],
    ctx: ImportContext,
    progress: Progress | None,
) -> ImportSummary:
    with entity_file.open() as table:
        reader = RowReader.for_header(table.header, ENTITY_COLUMNS[entity_file.entity])
        summary = ImportSummary(table.name)
        with RejectsFile(entity_file.rejects) as rejects:
            plan = _plan(entity_file.entity, reader, ctx)
            return run_plan(plan, plan.records(table.rows), sessions, rejects, summary, progress)
