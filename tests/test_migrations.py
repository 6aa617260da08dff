"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex

from store.db import make_engine
from store.migrate import upgrade
from store.models import Base
from store.models.partial_index import WHERE
from store.outbox import SENT_BODY


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def _condition(where: object) -> str:
    """A partial index's condition as both databases can echo it (PostgreSQL adds brackets)."""
    return re.sub(r"\s+", " ", str(where).replace("(", "").replace(")", "")).strip().lower()


def _partial_indexes_of_the_models() -> dict[str, str]:
    return {
        index.name: _condition(index.info[WHERE])
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if WHERE in index.info and index.name
    }


def test_partial_indexes_keep_their_condition_in_the_migrations(engine):
    """Alembic compares an index's columns, not its WHERE clause: this compares the clause."""
    inspector, key = inspect(engine), f"{engine.dialect.name}_where"
    migrated = {
        index["name"]: _condition(index["dialect_options"][key])
        for table in Base.metadata.tables
        for index in inspector.get_indexes(table)
        if index["dialect_options"].get(key) is not None and index["name"]
    }
    assert migrated == _partial_indexes_of_the_models()
    assert set(migrated) >= {"ux_incidents_open_topic", "uq_delegation_history_open"}


def test_a_partial_index_of_the_models_is_created_partial_on_both_databases():
    index = next(i for i in Base.metadata.tables["incidents"].indexes if i.name == "ux_incidents_open_topic")
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        ddl = str(CreateIndex(index).compile(dialect=dialect))
        assert (
            ddl == "CREATE UNIQUE INDEX ux_incidents_open_topic ON incidents (topic) WHERE cleared_at IS NULL"
        )


def test_emails_sent_before_0007_lose_their_link_codes_and_passwords(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0006")
    insert = text(
        "INSERT INTO outbox (message_key, message_id, to_address, subject, body_text, body_html,"
        " status, attempts, next_attempt_at, created_at) VALUES (:key, '<m@b>', 'ana@agency.test',"
        " 'Your bob link code', :body, '<p>' || :body || '</p>', :status, 1, :at, :at)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"key": "sent", "body": "code is 482913", "status": "sent", "at": "2026-11-23"})
        conn.execute(
            insert, {"key": "failed", "body": "code is 771002", "status": "failed", "at": "2026-11-23"}
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(text("SELECT message_key, body_text || coalesce(body_html, '') FROM outbox")).all()
        )
    engine.dispose()
    assert rows == {"sent": SENT_BODY, "failed": "code is 771002<p>code is 771002</p>"}
