"""Finding the entity files: a folder of them, one CSV named after its entity, or a workbook
with a sheet per entity. Every file's header is checked before anything is written, so a
misspelt column stops the whole import cleanly."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from store.importers.columns import normalize
from store.importers.dictionary.entities import ENTITIES, ENTITY_COLUMNS
from store.importers.rejects import rejects_path_for
from store.importers.sources import SourceError, data_sheets, open_csv, open_workbook, sheet_table
from store.importers.sources import Table as SourceTable


@dataclass
class EntityFile:
    entity: str
    source: Path
    rejects: Path
    open: Callable[[], AbstractContextManager[SourceTable]]


def check_header(entity: str, table: SourceTable) -> None:
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


def entity_files(path: Path, password: str | None) -> list[EntityFile]:
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
            return entity_files(candidate, password)
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
