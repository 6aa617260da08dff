"""`bob export`, `bob exports list|expire` and `bob snapshot take` from the command line."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.commands import export as export_commands
from store.models import ExportRecord, OutboxEmail
from tests.export_fixtures import NOW, People, build_people, open_workbook


@pytest.fixture
def people(book) -> People:
    return build_people(book)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(export_commands, "utcnow", lambda: NOW)


@pytest.fixture
def config_file(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "bob.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n[exports]\ndirectory = "{tmp_path}/store"\n')
    return path


def bob(config_file: Path, *args: str) -> int:
    return main(["--config", str(config_file), *args])


def test_bob_export_prints_the_file_and_the_password_apart(config_file, people, capsys, tmp_path):
    status = bob(
        config_file,
        "export",
        "--as",
        "max.manager@agency.test",
        "agent",
        "Ana",
        "Agent",
        "--masked",
        "--out",
        str(tmp_path / "mine"),
        "--show-password",
    )
    out = capsys.readouterr().out
    assert status == 0
    path = Path(re.search(r"Encrypted workbook \(5 rows\): (\S+)", out).group(1))
    assert path == tmp_path / "mine" / "BookOfBusiness_Ana-Agent_0A12345_2026-11-20.xlsx"
    password = re.search(r"Password .*\n  (\S+)", out).group(1)
    assert "keep it apart from the file" in out
    rows = list(open_workbook(path, password).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and {r[4] for r in rows} == {"***-**-****"}
    assert len(list((tmp_path / "store").iterdir())) == 1

    assert bob(config_file, "exports", "list", "--as", "max.manager@agency.test") == 0
    listing = capsys.readouterr().out
    assert "succeeded" in listing and "Ana Agent (License 0A12345)" in listing
    assert bob(config_file, "exports", "expire") == 0
    assert "deleted 0 expired" in capsys.readouterr().out


def test_without_show_password_the_password_is_emailed_not_printed(config_file, people, sessions, capsys):
    assert bob(config_file, "export", "--as", "0A12345") == 0
    out = capsys.readouterr().out
    assert "Password" not in out and "emailed to your address on file" in out and "--show-password" in out
    with sessions() as session:
        email = session.scalars(select(OutboxEmail)).one()
    assert email.to_address == "ana.agent@agency.test" and "saved by the bob command line" in email.body_text
    password = re.search(r"^    (\S+)$", email.body_text, re.MULTILINE).group(1)
    assert password not in out
    path = Path(re.search(r"Encrypted workbook \(5 rows\): (\S+)", out).group(1))
    assert len(list(open_workbook(path, password).worksheets[0].iter_rows(min_row=2))) == 5


def test_where_passwords_go_by_email_show_password_is_refused_before_the_export(
    config_file, people, sessions, capsys
):
    config_file.write_text(config_file.read_text() + 'password_delivery = "email"\n')
    assert bob(config_file, "export", "--as", "0A12345", "--show-password") == 2
    assert 'password_delivery is "email"' in capsys.readouterr().err
    with sessions() as session:
        assert session.scalars(select(ExportRecord)).all() == []
    assert bob(config_file, "export", "--as", "0A12345") == 0
    out = capsys.readouterr().out
    assert "emailed to your address on file" in out and "--show-password" not in out


def test_refusals_and_bad_scopes_are_one_line_errors(config_file, people, capsys):
    assert bob(config_file, "export", "--as", "0A12345", "agency") == 2
    err = capsys.readouterr().err
    assert err.startswith("bob: error: agents can export only their own") and "Traceback" not in err
    assert bob(config_file, "export", "--as", "0A12345", "everything", "please") == 2
    assert "cannot read the scope" in capsys.readouterr().err


def test_bob_snapshot_take_freezes_every_agency_once(config_file, people, capsys):
    assert bob(config_file, "snapshot", "take", "--date", "2026-11-13") == 0
    assert bob(config_file, "snapshot", "take", "--date", "2026-11-13") == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out
        == ["sunrise: snapshot of 2026-11-13 holds 7 rows", "moonlight: snapshot of 2026-11-13 holds 1 rows"]
        * 2
    )


def test_exports_list_says_what_each_export_held_in_the_agencys_time(config_file, people, capsys):
    assert bob(config_file, "snapshot", "take", "--date", "2026-11-13") == 0
    assert bob(config_file, "export", "--as", "0A12345", "--masked") == 0
    assert bob(config_file, "export", "--as", "0A12345", "--snapshot", "--changes", "--unmasked") == 0
    capsys.readouterr()
    assert bob(config_file, "exports", "list", "--as", "0A12345") == 0
    newest, oldest = capsys.readouterr().out.splitlines()
    assert "2026-11-20 10:00 PST" in newest and "until 11:00" in newest
    assert "[unmasked, snapshot, changes sheet]" in newest
    assert "[masked, live book]" in oldest
    assert bob(config_file, "exports", "list", "--as", "0A12345", "--json") == 0
    first, second = json.loads(capsys.readouterr().out)
    assert (first["changes_sheet"], first["snapshot"], first["masked"]) == (True, True, False)
    assert (second["changes_sheet"], second["masked"]) == (False, True)
    assert first["requested_at_local"] == "2026-11-20T10:00:00-08:00"


def test_the_export_folders_bob_creates_and_its_files_are_owner_only(tmp_path, db_url, people, capsys):
    config = tmp_path / "private.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[exports]\ndirectory = "{tmp_path}/var/exports"\n')
    usual_umask = os.umask(0o022)
    try:
        assert bob(config, "export", "--as", "0A12345") == 0
    finally:
        os.umask(usual_umask)
    exports = tmp_path / "var" / "exports"
    assert [stat.S_IMODE(p.stat().st_mode) for p in (exports.parent, exports)] == [0o700, 0o700]
    assert {stat.S_IMODE(p.stat().st_mode) for p in exports.iterdir()} == {0o600}
