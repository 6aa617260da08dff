"""What bob asks of PostgreSQL for its large reads and writes, checked on a real server: a
streamed read is planned to be read to its end, and digest bodies are compressed with lz4
where the server has it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from store.db import make_engine


@pytest.fixture
def postgres(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner and compression settings; SQLite has neither")
    return engine


def test_a_streamed_read_is_planned_to_be_read_to_the_end(postgres):
    with postgres.connect() as conn:
        assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar() == "1"
    with postgres.connect() as conn:  # a connection back from the pool keeps it
        assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar() == "1"


def test_the_operators_own_connection_options_are_kept(postgres):
    url = postgres.url.update_query_dict({"options": "-c statement_timeout=54321"})
    for isolation in ("READ COMMITTED", "AUTOCOMMIT"):
        engine = make_engine(url.render_as_string(hide_password=False), isolation_level=isolation)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW statement_timeout")).scalar() == "54321ms"
                assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar() == "1"
        finally:
            engine.dispose()


def test_digest_bodies_are_compressed_with_lz4_where_the_server_has_it(postgres):
    with postgres.connect() as conn:
        has_lz4 = conn.execute(
            text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
        methods = dict(
            conn.execute(
                text(
                    "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute "
                    "WHERE attrelid IN ('mailbox_messages'::regclass, 'outbox'::regclass) "
                    "AND attname IN ('body_text', 'body_html', 'alerts')"
                )
            ).all()
        )
    assert len(methods) == 5
    assert set(methods.values()) == ({"l"} if has_lz4 else {""})
