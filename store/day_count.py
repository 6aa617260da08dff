"""Whole days from a business date to a date column, in SQL, on SQLite and PostgreSQL alike.

A selector that asks "is this follow-up due in exactly N days" for every follow-up at once
needs the day count in the query itself. PostgreSQL subtracts two dates into an integer;
SQLite keeps dates as ISO text and counts days through ``julianday``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_until(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it is
    """``days_until(column, day)``: the column's date minus ``day``, in whole days."""

    type = Integer()
    inherit_cache = True
    name = "days_until"

    def __init__(self, column: Any, day: date) -> None:
        super().__init__(column, literal(day, Date))


@compiles(days_until)
def _days_until(element: days_until, compiler: Any, **kw: Any) -> str:
    column, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} - CAST({day} AS DATE))"


@compiles(days_until, "sqlite")
def _days_until_sqlite(element: days_until, compiler: Any, **kw: Any) -> str:
    column, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({column}) - julianday({day}) AS INTEGER)"
