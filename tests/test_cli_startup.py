"""`bob --help` answers at once: building and reading the parser imports no heavy library.

Each check runs in a fresh interpreter (this test process has imported everything already)
and reads the modules that interpreter ended with. Which commands are fast is measured by
``bench/cli_startup.py``; this guards the cause, the imports, without a clock.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, timedelta

import pytest

from app.cli import build_parser, main
from app.commands import command_handler

# Libraries a parser must never import: each costs from 20 ms to half a second at start.
HEAVY = (
    "aiohttp",
    "aiosmtpd",
    "aiosmtplib",
    "alembic",
    "apscheduler",
    "cryptography",
    "jinja2",
    "mako",
    "msoffcrypto",
    "openpyxl",
    "psycopg",
    "rich",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
)

# Runs bob with each argv given as JSON in one interpreter; prints the modules it then holds.
RUN_BOB = """
import json, sys
from app.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def every_module_after(*argvs: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running bob with ``argvs``."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_BOB, json.dumps(argvs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def modules_after(*argvs: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh interpreter holds after running bob with ``argvs``."""
    return {name.partition(".")[0] for name in every_module_after(*argvs, env=env)}


def commands_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    found = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return found[0] if found else None


def command_paths(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command (``("summary", "run")``) and command group (``("summary",)``) of ``parser``."""
    commands = commands_of(parser)
    if commands is None:
        return []
    paths: list[tuple[str, ...]] = []
    for name, sub in commands.choices.items():
        paths += [(*words, name), *command_paths(sub, (*words, name))]
    return paths


def test_bob_help_imports_no_heavy_library():
    assert modules_after(["--help"]) & set(HEAVY) == set()


def test_no_commands_help_imports_a_heavy_library():
    every_help = [[*path, "--help"] for path in command_paths(build_parser())]
    assert len(every_help) > 30
    assert modules_after(*every_help) & set(HEAVY) == set()


def test_a_mistyped_argument_imports_no_heavy_library():
    assert modules_after(["summary", "run", "--date", "yesterday"]) & set(HEAVY) == set()


# What a command with nothing to do must not load: the libraries of the commands that send,
# render, export or migrate; the PostgreSQL dialect on SQLite; the daily run and its topics.
NOT_FOR_NOTHING_TO_DO = {
    "aiosmtplib",
    "aiosmtpd",
    "alembic",
    "cryptography",
    "jinja2",
    "openpyxl",
    "prometheus_client",
    "psycopg",
    "rich",
    "slack_bolt",
    "sqlalchemy.dialects.postgresql",
    "mailer.daily_summary",
    "rules.topics",
}


def on_sqlite(tmp_path) -> dict[str, str]:
    return {"BOB_DATABASE_URL": f"sqlite:///{tmp_path / 'bob.db'}", "PATH": "/usr/bin:/bin"}


def test_outbox_status_loads_the_store_and_nothing_for_sending(tmp_path):
    """Looking at the outbox needs SQLAlchemy and the outbox's table, not Alembic, the SMTP
    client or the other tables; and the probe does see a library once a command uses it
    (`db upgrade` and Alembic)."""
    env = on_sqlite(tmp_path)
    assert {"sqlalchemy", "alembic"} <= modules_after(["db", "upgrade"], env=env)
    loaded = every_module_after(["outbox", "status"], env=env)
    assert "sqlalchemy" in loaded
    assert loaded & NOT_FOR_NOTHING_TO_DO == set()
    assert {name for name in loaded if name.startswith("store.models.")} == {
        "store.models.base",
        "store.models.delivery",
    }


def test_a_done_date_loads_the_run_ledger_and_not_the_run(tmp_path):
    """`bob summary run` for a date already done reads the run ledger and stops: no rules,
    templates, progress bar or tables beyond the ledger's; the first run loads them all."""
    env, day = on_sqlite(tmp_path), (date.today() - timedelta(days=3)).isoformat()
    run = ["summary", "run", "--date", day, "--allow-old"]
    every_module_after(["db", "upgrade"], env=env)
    with closing(sqlite3.connect(tmp_path / "bob.db")) as db, db:  # a date is done agency by agency
        db.execute(
            "INSERT INTO agencies (code, name, time_zone, prevent_downline_exports,"
            " mask_exports_by_default, created_at)"
            " VALUES ('sunrise', 'Sunrise', 'America/Los_Angeles', 0, 0, '2026-01-01 00:00:00')"
        )
    assert {"jinja2", "rules.topics"} <= every_module_after(run, env=env)
    loaded = every_module_after(run, env=env)
    assert loaded & NOT_FOR_NOTHING_TO_DO == set()
    assert {name for name in loaded if name.startswith("store.models.")} <= {
        "store.models.base",
        "store.models.delivery",
        "store.models.ledgers",
        "store.models.partial_index",
    }


# Runs bob in one interpreter, counting the garbage collections; prints the count.
COUNT_COLLECTIONS = """
import gc, json, sys
from app.cli import main
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "stop" else None)
main(json.loads(sys.argv[1]))
print(len(runs))
"""


def test_a_commands_imports_set_off_no_garbage_collection(tmp_path):
    """Importing builds long-lived objects and next to no garbage: the collector is off while
    a command starts (app.interpreter.collector_paused); with it on, `bob outbox status` ran
    about 120 collections, 84 of them inside `import sqlalchemy`."""
    env = on_sqlite(tmp_path)
    subprocess.run([sys.executable, "-m", "app.cli", "db", "upgrade"], env=env, check=True, timeout=120)
    done = subprocess.run(
        [sys.executable, "-c", COUNT_COLLECTIONS, json.dumps(["outbox", "status"])],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    assert int(done.stdout.splitlines()[-1]) < 30


def test_a_command_in_process_leaves_the_collector_as_it_found_it():
    before = gc.isenabled(), gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["--help"])
    assert (gc.isenabled(), gc.get_freeze_count()) == before


@pytest.mark.parametrize("path", command_paths(build_parser()), ids=" ".join)
def test_every_command_names_a_function_that_exists(path):
    """A command names its function as a string, so a typo would surface only when run."""
    parser = build_parser()
    for word in path:
        parser = commands_of(parser).choices[word]
    if commands_of(parser) is not None:  # a group such as `bob summary`: its actions name them
        assert parser.get_default("handler") is None
        return
    function = command_handler(parser.get_default("handler"))
    assert list(inspect.signature(function).parameters) == ["runtime", "args"]
