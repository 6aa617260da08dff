"""A selection staged in a temporary table: ``CREATE TEMP TABLE … ON COMMIT DROP AS SELECT``,
which SQLAlchemy has no construct for.

PostgreSQL never runs the SELECT of an ``INSERT … SELECT`` in parallel, but may run the
SELECT of a ``CREATE TABLE … AS`` on several workers. The alert ledger's selections scan
the history tables of the whole book, so on PostgreSQL they are staged this way and then
inserted from the stage: at 1M consumers the floor's same selection took 5.8 s with two
workers and 9.8 s without (``EXPLAIN ANALYZE`` on the 2-core machine, bench/README.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, TableClause, column, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable


class StageSelect(Executable, ClauseElement):
    """``CREATE TEMP TABLE <name> ON COMMIT DROP AS <query>``: gone when the transaction ends,
    committed or rolled back."""

    inherit_cache = False

    def __init__(self, name: str, query: Select[Any]) -> None:
        self.name = name
        self.query = query


@compiles(StageSelect)
def _stage_select(element: StageSelect, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CREATE TEMP TABLE {element.name} ON COMMIT DROP AS {compiler.process(element.query, **kw)}"


def staged(name: str, columns: list[str]) -> TableClause:
    """The staged table, to select from."""
    return table(name, *(column(each) for each in columns))
