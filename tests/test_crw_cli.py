"""`bob crw …`, `bob transfer` and `bob help-request …` end to end through `app.cli.main`."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import msoffcrypto
import pytest
from sqlalchemy import select

from app.cli import main
from app.commands import crw as crw_commands
from app.commands import help_requests as help_commands
from store.models import OutboxEmail, Role
from tests.export_fixtures import open_workbook

NOW = datetime(2026, 11, 23, 16, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.setattr(crw_commands, "utcnow", lambda: NOW)
    monkeypatch.setattr(help_commands, "utcnow", lambda: NOW)


@pytest.fixture
def people(env, book) -> dict[str, int]:
    sunrise = book.agency("sunrise", "Sunrise")
    moonlight = book.agency("moonlight", "Moonlight")
    ids = {
        "ana": book.enroller(sunrise, "Ana", "Assignee", Role.AGENT_L2, license_number="0A100"),
        "bo": book.enroller(sunrise, "Bo", "Levelone", Role.AGENT_L1, license_number="0A101"),
        "lee": book.enroller(sunrise, "Lee", "Leveltwo", Role.AGENT_L2, license_number="0A102"),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, license_number="0A103"),
        "sue": book.enroller(sunrise, "Sue", "Support", Role.SUPPORT_STAFF, license_number="0A104"),
        "mo": book.enroller(moonlight, "Mo", "Other", Role.AGENCY_MANAGER, license_number="0B1"),
    }
    consumer = book.consumer(
        ids["ana"], first_name="Zelda", last_name="Renewer", primary_phone="(916) 555-0199"
    )
    book.crw_case(consumer, ids["ana"], NOW - timedelta(days=10), risk=5, case_number="CRW-A1")
    book.crw_case(
        consumer, ids["ana"], NOW - timedelta(days=40), risk=2, reason="APTC change", case_number="CRW-A2"
    )
    book.crw_case(
        consumer,
        ids["bo"],
        NOW - timedelta(days=20),
        risk=3,
        case_number="CRW-B1",
        closed=NOW - timedelta(days=5),
    )
    return ids


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_tiles_list_show_note_close(people, capsys):
    status, out, _ = run(capsys, "crw", "tiles", "--as", "0A100", "--json")
    assert status == 0 and json.loads(out)["open_cases"] == 2
    status, out, _ = run(capsys, "crw", "tiles", "--as", "ana.assignee@agency.test")
    assert "Open CRW cases: 2" in out and "5 Very High Risk 1" in out

    status, out, _ = run(capsys, "crw", "list", "--as", "0A100", "--json")
    assert [(r["case_number"], r["age_days"]) for r in json.loads(out)] == [("CRW-A1", 10), ("CRW-A2", 40)]
    status, out, _ = run(capsys, "crw", "list", "--as", "0A100", "--aging", "30")
    assert "CRW-A2" in out and "CRW-A1" not in out and "Zelda" not in out

    status, out, _ = run(capsys, "crw", "note", "--as", "0A100", "CRW-A1", "Left", "a", "voicemail")
    assert (status, out) == (0, "note added to CRW case CRW-A1\n")
    status, out, _ = run(capsys, "crw", "show", "--as", "0A100", "CRW-A1")
    assert "Zelda Renewer" in out and "(916) 555-0199" in out and "Left a voicemail" in out
    assert "in_progress" in out
    status, out, _ = run(capsys, "crw", "show", "--as", "0A103", "CRW-A1", "--json")
    assert json.loads(out)["contact"] is None and "Zelda" not in out

    status, _, err = run(
        capsys, "crw", "close", "--as", "0A100", "CRW-A1", "--reason", "Because", "--steps", "Called"
    )
    assert status == 2 and err.startswith("bob: error: 'Because' is not a resolution reason; reasons:")
    assert err.count("\n") == 1
    status, out, _ = run(
        capsys,
        "crw",
        "close",
        "--as",
        "0A100",
        "CRW-A1",
        "--reason",
        "Renewed - new plan",
        "--steps",
        "Compared plans, renewed",
    )
    assert (status, out) == (0, "CRW case CRW-A1 is closed\n")


def test_unknown_and_other_peoples_cases_are_one_line(people, capsys):
    for who, case in (("0A101", "CRW-A1"), ("0B1", "CRW-A1"), ("0A100", "CRW-ZZ")):
        status, out, err = run(capsys, "crw", "show", "--as", who, case)
        assert status == 2 and out == ""
        hint = f"`bob crw list --as {who}`"
        assert err == f"bob: error: no CRW case {case} in your book; check the number with {hint}\n"
    status, _, err = run(capsys, "crw", "list", "--as", "nobody@agency.test")
    assert status == 2 and "no enroller has that license number or email" in err


def test_crw_commands_take_the_bare_case_number_digests_print(people, book, capsys):
    consumer = book.consumer(people["ana"], case_number="7000000567")
    book.crw_case(consumer, people["ana"], NOW - timedelta(days=3), case_number="CRW-7000000567")
    for typed in ("7000000567", "crw-7000000567", " CRW-7000000567 "):
        status, out, err = run(capsys, "crw", "show", "--as", "0A100", typed)
        assert (status, err) == (0, "") and out.startswith("CRW case CRW-7000000567 ")
    status, out, _ = run(capsys, "crw", "note", "--as", "0A100", "7000000567", "Called")
    assert (status, out) == (0, "note added to CRW case CRW-7000000567\n")
    status, _, err = run(capsys, "crw", "show", "--as", "0A101", "7000000567")
    assert status == 2 and "no CRW case 7000000567 in your book" in err


def test_a_short_reason_is_read_or_said_to_be_ambiguous(people, capsys):
    status, _, err = run(
        capsys, "crw", "close", "--as", "0A100", "CRW-A1", "--reason", "renewed", "--steps", "Renewed"
    )
    assert status == 2 and "needs a resolution reason" not in err and "missing" not in err
    assert "'renewed' could be any of: Renewed - same plan; Renewed - new plan" in err
    status, _, err = run(
        capsys, "crw", "close", "--as", "0A100", "CRW-A1", "--reason", "Other", "--steps", " "
    )
    assert status == 2 and "closing a case as 'Other' needs the steps taken" in err
    status, out, _ = run(
        capsys,
        "crw",
        "close",
        "--as",
        "0A100",
        "CRW-A1",
        "--reason",
        "renewed-same-plan",
        "--steps",
        "Renewed",
    )
    assert (status, out) == (0, "CRW case CRW-A1 is closed\n")
    status, out, _ = run(capsys, "crw", "show", "--as", "0A100", "CRW-A1")
    assert "Renewed - same plan. Steps: Renewed" in out


def test_hints_name_the_command_to_type_here(people, book, capsys):
    status, _, err = run(capsys, "crw", "note", "--as", "ana.assignee@agency.test", "CRW-A1", " ")
    assert status == 2 and "`bob crw note <case> <text> --as ana.assignee@agency.test`" in err
    status, _, err = run(capsys, "help-request", "show", "HR-2026-000999", "--as", "0A100")
    assert status == 2 and "check the number with `bob help-request list --as 0A100`" in err
    gone = book.enroller(book.agency("dusk", "Dusk"), "Gus", "Gone", license_number="0C1", active=False)
    assert gone
    status, _, err = run(capsys, "crw", "list", "--as", "0C1")
    assert status == 2 and "link your account" not in err and "not active" in err


def test_transfer_and_the_agency_view(people, capsys):
    status, _, err = run(capsys, "transfer", "--as", "0A103", "CRW-A1", "Bo", "Levelone")
    assert status == 2 and "is not an Agent Level 2" in err
    status, _, err = run(capsys, "transfer", "--as", "0A100", "CRW-A1", "0A102")
    assert status == 2 and "only an Agency Manager" in err
    status, out, _ = run(capsys, "transfer", "--as", "0A103", "CRW-A1", "Lee", "Leveltwo")
    assert out == (
        "CRW case CRW-A1 moved from Ana Assignee (License 0A100) to Lee Leveltwo (License 0A102)\n"
    )
    status, out, _ = run(capsys, "crw", "list", "--as", "0A103", "--agency")
    assert "CRW-A1" in out and "Lee Leveltwo" in out
    status, out, _ = run(capsys, "crw", "agency", "--as", "0A103", "--json")
    enrollers = {e["enroller"]: e for e in json.loads(out)["enrollers"]}
    assert enrollers["Lee Leveltwo (License 0A102)"]["open_cases"] == 1
    assert enrollers["Bo Levelone (License 0A101)"]["average_resolution_days"] == 15.0
    status, _, err = run(capsys, "crw", "agency", "--as", "0A101")
    assert status == 2 and "only an Agency Manager" in err


def test_the_crw_report_is_encrypted_and_reads_back(people, capsys, tmp_path):
    out_file = tmp_path / "reports" / "crw.xlsx"
    status, out, _ = run(
        capsys,
        "crw",
        "report",
        "--as",
        "0A103",
        "--agency",
        "sunrise",
        "--out",
        str(out_file),
        "--show-password",
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"Encrypted CRW report of Sunrise (3 cases): {out_file}"
    password = lines[-1].strip()
    assert password not in lines[0] and len(password) == 23
    with out_file.open("rb") as encrypted:
        assert msoffcrypto.OfficeFile(encrypted).is_encrypted()
    workbook = open_workbook(out_file, password)
    assert workbook.sheetnames == ["Tiles", "Enrollers", "Cases"]
    tiles = [tuple(r) for r in workbook["Tiles"].iter_rows(min_row=2, values_only=True)]
    assert ("Open CRW cases", "all", 2) in tiles
    assert ("Average resolution time", "15.0 days", 1) in tiles
    assert ("Aging CRW cases", "<45 days", 1) in tiles
    cases = list(workbook["Cases"].iter_rows(values_only=True))
    assert cases[0] == (
        "Case Number",
        "Plan Year",
        "Risk",
        "Risk Category",
        "Reason",
        "Status",
        "Opened",
        "Age (days)",
        "Assigned Enroller",
    )
    assert cases[1][:6] == ("CRW-A1", 2026, 5, "Very High Risk", "Premium increase", "open")
    assert cases[1][6].date() == date(2026, 11, 13) and cases[1][7] == 10
    enrollers = {r[0]: r for r in workbook["Enrollers"].iter_rows(min_row=2, values_only=True)}
    assert enrollers["Bo Levelone (License 0A101)"][1:4] == (0, 1, 15.0)  # a number, not text
    every_cell = json.dumps(
        [[str(c) for c in row] for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    )
    assert "Zelda" not in every_cell and "555-0199" not in every_cell


def test_the_crw_report_password_is_emailed_unless_shown(people, capsys, tmp_path, sessions):
    out_file = tmp_path / "crw.xlsx"
    status, out, _ = run(
        capsys, "crw", "report", "--as", "0A103", "--agency", "sunrise", "--out", str(out_file)
    )
    assert status == 0 and "Password" not in out and "emailed to your address on file" in out
    with sessions() as session:
        email = session.scalars(select(OutboxEmail)).one()
    password = re.search(r"^    (\S+)$", email.body_text, re.MULTILINE).group(1)
    assert password not in out and open_workbook(out_file, password).sheetnames[0] == "Tiles"


def test_a_crw_report_that_cannot_be_written_is_one_line(people, capsys, tmp_path):
    (tmp_path / "a-file").write_text("")
    out_file = tmp_path / "a-file" / "crw.xlsx"
    status, out, err = run(
        capsys, "crw", "report", "--as", "0A103", "--agency", "sunrise", "--out", str(out_file)
    )
    assert status == 2 and err.count("\n") == 1 and "cannot be written" in err


def test_the_crw_report_is_for_managers_of_that_agency(people, capsys, tmp_path):
    for who, agency in (("0A100", "sunrise"), ("0B1", "sunrise"), ("0A103", "moonlight")):
        status, out, err = run(
            capsys, "crw", "report", "--as", who, "--agency", agency, "--out", str(tmp_path / "x.xlsx")
        )
        assert status == 2 and out == "" and err.count("\n") == 1
    assert not (tmp_path / "x.xlsx").exists()
    run(capsys, "crw", "report", "--as", "0A103", "--agency", "sunrise", "--out", str(tmp_path / "x.xlsx"))
    status, _, err = run(
        capsys, "crw", "report", "--as", "0A103", "--agency", "sunrise", "--out", str(tmp_path / "x.xlsx")
    )
    assert status == 2 and "exists already" in err


def test_help_requests_on_the_command_line(people, capsys):
    status, out, _ = run(
        capsys,
        "help-request",
        "new",
        "--as",
        "0A100",
        "--category",
        "consumer-case",
        "--topic",
        "Application stuck",
        "--details",
        "Cannot submit",
        "--json",
    )
    assert status == 0
    number = json.loads(out)["number"]
    assert json.loads(out)["routed_team"] == "Consumer Case Team"
    status, _, err = run(capsys, "help-request", "show", "--as", "0A101", number)
    assert status == 2 and f"no help request {number} that you can see" in err
    status, _, err = run(capsys, "help-request", "update", "--as", "0A103", number, "--status", "resolved")
    assert status == 2 and "only support staff" in err
    status, out, _ = run(
        capsys,
        "help-request",
        "update",
        "--as",
        "0A104",
        number,
        "--status",
        "pending-information",
        "--note",
        "Upload the notice",
    )
    assert out == f"help request {number} is now pending_information\n"
    status, out, _ = run(capsys, "help-request", "show", "--as", "0A100", number)
    assert "pending_information" in out and "Upload the notice" in out
    status, out, _ = run(capsys, "help-request", "list", "--as", "0A103", "--open", "--json")
    assert [v["number"] for v in json.loads(out)] == [number]
    status, out, _ = run(capsys, "help-request", "list", "--as", "0B1")
    assert out == "no help requests\n"
    status, _, err = run(capsys, "help-request", "show", "--as", "0A100", "HR-2026-999999")
    assert status == 2 and "no help request HR-2026-999999" in err


def test_a_bad_category_is_an_argument_error(people, capsys):
    with pytest.raises(SystemExit):
        main(
            [
                "help-request",
                "new",
                "--as",
                "0A100",
                "--category",
                "billing",
                "--topic",
                "t",
                "--details",
                "d",
            ]
        )
    assert "is not a category; use one of: consumer-case" in capsys.readouterr().err
