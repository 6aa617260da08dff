"""Tables read in the order written: ``a CROSS JOIN b CROSS JOIN c``.

A selector that starts from the few events in its window and looks their delegations up by
index stays fast whatever the planner believes; SQLite's statistics (``ANALYZE``) flip its
join order the other way round and make it 30–70× slower. SQLite never moves the right
table of a ``CROSS JOIN`` before its left one (its documented manual control of the plan);
PostgreSQL reads ``CROSS JOIN`` as an inner join and plans it by cost as before. The join
conditions go in the ``WHERE`` clause, where both use them to look rows up by index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import FromClause, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join


class CrossJoin(Join):
    """``left CROSS JOIN right``; its conditions belong in the ``WHERE`` clause."""

    __visit_name__ = "cross_join"
    inherit_cache = True

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(left, right, true())


@compiles(CrossJoin)
def _cross_join(element: CrossJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    left = compiler.process(element.left, **kw)
    return f"{left} CROSS JOIN {compiler.process(element.right, **kw)}"


def in_order(first: Any, *rest: Any) -> FromClause:
    """The tables, models or subqueries, read outermost first."""
    joined = first
    for table in rest:
        joined = CrossJoin(joined, table)
    return joined
