"""`/bob followups` and `bob followups`: outstanding follow-ups by due date, for an agent's own
book or a manager's agency, never another agency's, with every read and refusal audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.block_limits import limit_problems
from bot.followups_command import FollowUpsCommand, page_reply
from bot.parsing import BadCommand
from bot.registry import parse_command
from rules.casework.follow_up_queue import FollowUpFilter, FollowUpRefused, list_follow_ups
from store.models import AuditEntry
from store.models.follow_ups import FollowUpKind
from tests.follow_up_people import NOW, SECRET_NAME, SLACK_IDS, TODAY, build_follow_up_book, follow_up


@pytest.fixture
def people(book, sessions):
    return build_follow_up_book(book, sessions)


def cases(sessions, actor: int, **wanted: Any) -> list[str]:
    found = list_follow_ups(sessions, actor, NOW, FollowUpFilter(**wanted), page_size=100)
    return [row.case_number for row in found.rows]


def audit(sessions, action: str = "followups.list") -> list[tuple[Any, ...]]:
    with sessions() as s:
        return [
            tuple(row)
            for row in s.execute(
                select(AuditEntry.actor_id, AuditEntry.target, AuditEntry.outcome, AuditEntry.detail)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        ]


# The rules


def test_an_agent_lists_the_outstanding_follow_ups_of_their_own_book_soonest_first(sessions, people):
    found = list_follow_ups(sessions, people.ids["ana"], NOW, FollowUpFilter())
    lines = [(r.case_number, r.kind, r.due_on, r.days_left, r.status) for r in found.rows]
    assert lines == [
        ("CASE-ZELDA", "DMI", date(2026, 11, 21), -2, "open"),
        ("CASE-SOON", "SVI", date(2026, 11, 26), 3, "submitted"),
        ("CASE-SHARED", "DMI", date(2026, 12, 3), 10, "open"),
        ("CASE-SOON", "Document", date(2027, 1, 2), 40, "open"),
    ]
    assert found.total == 4 and found.today == TODAY
    # cleared and expired follow-ups, removed delegations and other books are left out
    assert "CASE-GONE" not in cases(sessions, people.ids["ana"])


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({"overdue": True}, ["CASE-ZELDA"]),
        ({"due_within": 3}, ["CASE-SOON"]),
        ({"due_within": 0}, []),
        ({"due_within": 10, "overdue": True}, ["CASE-ZELDA", "CASE-SOON", "CASE-SHARED"]),
    ],
)
def test_due_and_overdue_filter_by_the_agencys_business_date(sessions, people, wanted, expected):
    assert cases(sessions, people.ids["ana"], **wanted) == expected


def test_overdue_flips_at_local_midnight_not_utc_midnight(sessions, people):
    follow_up(sessions, people.consumers["soon"], FollowUpKind.DMI, TODAY)
    # 07:30 UTC on the 24th is still 23:30 on the 23rd in Los Angeles: due today, not overdue
    late_evening = NOW.replace(day=24, hour=7, minute=30)
    found = list_follow_ups(sessions, people.ids["ana"], late_evening, FollowUpFilter(overdue=True))
    assert [r.case_number for r in found.rows] == ["CASE-ZELDA"]


@pytest.mark.parametrize(
    ("moment", "today"),
    [
        (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), date(2026, 11, 1)),  # 00:30 PDT, before the change
        (datetime(2026, 11, 2, 7, 30, tzinfo=UTC), date(2026, 11, 1)),  # 23:30 PST, after it
        (datetime(2026, 11, 2, 8, 0, tzinfo=UTC), date(2026, 11, 2)),  # local midnight, PST
    ],
)
def test_today_is_the_agencys_date_across_the_fall_dst_change(sessions, people, moment, today):
    found = list_follow_ups(sessions, people.ids["ana"], moment, FollowUpFilter())
    assert found.today == today
    assert found.rows[0].days_left == (date(2026, 11, 21) - today).days


def test_a_manager_lists_the_agency_with_each_agent_and_no_other_agency(sessions, people):
    found = list_follow_ups(sessions, people.ids["max"], NOW, FollowUpFilter(agency=True))
    seen = {(r.case_number, r.agent) for r in found.rows}
    assert ("CASE-SHARED", "Lee Levelto (License 0A22222)") in seen
    assert ("CASE-SHARED", "Ana Agent (License 0A11111)") in seen
    assert "CASE-MOON" not in {case for case, _ in seen}
    assert cases(sessions, people.ids["omar"], agency=True) == ["CASE-MOON"]
    assert cases(sessions, people.ids["max"]) == [], "the manager's own book is empty"


@pytest.mark.parametrize("who", ["ana", "lee", "olga"])
def test_an_agent_may_not_list_the_agency_and_the_refusal_is_audited(sessions, people, who):
    with pytest.raises(FollowUpRefused) as refused:
        list_follow_ups(sessions, people.ids[who], NOW, FollowUpFilter(agency=True))
    assert refused.value.reason == "not_manager"
    assert audit(sessions) == [(people.ids[who], "agency", "refused", {"reason": "not_manager"})]


def test_pages_split_a_long_list(sessions, people):
    for day in range(1, 8):
        follow_up(sessions, people.consumers["soon"], FollowUpKind.DOCUMENT, TODAY + timedelta(days=day))
    first = list_follow_ups(sessions, people.ids["ana"], NOW, FollowUpFilter(), page=1, page_size=5)
    second = list_follow_ups(sessions, people.ids["ana"], NOW, FollowUpFilter(), page=2, page_size=5)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (11, 3, 5, 5)
    assert first.rows[-1].due_on <= second.rows[0].due_on


# Parsing, hostile input included


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("followups", FollowUpsCommand()),
        ("FOLLOWUPS --DUE 30", FollowUpsCommand(due_within=30)),
        ("followups --overdue --agency", FollowUpsCommand(overdue=True, agency=True)),
        ("followups --due 5 --overdue --page 2", FollowUpsCommand(5, True, False, 2)),
    ],
)
def test_it_understands_the_followups_command(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("followups --due", "`--due` needs a number"),
        ("followups --due soon", "`--due` needs a number"),
        ("followups --due -3", "`--due` needs a number"),
        ("followups --due ٣", "`--due` needs a number"),
        ("followups --due 99999999999999999999", "`--due` needs a number"),
        ("followups --due 400", "at most 366"),
        ("followups --page 0", "Pages are numbered from 1"),
        ("followups --everything", "has no option `--everything`"),
        ("followups <@U123|x>", "has no option `@u123|x`"),
        ("followups `rm -rf`", "has no option `rm`"),
        ('followups "--due 3', "A quote is not closed"),
    ],
)
def test_it_says_what_to_type_instead(text, hint):
    command = parse_command(text)
    assert isinstance(command, BadCommand)
    assert hint in command.message
    assert "<@" not in command.message


def test_a_full_page_fits_slacks_limits_and_points_at_the_next(sessions, people):
    for _ in range(60):
        follow_up(
            sessions,
            people.consumers["soon"],
            FollowUpKind.DOCUMENT,
            TODAY,
            needed=("<!channel> *Proof* & `more` " * 5)[:120],
        )
    command = FollowUpsCommand(agency=True)
    found = list_follow_ups(sessions, people.ids["max"], NOW, command.wanted)
    reply = page_reply(found, command)
    assert limit_problems(reply.blocks) == []
    text = json.dumps(reply.blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "page 1 of 2" in text and "/bob followups --agency --page 2" in text


# In Slack


async def ask(user, text: str) -> dict[str, Any]:
    status, reply = await user.command_reply(text)
    assert status == 200
    assert reply.get("response_type") == "ephemeral", "follow-ups are shown only to the asker"
    return reply


async def test_slack_lists_an_agents_follow_ups_without_consumer_names(people, bot_user, sessions):
    reply = await ask(bot_user.as_user(SLACK_IDS["ana"]), "followups --due 7 --overdue")
    seen = json.dumps(reply, ensure_ascii=False)
    assert reply["text"] == "Your follow-ups: 2 overdue or due within 7 days."
    assert "`CASE-ZELDA`  DMI · Proof of income · due 11/21/2026 (*2 days overdue*) · open" in seen
    assert "SEP eligibility · due 11/26/2026 (in 3 days) · submitted" in seen
    assert SECRET_NAME.split()[0] not in seen
    assert audit(sessions) == [(people.ids["ana"], "own", "ok", {"channel": "slack"})]


async def test_slack_answers_manager_agent_and_other_agency_each_their_own(people, bot_user, sessions):
    manager = json.dumps(
        await ask(bot_user.as_user(SLACK_IDS["max"]), "followups --agency"), ensure_ascii=False
    )
    assert "CASE-SHARED" in manager and "Lee Levelto (License 0A22222)" in manager
    assert "CASE-MOON" not in manager
    other = json.dumps(
        await ask(bot_user.as_user(SLACK_IDS["omar"]), "followups --agency"), ensure_ascii=False
    )
    assert "CASE-MOON" in other and "CASE-ZELDA" not in other
    refused = await ask(bot_user.as_user(SLACK_IDS["lee"]), "followups --agency")
    assert refused["text"].startswith("Only an Agency Manager")
    assert "blocks" not in refused
    assert [(target, outcome) for _, target, outcome, _ in audit(sessions)] == [
        ("agency", "ok"),
        ("agency", "ok"),
        ("agency", "refused"),
    ]


async def test_next_and_previous_turn_the_page_for_whoever_presses(people, bot_user, sessions, slack):
    for _ in range(45):
        follow_up(sessions, people.consumers["soon"], FollowUpKind.DOCUMENT, TODAY + timedelta(days=60))
    first = await ask(bot_user.as_user(SLACK_IDS["max"]), "followups --agency")
    [buttons] = [block for block in first["blocks"] if block["type"] == "actions"]
    [next_button] = buttons["elements"]
    assert next_button["action_id"] == "followups_next"
    assert next_button["value"] == "followups --agency --page 2"
    assert limit_problems(first["blocks"]) == []

    before = len(slack.named("response_url"))  # the command's own reply may have come this way
    status, _ = await bot_user.as_user(SLACK_IDS["max"]).press_button("followups_next", next_button["value"])
    assert status == 200
    [second] = await slack.wait_for(lambda: slack.named("response_url")[before:])
    text = json.dumps(second.params, ensure_ascii=False)
    assert second.params["replace_original"] is True and second.params["response_type"] == "ephemeral"
    assert "page 2 of 2" in text and "followups_previous" in text and "followups_next" not in text

    # the same button pressed by an agent is answered as the agent's own command would be
    await bot_user.as_user(SLACK_IDS["lee"]).press_button("followups_next", next_button["value"])
    await slack.wait_for(lambda: len(slack.named("response_url")) == 2)
    assert slack.named("response_url")[1].params["text"].startswith("Only an Agency Manager")
    assert [target for _, target, _, _ in audit(sessions)] == ["agency", "agency", "agency"]


@pytest.mark.parametrize("value", ["crw list --agency", "followups --page 0", "x" * 5000, ""])
async def test_a_tampered_page_button_is_answered_as_stale(people, bot_user, slack, value):
    await bot_user.as_user(SLACK_IDS["max"]).press_button("followups_next", value)
    [reply] = await slack.wait_for(lambda: slack.named("response_url"))
    assert reply.params["text"].startswith("This button no longer points at a page of follow-ups")


def test_a_page_past_the_end_says_how_many_there_are(sessions, people):
    command = FollowUpsCommand(page=7)
    found = list_follow_ups(sessions, people.ids["ana"], NOW, command.wanted, command.page)
    assert page_reply(found, command).text == "Your follow-ups: 4 outstanding, on 1 page; there is no page 7."


async def test_an_unlinked_user_gets_link_instructions(people, bot_user):
    reply = await ask(bot_user.as_user("U0NOBODY"), "followups")
    assert "/bob link" in reply["text"] and "CASE-" not in json.dumps(reply, ensure_ascii=False)


# On the command line


def test_the_cli_twin_lists_and_audits_the_os_user(people, cli_at, sessions, capsys):
    assert cli_at(NOW, "followups", "--as", "0A11111", "--overdue") == 0
    out = capsys.readouterr().out
    assert "CASE-ZELDA" in out and "2 days overdue" in out and "CASE-SOON" not in out
    [(actor, target, outcome, detail)] = audit(sessions)
    assert (actor, target, outcome, detail["channel"]) == (people.ids["ana"], "own", "ok", "cli")
    assert detail["os_user"]


def test_the_cli_prints_json_of_the_whole_agency(people, cli_at, capsys):
    assert cli_at(NOW, "followups", "--as", "0A33333", "--agency", "--all", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["case_number"] for row in rows} == {"CASE-ZELDA", "CASE-SOON", "CASE-SHARED"}
    assert rows[0] == {
        "case_number": "CASE-ZELDA",
        "kind": "DMI",
        "needed": "Proof of income",
        "due_on": "2026-11-21",
        "days_left": -2,
        "status": "open",
        "agent": "Ana Agent (License 0A11111)",
    }


def test_another_agencys_manager_sees_only_their_own_agency_on_the_cli(people, cli_at, capsys):
    assert cli_at(NOW, "followups", "--as", "0B11111", "--agency") == 0
    out = capsys.readouterr().out
    assert "CASE-MOON" in out and "Olga Otherlevel (License 0B22222)" in out
    assert "CASE-ZELDA" not in out and "CASE-SHARED" not in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--as", "0A11111", "--agency"], "Only an Agency Manager"),
        (["--as", "0B11111", "--due", "400"], "--due counts days, from 0 to 366"),
        (["--as", "0A11111", "--page", "99999999999999999999"], "pages are numbered from 1 to 100,000"),
    ],
)
def test_the_cli_refuses_in_one_line(people, cli_at, capsys, args, error):
    assert cli_at(NOW, "followups", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("bob: error: ") and error.lower() in err.lower()
    assert len(err.strip().splitlines()) == 1


def test_the_cli_rejects_a_hostile_number_before_touching_the_store(people, cli_at, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_at(NOW, "followups", "--as", "0A11111", "--due", "-1")
    assert exit_.value.code == 2
    assert "too small" in capsys.readouterr().err
