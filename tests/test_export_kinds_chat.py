"""`/bob export followups|at-risk|roster` over signed Slack requests and `bob export …` on the
command line: an agent, a manager and another agency's manager each get exactly their own,
the workbook arrives encrypted in the DM with its password apart, and no reply names a consumer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.commands import export as export_commands
from bot.export_command import ExportCommand
from bot.parsing import BadCommand
from bot.registry import parse_command
from store.models import AuditEntry, ExportRecord
from tests.export_fixtures import open_workbook
from tests.fake_slack import SlackUser
from tests.follow_up_people import NOW, SECRET_NAME, SLACK_IDS, build_follow_up_book
from tests.test_bot_export import PASSWORD, SECRET, decrypt, delivered, make_bot


@pytest.fixture
def people(book, sessions):
    return build_follow_up_book(book, sessions)


@pytest.fixture
async def bot(sessions, slack, tmp_path, people):
    running = await make_bot(sessions, slack, tmp_path)
    yield lambda who: SlackUser(running.url, slack, SECRET, user_id=SLACK_IDS[who])
    await running.stop()


# Parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("export followups", ExportCommand(kind="follow_ups")),
        ("export followups dmi agency --masked", ExportCommand("agency", masked=True, kind="follow_ups_dmi")),
        ("export AT-RISK", ExportCommand(kind="at_risk")),
        ("export roster", ExportCommand("agency", kind="roster")),
    ],
)
def test_it_understands_the_new_export_words(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("export followups dmi svi", "Write it as `/bob export followups [dmi|svi] [agency]`."),
        ("export followups <@U0MAX>", "Write it as `/bob export followups [dmi|svi] [agency]`."),
        ("export at-risk svi", "Write it as `/bob export at-risk [agency]`."),
        ("export roster agency", "Write it as `/bob export roster`."),
        ("export followups --snapshot", "`--snapshot` is for the Book of Business only"),
        ("export roster --changes", "`--changes` is for the Book of Business only"),
        ("export followups --everything", "has no option `--everything`"),
    ],
)
def test_it_says_how_to_write_a_new_export(text, hint):
    command = parse_command(text)
    assert isinstance(command, BadCommand)
    assert hint in command.message


# In Slack


async def test_an_agent_gets_their_follow_ups_encrypted_in_the_dm(bot, slack, sessions, people):
    reply = await bot("ana").answer("export followups")
    assert reply.startswith("Preparing your follow-ups: 5 follow-ups… (Ana Agent (License 0A11111))")
    data, complete, password_message = await delivered(slack)
    assert complete.params["channel_id"] == "D0ANA"
    assert password_message.params["response_type"] == "ephemeral"
    password = PASSWORD.search(password_message.text).group(1)
    rows = list(decrypt(data, password).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and rows[0][0] == "CASE-ZELDA"
    first, last = SECRET_NAME.split()
    for call in slack.calls:
        if call.method != "upload":
            assert first not in json.dumps(call.params), call.method
    with sessions() as session:
        record = session.scalars(select(ExportRecord)).one()
    assert (record.kind, record.requested_via, record.status) == ("follow_ups", "slack", "succeeded")


async def test_a_manager_gets_the_roster_and_the_agencys_dmi_follow_ups(bot, slack):
    roster = await bot("max").answer("export roster")
    assert roster.startswith("Preparing your agency's roster: 3 enrollers… (All Agents of Sunrise Insurance)")
    data, _, password_message = await delivered(slack)
    password = PASSWORD.search(password_message.text).group(1)
    names = [row[2] for row in decrypt(data, password).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["0A11111", "0A22222", "0A33333"]


@pytest.mark.parametrize(
    ("who", "text", "refusal"),
    [
        ("ana", "export followups agency", "Agents can export only their own follow-ups"),
        ("lee", "export at-risk agency", "Agents can export only their own delegations at risk"),
        ("olga", "export roster", "Your role cannot export the agency's roster"),
        ("omar", "export at-risk agency", "No delegation of All Agents of Moonrise Insurance is pending"),
        ("max", "export followups svi", "No follow-ups due since 09/23/2026 in the book of Max Manager"),
    ],
)
async def test_each_is_refused_what_is_not_theirs_and_it_is_audited(
    bot, slack, sessions, people, who, text, refusal
):
    reply = await bot(who).answer(text)
    assert reply.startswith(refusal)
    assert "Preparing" not in reply and "CASE-" not in reply
    with sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.request")).all()
        assert (entry.actor_id, entry.outcome) == (people.ids[who], "refused")
        assert session.scalars(select(ExportRecord)).all() == []
    assert slack.named("files.completeUploadExternal") == []


async def test_another_agencys_manager_exports_only_their_own_agency(bot, slack):
    reply = await bot("omar").answer("export followups agency")
    assert "1 follow-up…" in reply and "Moonrise" in reply
    data, _, password_message = await delivered(slack)
    password = PASSWORD.search(password_message.text).group(1)
    rows = list(decrypt(data, password).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["CASE-MOON"]


# On the command line


@pytest.fixture
def bob(monkeypatch, tmp_path: Path, db_url: str, people):
    monkeypatch.setattr(export_commands, "utcnow", lambda: NOW)
    config = tmp_path / "bob.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[exports]\ndirectory = "{tmp_path}/store"\n')
    return lambda *args: main(["--config", str(config), *args])


def test_bob_export_followups_dmi_agency_writes_the_managers_workbook(bob, capsys, tmp_path):
    out_dir = tmp_path / "mine"
    assert (
        bob(
            "export",
            "followups",
            "dmi",
            "agency",
            "--as",
            "0A33333",
            "--out",
            str(out_dir),
            "--show-password",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Preparing the DMI follow-ups of All Agents of Sunrise Insurance: 4 follow-ups" in out
    path = Path(re.search(r"Encrypted workbook \(4 rows\): (\S+)", out).group(1))
    assert path == out_dir / "FollowUps-DMI_Agency-Sunrise-Insurance_2026-11-23.xlsx"
    password = re.search(r"Password .*\n  (\S+)", out).group(1)
    rows = list(open_workbook(path, password).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert {row[6] for row in rows} == {"DMI"} and "CASE-MOON" not in {row[0] for row in rows}


def test_bob_export_at_risk_masked_for_an_agent(bob, capsys, tmp_path):
    assert bob("export", "at-risk", "--masked", "--as", "0A11111", "--show-password") == 0
    out = capsys.readouterr().out
    path = Path(re.search(r"Encrypted workbook \(2 rows\): (\S+)", out).group(1))
    password = re.search(r"Password .*\n  (\S+)", out).group(1)
    rows = list(open_workbook(path, password).worksheets[0].iter_rows(min_row=2, values_only=True))
    # the pending one is masked; the removed one no longer gives a date of birth at all
    assert sorted(str(row[3]) for row in rows) == ["**/**/****", "None"]
    assert bob("exports", "list", "--as", "0A11111") == 0
    assert "Delegations at risk: Ana Agent (License 0A11111)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["roster", "--as", "0A11111"], "bob: error: your role cannot export the agency's roster"),
        (
            ["followups", "agency", "--as", "0A22222"],
            "bob: error: agents can export only their own follow-ups",
        ),
        (["at-risk", "agency", "--as", "0B11111"], "bob: error: no delegation of All Agents of Moonrise"),
        (
            ["followups", "dmi", "svi", "--as", "0A11111"],
            "`bob export followups [dmi|svi] [agency] --as 0A11111`",
        ),
        (["roster", "--snapshot", "--as", "0A33333"], "for the Book of Business only"),
    ],
)
def test_bob_export_refuses_in_one_line(bob, capsys, args, error):
    assert bob("export", *args) == 2
    err = capsys.readouterr().err
    assert error in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
