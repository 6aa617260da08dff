"""Shared fixtures: a migrated SQLite store per test and a builder for hand-made books."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mailer.daily_summary import DeliverySettings
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.factories import Book


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated through Alembic; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "bob.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    path = tmp_path / "bob.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


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
    return DeliverySettings(from_address="bob@agency.test", mailbox_hint="Use /bob mailbox.")
