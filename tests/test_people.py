"""Finding a person by license number, email or full name: one case rule at every entry point.

Ana is on file as ``Ana.Agent@Example.com`` / ``0A12345`` (an import keeps an email as it was
written); Lou's license was stored lower-case with a stray space. Any letter case and stray
spaces find them: on the command line (``--as``, ``bob mailbox``) and in Slack (``/bob link``,
``/bob export agent``, ``/bob transfer``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cli import main
from bot.app import start_bot
from exports.settings import ExportsConfig
from rules.people import enrollers_named, find_enroller
from store.models import CrwCase, OutboxEmail, Role
from tests.bot_people import NOW, SECRET
from tests.fake_slack import SlackUser

ANA_SPELLINGS = [
    "0A12345",
    "0a12345",
    " 0a12345 ",
    "Ana.Agent@Example.com",
    "ana.agent@example.com",
    "  ANA.AGENT@EXAMPLE.COM ",
]


@pytest.fixture
def people(book) -> dict[str, int]:
    sunrise = book.agency()
    ids = {
        "ana": book.enroller(
            sunrise, "Ana", "Agent", license_number="0A12345", email="Ana.Agent@Example.com"
        ),
        "lou": book.enroller(
            sunrise, "Lou", "Lower", Role.AGENT_L2, license_number=" 0b777", email="lou@x.test"
        ),
        "lee": book.enroller(sunrise, "Lee", "Leveltwo", Role.AGENT_L2, license_number="0A22222"),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, slack_user_id="U0MAX"),
        "ina": book.enroller(
            sunrise, "Ina", "Inactive", license_number="0A99999", email="ina@x.test", active=False
        ),
    }
    consumer = book.consumer(ids["ana"])
    book.enrollment(consumer)
    book.crw_case(consumer, ids["ana"], NOW - timedelta(days=3), case_number="CRW-000001")
    return ids


@pytest.mark.parametrize("spelling", ANA_SPELLINGS)
def test_any_case_and_stray_spaces_find_the_enroller(sessions, people, spelling):
    with sessions() as session:
        found = find_enroller(session, spelling)
        assert found is not None and found.id == people["ana"]


def test_a_license_stored_lower_case_is_found_and_inactive_people_only_when_asked(sessions, people):
    with sessions() as session:
        assert find_enroller(session, "0B777").id == people["lou"]  # type: ignore[union-attr]
        assert find_enroller(session, "0a99999").id == people["ina"]  # type: ignore[union-attr]
        assert find_enroller(session, "0A99999", active_only=True) is None
        assert find_enroller(session, "Ana.Agent") is None


def test_names_match_whole_in_any_case_and_a_license_wins(sessions, people):
    with sessions() as session:
        assert [e.id for e in enrollers_named(session, "  ana   AGENT ")] == [people["ana"]]
        assert [e.id for e in enrollers_named(session, "0b777 ")] == [people["lou"]]
        assert enrollers_named(session, "Ana") == []


# The command line


@pytest.fixture
def cli(monkeypatch, db_url, tmp_path, people):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    assert main(["summary", "run", "--date", "2026-11-23", "--allow-old"]) == 0


@pytest.mark.parametrize("spelling", ANA_SPELLINGS)
def test_bob_mailbox_list_and_show_find_ana_by_any_spelling(cli, capsys, spelling):
    capsys.readouterr()
    assert main(["mailbox", "list", spelling, "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert main(["mailbox", "show", spelling, str(entry["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == entry["id"]


@pytest.mark.parametrize("spelling", [" 0a12345", "ana.agent@EXAMPLE.com "])
def test_acting_as_with_any_spelling(cli, capsys, tmp_path, spelling):
    capsys.readouterr()
    assert main(["crw", "tiles", "--as", spelling, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["open_cases"] == 1
    assert main(["export", "--as", spelling]) == 0
    assert "Preparing the Book of Business of Ana Agent (License 0A12345)" in capsys.readouterr().out
    assert main(["exports", "list", "--as", spelling, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


# Slack


@pytest.fixture
async def max_in_slack(deps, slack, tmp_path, people):
    """The bot of ``tests/bot_people.py``, able to export, with Max linked as U0MAX."""
    running = await start_bot(
        replace(deps, exports_config=ExportsConfig(directory=str(tmp_path / "exports")))
    )
    yield SlackUser(running.url, slack, SECRET, user_id="U0MAX")
    await running.stop()


@pytest.mark.parametrize("spelling", ["ana.agent@example.com", " Ana.Agent@Example.com ", "0a12345"])
async def test_link_finds_ana_by_any_spelling(max_in_slack, sessions, spelling):
    _, reply = await max_in_slack.as_user("U0NEWANA").command(f"link {spelling}")
    assert "we emailed a code" in reply
    with sessions() as session:
        [email] = session.scalars(select(OutboxEmail)).all()
    assert email.recipient_id and email.to_address == "Ana.Agent@Example.com"


async def test_export_agent_finds_ana_by_a_lower_case_license(max_in_slack, slack):
    reply = await max_in_slack.answer("export agent  0a12345 ")
    assert "Preparing" in reply and "1 consumer" in reply
    await slack.wait_for(lambda: slack.named("files.completeUploadExternal"))


async def test_transfer_finds_the_agent_by_any_case_of_name_or_license(max_in_slack, sessions, people):
    _, reply = await max_in_slack.command("transfer CRW-000001  0B777 ")
    assert "moved from Ana Agent" in reply
    _, reply = await max_in_slack.command("transfer CRW-000001 LEE   leveltwo")
    assert "moved from Lou Lower" in reply
    with sessions() as session:
        case = session.scalars(select(CrwCase).where(CrwCase.case_number == "CRW-000001")).one()
        assert case.assigned_enroller_id == people["lee"]
