"""What `bob db upgrade` does (its arguments: :mod:`app.cli_core`); the only command besides
`bob seed` and `bob demo` that loads Alembic."""

from __future__ import annotations

import argparse

from app.runtime import Runtime
from store.migrate import upgrade


def db_upgrade(runtime: Runtime, args: argparse.Namespace) -> None:
    created = not runtime.has_schema()
    upgrade(runtime.engine)
    where = runtime.engine.url.render_as_string(hide_password=True)
    print(f"created bob's database schema in {where}" if created else "database schema is up to date")
