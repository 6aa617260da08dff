"""Shared fixtures: a migrated store per test and a builder for hand-made books.

Store tests run on SQLite, and on PostgreSQL too when a server answers at ``$BOB_TEST_PG_URL``
(or as ``--db sqlite,postgresql`` says). Each PostgreSQL test gets a
fresh database cloned from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

import store.models.base
from app.cli import main
from mailer.daily_summary import DeliverySettings
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.factories import Book

pytest_plugins = [
    "tests.bot_people",
    "tests.web_fixtures",
    "tests.browser",
]  # Slack, web and browser fixtures

PG_ADMIN_URL = os.environ.get("BOB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("BOB_TEST_DB", "auto"),
        help="comma-separated backends for store tests: sqlite, postgresql; "
        "auto (default) = sqlite, plus postgresql when it answers",
    )


BACKENDS = ("sqlite", "postgresql")


def _skipped_backends(config: pytest.Config) -> dict[str, str]:
    """Each backend the store tests will not run on, with the reason the summary prints."""
    if not hasattr(config, "_bob_skipped"):
        chosen = config.getoption("--db")
        if chosen != "auto":
            wanted = {b.strip() for b in chosen.split(",") if b.strip()}
            skipped = {b: f"--db {chosen} leaves out {b}" for b in BACKENDS if b not in wanted}
        else:
            admin = _pg_admin()
            skipped = {} if admin else {"postgresql": f"PostgreSQL does not answer at {_pg_where()}"}
            if admin:
                admin.dispose()
        config._bob_skipped = skipped  # type: ignore[attr-defined]
    return dict(config._bob_skipped)  # type: ignore[attr-defined]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every store test is generated for both backends; one that cannot run here shows as skipped."""
    if "backend" in metafunc.fixturenames:
        skipped = _skipped_backends(metafunc.config)
        params = [
            pytest.param(b, marks=pytest.mark.skip(reason=skipped[b])) if b in skipped else b
            for b in BACKENDS
        ]
        metafunc.parametrize("backend", params, scope="session")


def _pg_where() -> str:
    return make_url(PG_ADMIN_URL).render_as_string()


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
        pytest.skip(f"PostgreSQL does not answer at {_pg_where()}")
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
        web_base_url="",
        unsubscribe_secret="",
        unsubscribe_address="",
    )


@pytest.fixture
def cli_at(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> Callable[..., int]:
    """`bob` on the command line over the test's database: ``cli_at(moment, *args)`` runs it
    with the clock pinned at ``moment`` (what ``store.models.utcnow()`` reads, so the CLI,
    importers and Daily Summary runs all see it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)

    def at(moment: datetime, *args: str) -> int:
        class Clock(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return moment.astimezone(tz or UTC)

        monkeypatch.setattr(store.models.base, "datetime", Clock)
        return main(list(args))

    return at
