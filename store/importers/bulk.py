"""executemany straight to the driver, for the import's chunks of inserts and updates.

SQLAlchemy Core builds a parameter set per row (defaults, bind names, type processing
through several layers): on a 100k-row Book of Business that cost more than the database
did. Here each statement is compiled once per set of columns and each value goes through
its column type's own bind processor (enums, UTC timestamps, SQLite dates), so the driver
receives exactly what Core would have sent it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase

ROW_ID = "row_id"


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row; rows may differ in the columns they give."""
    for keys, group in _by_columns(rows).items():
        _execute_many(session, insert(table), keys, group)


def update_rows(session: Session, table: Table, changes: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """UPDATE rows by id, one executemany per set of changed columns."""
    rows = [{ROW_ID: row_id, **values} for row_id, values in changes]
    statement = update(table).where(table.c.id == bindparam(ROW_ID))
    for keys, group in _by_columns(rows).items():
        _execute_many(session, statement, keys, group)


def _by_columns(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:  # rows built by the same code list their columns in the same order
        groups[tuple(row)].append(row)
    return groups


def _execute_many(
    session: Session, statement: UpdateBase, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=[k for k in keys if k != ROW_ID])
    assert isinstance(compiled, SQLCompiler)
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    unknown = [name for name in names if name not in keys]
    if unknown:  # a column default Core would have filled in; the import gives every value
        raise ValueError(f"bulk write to {statement.table} lacks {', '.join(unknown)}")
    processors: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
    for position, name in enumerate(names):
        bind_type = compiled.binds[name].type.dialect_impl(dialect)
        if (process := bind_type.bind_processor(dialect)) is not None:
            processors.append((position, process, {}))
    params: list[Any] = []
    row_values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    positional = compiled.positional
    for row in rows:
        values = list(row_values(row))
        for position, processor, done in processors:
            # A chunk repeats its timestamps and statuses: each distinct value is processed
            # once (keyed with its type, as 1 == True in Python).
            value = values[position]
            key = (value.__class__, value)
            processed = done.get(key, done)
            if processed is done:
                processed = done[key] = processor(value)
            values[position] = processed
        params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
    connection.exec_driver_sql(compiled.string, params)
