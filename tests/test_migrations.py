"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from store.db import make_engine
from store.migrate import upgrade
from store.models import Base
from store.outbox import SENT_BODY


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


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
