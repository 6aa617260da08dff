"""Which Alembic revision the database is at, against the newest this bob ships (its head)."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from store.migrate import alembic_config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The database's revision, or None when bob's migrations never ran there."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


def schema_is_current(engine: Engine) -> bool:
    return database_revision(engine) == head_revision(engine)
