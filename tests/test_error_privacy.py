"""A database error never shows the values bob bound to the failing statement.

Each test makes one real statement fail inside the driver (as a unique key or a NUL byte
on PostgreSQL would) in the import, the bot, the daily run and the sender, remembers the
values bound to it, and looks for them in everything bob wrote: stdout, stderr, the log
and the exception with its traceback.
"""

from __future__ import annotations

import re
import shutil
import traceback
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event

from app.cli import main
from rules.calendar import business_date
from store.models import utcnow
from store.zones import DEFAULT_TIME_ZONE

DATA = Path(__file__).parent / "data"


class FailingStatement:
    """Makes the driver reject every statement matching ``pattern``, remembering its values
    (bare words such as ``daily_summary`` are left out: they also name code in a traceback)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.values: set[str] = set()

    def __call__(self, conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not self.pattern.search(statement):
            return
        rows = parameters if isinstance(parameters, list) else [parameters]
        for row in rows:
            for value in row.values() if isinstance(row, dict) else row or ():
                if isinstance(value, str) and not re.fullmatch(r"[A-Za-z_]*", value):
                    self.values.add(value)
                elif isinstance(value, datetime | date):
                    self.values.update({str(value), repr(value), value.isoformat()})
        raise conn.dialect.loaded_dbapi.IntegrityError("the driver refused the statement")

    def assert_hidden_in(self, *outputs: str) -> None:
        assert self.values, "the statement never ran"
        for output in outputs:
            for value in self.values:
                assert value not in output


@pytest.fixture
def failing() -> Iterator[Any]:
    hooks: list[FailingStatement] = []

    def install(pattern: str) -> FailingStatement:
        hook = FailingStatement(pattern)
        event.listen(Engine, "before_cursor_execute", hook)
        hooks.append(hook)
        return hook

    yield install
    for hook in hooks:
        event.remove(Engine, "before_cursor_execute", hook)


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def outputs_of(argv: list[str], capsys, caplog) -> list[str]:
    """Run ``bob argv`` and return everything it wrote, the exception included."""
    try:
        main(argv)
        raised = ""
    except Exception as exc:  # a database error is a bug: it propagates with its traceback
        raised = "".join(traceback.format_exception(exc))
    out = capsys.readouterr()
    return [out.out, out.err, caplog.text, raised]


def test_an_import_whose_write_fails_shows_no_value_from_the_file(env, tmp_path, failing, capsys, caplog):
    shutil.copytree(DATA / "bob", tmp_path / "bob")
    hook = failing(r"INSERT INTO consumers")
    outputs = outputs_of(["-v", "import", str(tmp_path / "bob")], capsys, caplog)
    hook.assert_hidden_in(*outputs)
    assert "900-10-0001" in hook.values  # the SSN really was bound to the failing statement


async def test_a_crw_note_whose_write_fails_shows_no_value_in_the_reply_or_log(cast, failing, caplog):
    hook = failing(r"INSERT INTO crw_notes")
    _, reply = await cast.as_("ana").command_reply("crw note CRW-000101 Called 900-55-4321 at home")
    assert "900-55-4321" in " ".join(hook.values)
    hook.assert_hidden_in(str(reply), caplog.text)


def test_a_daily_run_whose_write_fails_shows_no_value(env, cast, failing, capsys, caplog):
    hook = failing(r"INSERT INTO mailbox_messages")
    today = business_date(utcnow(), ZoneInfo(DEFAULT_TIME_ZONE))
    outputs = outputs_of(["summary", "run", "--date", today.isoformat()], capsys, caplog)
    hook.assert_hidden_in(*outputs)


def test_a_drain_whose_query_fails_shows_no_value(env, book, failing, capsys, caplog):
    hook = failing(r"FROM outbox")
    outputs = outputs_of(["outbox", "drain"], capsys, caplog)
    hook.assert_hidden_in(*outputs)


def test_a_constraint_error_does_not_repeat_the_failing_row(engine):
    """PostgreSQL's message goes on with "DETAIL: Failing row contains (…)"; bob keeps its
    first line."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE probe (a TEXT NOT NULL, b TEXT, c INTEGER CHECK (c > 0))"))
        conn.commit()
        for a, c in ((None, 1), ("x", -1)):
            with pytest.raises(IntegrityError) as raised:
                values = {"a": a, "b": "Pat Example 900-12-3456", "c": c}
                conn.execute(text("INSERT INTO probe VALUES (:a, :b, :c)"), values)
            conn.rollback()
            assert "900-12-3456" not in "".join(traceback.format_exception(raised.value))
