"""A run that leaves PostgreSQL out says so in its summary, instead of looking just as green."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_frequency.py"]
    done = subprocess.run(
        [*command, "-k", "cadence", *args], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stdout[-2000:]
    return done.stdout


def test_choosing_sqlite_only_shows_the_postgresql_variants_as_skipped():
    out = _run("--db", "sqlite")
    assert "--db sqlite leaves out postgresql" in out
    assert " skipped" in out.splitlines()[-1] and " passed" in out.splitlines()[-1]


def test_a_silent_postgresql_shows_its_variants_as_skipped_with_the_reason():
    env = os.environ | {
        "BOB_TEST_PG_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none",
        "BOB_TEST_DB": "auto",
    }
    out = _run(env=env)
    assert "PostgreSQL does not answer at postgresql+psycopg://postgres@127.0.0.1:9/none" in out
