"""The "Changed since last snapshot" sheet: new and removed cases and status changes.

Both books are streamed in (consumer id, delegated agent id) order and merged like two
sorted files, so the comparison needs no more memory than one row of each. Integer keys
keep the merge order identical on every database, whatever its text collation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from exports.columns import CASE_NUMBER, COLUMNS, DELEGATED_AGENT, STATUS_COLUMNS, Kind
from exports.snapshots import KeyedRow
from exports.workbook import Sheet

SHEET_NAME = "Changed since last snapshot"
HEADERS = ("Case Number", "Change", "Column", "Before", "After", "Delegated Agent")
WIDTHS = (14, 14, 26, 16, 16, 34)


def changes(current: Iterable[KeyedRow], baseline: Iterable[KeyedRow]) -> Iterator[list[Any]]:
    """Rows of the changes sheet: cases only in ``current`` are New, cases only in
    ``baseline`` are Removed, and each status column that differs is one Status changed row."""
    now_rows, then_rows = iter(current), iter(baseline)
    now, then = next(now_rows, None), next(then_rows, None)
    while now is not None or then is not None:
        if then is None or (now is not None and now[:2] < then[:2]):
            yield _row(now[2], "New")  # type: ignore[index]
            now = next(now_rows, None)
        elif now is None or then[:2] < now[:2]:
            yield _row(then[2], "Removed")
            then = next(then_rows, None)
        else:
            for index in STATUS_COLUMNS:
                if now[2][index] != then[2][index]:
                    yield _row(now[2], "Status changed", index, then[2][index], now[2][index])
            now, then = next(now_rows, None), next(then_rows, None)


def _row(
    values: Any, change: str, index: int | None = None, before: Any = None, after: Any = None
) -> list[Any]:
    column = f"{COLUMNS[index].letter} {COLUMNS[index].header}" if index is not None else None
    return [values[CASE_NUMBER], change, column, before, after, values[DELEGATED_AGENT]]


def changes_sheet(rows: Iterable[list[Any]]) -> Sheet:
    return Sheet(SHEET_NAME, HEADERS, (Kind.TEXT,) * len(HEADERS), WIDTHS, rows)
