"""The plan the database chooses for a statement, as lines of text.

The Daily Summary's selectors are written so each starts from the small table of events in
its window; a planner's statistics can still flip a join order silently. Reading the plan
of the very statement bob runs (its own binds and dialect) lets a benchmark show it and a
test pin it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement


class Explain(Executable, ClauseElement):
    """``EXPLAIN QUERY PLAN`` (SQLite) or ``EXPLAIN`` (PostgreSQL) of a statement."""

    inherit_cache = False

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    explained = str(compiler.process(element.statement, **kw))
    compiler.isinsert = False  # the explanation returns rows, whatever it explains
    return prefix + explained


def query_plan(session: Session, statement: ClauseElement) -> list[str]:
    """The plan's lines, outermost step first; SQLite's tree is indented by depth."""
    rows = session.execute(Explain(statement)).all()
    if session.get_bind().dialect.name != "sqlite":
        return [str(row[0]) for row in rows]
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


def steps(lines: list[str]) -> list[str]:
    """SQLite: the plan's reads of a table, in the order of its loops, e.g. ``SEARCH notices USING …``."""
    return [line.strip() for line in lines if line.strip().startswith(("SCAN ", "SEARCH "))]


def first_step(lines: list[str]) -> str:
    """SQLite: the first table the plan reads (its outer loop)."""
    return steps(lines)[0]


def join_order(lines: list[str]) -> list[str]:
    """SQLite: the tables in the order the plan reads them (a table read through two indexes
    at once, ``MULTI-INDEX OR``, counted once)."""
    tables = [step.split()[1] for step in steps(lines)]
    return [table for n, table in enumerate(tables) if n == 0 or tables[n - 1] != table]
