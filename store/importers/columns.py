"""A source's columns as data: header, parser, required; and reading one row with them.

A cell becomes one of three things: a value, ``None`` (known to be empty) or
:data:`~store.importers.cells.MASKED` (unknown). Sources where a blank cell means "not in
this export" rather than "empty" (HealthSherpa) drop blanks instead, so they stay unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from store.importers.cells import MASKED, CellError, Parser, is_masked
from store.importers.records import Reject
from store.importers.sources import SourceError, Table


class RowRejected(Exception):
    """The row cannot be loaded; carries the reject to record."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(reject.reason)
        self.reject = reject


def reject(row: int, column: str, reason: str) -> RowRejected:
    return RowRejected(Reject(row, column, reason))


@dataclass(frozen=True)
class Column:
    header: str
    parse: Parser
    required: bool = False


def normalize(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).lower()


MEMO_LIMIT = 4096  # distinct cells remembered per column


@dataclass(frozen=True)
class RowReader:
    """Reads rows of one file whose header was matched against known columns.

    Most columns repeat a handful of values (statuses, carriers, dates), so each column
    remembers what its first few thousand distinct cells parsed to; a cell seen before is
    not parsed again. Keys carry the cell's type: ``1``, ``1.0`` and ``True`` are equal in
    Python but not to every parser.
    """

    positions: tuple[tuple[Column, int], ...]
    blank_is_unknown: bool = False
    memos: tuple[dict[tuple[type, Any], Any], ...] = ()

    @classmethod
    def for_header(
        cls, header: Sequence[str], columns: Sequence[Column], blank_is_unknown: bool = False
    ) -> RowReader:
        index = {normalize(name): pos for pos, name in enumerate(header) if name}
        positions = tuple(
            (column, index[normalize(column.header)])
            for column in columns
            if normalize(column.header) in index
        )
        return cls(positions, blank_is_unknown, tuple({} for _ in positions))

    def read(self, number: int, cells: Sequence[Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        width = len(cells)
        keep_blank = not self.blank_is_unknown
        for (column, pos), memo in zip(self.positions, self.memos, strict=True):
            raw = cells[pos] if pos < width else None
            if raw is None or (raw.__class__ is str and (not raw or raw.isspace())):
                if column.required:
                    raise reject(number, column.header, "a value is required")
                if keep_blank:
                    values[column.header] = None
                continue
            key = (raw.__class__, raw)
            value = memo.get(key, memo)
            if value is memo:
                value = self._parsed(number, column, raw)
                if len(memo) < MEMO_LIMIT:
                    memo[key] = value
            values[column.header] = value
        return values

    @staticmethod
    def _parsed(number: int, column: Column, raw: Any) -> Any:
        if is_masked(raw):
            if column.required:
                raise reject(number, column.header, "masked with asterisks, but a value is required")
            return MASKED
        try:
            return column.parse(raw)
        except CellError as exc:
            raise reject(number, column.header, exc.reason) from None


def known(values: dict[str, Any], target: dict[str, Any], pairs: Sequence[tuple[str, str]]) -> None:
    """Copy each known column value (present and not masked) into ``target[field]``."""
    for header, field in pairs:
        value = values.get(header, MASKED)
        if value is not MASKED:
            target[field] = value


def missing_headers(header: Sequence[str], required: Sequence[str]) -> list[str]:
    present = {normalize(name) for name in header}
    return [name for name in required if normalize(name) not in present]


def require_headers(table: Table, required: Sequence[str], refusal: str) -> None:
    """Refuse a file whose header lacks a required column; ``refusal`` is the message, with
    ``{name}`` the file's name and ``{missing}`` the columns it lacks."""
    missing = missing_headers(table.header, required)
    if missing:
        raise SourceError(refusal.format(name=table.name, missing=", ".join(missing)))


def unknown_headers(header: Sequence[str], columns: Sequence[Column]) -> list[str]:
    names = {normalize(column.header) for column in columns}
    return [name for name in header if name and normalize(name) not in names]
