"""A partial index (``CREATE INDEX … WHERE``), written once for SQLite and PostgreSQL alike.

SQLAlchemy spells the condition per dialect (``sqlite_where=``, ``postgresql_where=``) and
checks such a keyword by importing its dialect when the model is defined: every command on
SQLite then loaded the PostgreSQL dialect, whose catalog tables alone take 25 ms to import
(half of `bob outbox status`'s own work beyond SQLAlchemy). Here the condition rides in the
index's ``info`` and is added to the index's DDL for whichever database compiles it. The
migrations state the same indexes with Alembic (``op.create_index(…, sqlite_where=…,
postgresql_where=…)``); tests/test_migrations.py checks both give the same DDL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, TextClause, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex

WHERE = "bob_where"


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows where ``where`` (plain SQL on this table's columns) holds."""
    return Index(name, *columns, unique=unique, info={WHERE: text(where)})


@compiles(CreateIndex)
def _create_partial_index(create: CreateIndex, compiler: Any, **kw: Any) -> str:
    ddl: str = compiler.visit_create_index(create, **kw)
    where: TextClause | None = create.element.info.get(WHERE)
    if where is None:
        return ddl
    return f"{ddl} WHERE {compiler.sql_compiler.process(where, include_table=False, literal_binds=True)}"
