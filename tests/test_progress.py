"""Long commands draw a progress bar on a terminal, and nothing off one."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from app import progress
from app.cli import main
from app.commands import export as export_commands
from app.progress import progress_bar
from tests.export_fixtures import NOW, build_people

DATA = Path(__file__).parent / "data"


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    """stderr as a terminal: what the bar draws lands in the returned buffer."""
    screen = io.StringIO()
    monkeypatch.setattr(
        progress, "progress_console", lambda: Console(file=screen, force_terminal=True, width=160)
    )
    return screen


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.setattr(export_commands, "utcnow", lambda: NOW)


def test_the_bar_counts_with_a_rate_and_time_left_when_the_total_is_known(terminal):
    with progress_bar("exporting", "rows", total=10) as bar:
        bar.advance(4)
        bar.reach(10)
    drawn = terminal.getvalue()
    assert "exporting" in drawn and "10/10 rows" in drawn and "0:00:00" in drawn


def test_off_a_terminal_there_is_no_bar(capsys):
    with progress_bar("exporting", "rows", total=10) as bar:
        bar.advance(10)
    assert capsys.readouterr().err == ""


def test_bob_seed_shows_its_bar_on_a_terminal(tmp_path, monkeypatch, terminal, capsys):
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    assert main(["seed", "--agencies", "1", "--consumers", "40"]) == 0
    assert "seeding" in terminal.getvalue() and "40/40 consumers" in terminal.getvalue()
    assert capsys.readouterr().err == ""


def test_bob_seed_off_a_terminal_shows_no_bar(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    assert main(["seed", "--agencies", "1", "--consumers", "40"]) == 0
    assert "seeding" not in capsys.readouterr().err


def test_bob_export_counts_rows_on_a_terminal(env, book, terminal, capsys):
    build_people(book)
    assert main(["export", "--as", "0A12345", "--show-password"]) == 0
    drawn = terminal.getvalue()
    assert "exporting" in drawn and "5/5 rows" in drawn
    assert "exporting" not in capsys.readouterr().err


def test_bob_summary_run_counts_digests_on_a_terminal(env, book, terminal):
    agent = book.enroller(book.agency(), "Ana", "Agent", license_number="0A12345")
    book.notice(book.consumer(agent), datetime(2026, 11, 22, 20, tzinfo=UTC))
    assert main(["summary", "run", "--date", "2026-11-23"]) == 0
    assert "writing digests" in terminal.getvalue() and "1 digests" in terminal.getvalue()


def test_bob_import_of_a_csv_shows_the_time_left(env, book, tmp_path, terminal, capsys):
    book.agency()
    clients = Path(shutil.copy(DATA / "healthsherpa_clients.csv", tmp_path))
    assert main(["import", "healthsherpa", str(clients), "--agency", "sunrise"]) == 0
    drawn = terminal.getvalue()
    assert "importing" in drawn and "3/3 rows" in drawn
    assert capsys.readouterr().err == ""


def test_off_a_terminal_commands_draw_nothing(env, book, tmp_path, capsys):
    book.agency()
    clients = Path(shutil.copy(DATA / "healthsherpa_clients.csv", tmp_path))
    assert main(["import", "healthsherpa", str(clients), "--agency", "sunrise"]) == 0
    assert main(["summary", "run", "--date", "2026-11-23"]) == 0
    assert capsys.readouterr().err == ""
