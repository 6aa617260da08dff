"""Shared fixtures: a migrated store per test and a builder for hand-made books.

Store tests run on SQLite, and on PostgreSQL too when a server answers at ``$BOB_TEST_PG_URL``
(or as ``--db sqlite,postgresql`` says). Each PostgreSQL test gets a
fresh database cloned from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailer.daily_summary import DeliverySettings
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.factories import Book

pytest_plugins = ["tests.bot_people"]  # the Slack test fixtures: running bot, fake Slack, people

PG_ADMIN_URL = os.environ.get("BOB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("BOB_TEST_DB", "auto"),
        help="comma-separated backends for store tests: sqlite, postgresql; "
        "auto (default) = sqlite, plus postgresql when it answers",
    )


def _backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--db")
    if chosen != "auto":
        return [b.strip() for b in chosen.split(",") if b.strip()]
    if not hasattr(config, "_bob_backends"):
        admin = _pg_admin()
        config._bob_backends = ["sqlite", "postgresql"] if admin else ["sqlite"]  # type: ignore[attr-defined]
        if admin:
            admin.dispose()
    return list(config._bob_backends)  # type: ignore[attr-defined]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _backends(metafunc.config), scope="session")


def _pg_admin() -> Engine | None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return engine
    except OperationalError:
        engine.dispose()
        return None


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per session, cloned for each test."""
    admin = _pg_admin()
    if admin is None:
        pytest.skip(f"PostgreSQL does not answer at {make_url(PG_ADMIN_URL).render_as_string()}")
    name = f"bob_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated through Alembic; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "bob.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "bob.db"
        shutil.copy(request.getfixturevalue("migrated_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"bob_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def book(sessions: sessionmaker[Session]) -> Book:
    return Book(sessions)


@pytest.fixture
def delivery() -> DeliverySettings:
    return DeliverySettings(
        from_address="bob@agency.test",
        mailbox_hint="Use /bob mailbox.",
        include_pii_in_email=False,
        lease=timedelta(minutes=15),
    )
