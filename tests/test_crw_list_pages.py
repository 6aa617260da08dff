"""`/bob crw list` in pages, through signed requests: a page stays within Slack's limits
whatever the number of cases, and Previous/Next re-run the same list (same filters, same
checks, same audit) for whoever pressed them, replacing the message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.block_kit import Reply
from bot.block_limits import MESSAGE_BLOCKS, TEXT_CHARS, limit_problems
from bot.blocks_crw import PAGE_CASES, ListPage, case_list_reply
from rules.casework.crw_rows import CrwCaseRow
from store.models import AuditEntry
from tests.bot_people import NOW

EXTRA_URGENT = 25  # with CRW-000101, 26 very-high-risk cases: two pages


@pytest.fixture
def many(cast, book):
    """Ana gets 25 more very-high-risk cases and 3 of medium risk."""
    for n in range(EXTRA_URGENT):
        book.crw_case(
            book.consumer(cast.ids["ana"]),
            cast.ids["ana"],
            NOW - timedelta(days=n + 1),
            risk=5,
            reason="Premium increase",
            case_number=f"CRW-2{n:05d}",
        )
    for n in range(3):
        book.crw_case(
            book.consumer(cast.ids["ana"]),
            cast.ids["ana"],
            NOW - timedelta(days=n),
            case_number=f"CRW-3{n:05d}",
        )
    return cast


def listed(reply: dict) -> list[str]:
    return [
        e["value"]
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "crw_case_open"
    ]


def page_buttons(reply: dict) -> dict[str, str]:
    return {
        e["text"]["text"]: e["value"]
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("crw_list_")
    }


def within_limits(reply: dict) -> None:
    assert limit_problems(reply["blocks"]) == []
    assert len(reply["blocks"]) <= MESSAGE_BLOCKS and len(reply["text"]) <= TEXT_CHARS


async def turn(user, value: str, action_id: str = "crw_list_next") -> dict:
    before = len(user.slack.named("response_url"))
    status, _ = await user.press_button(action_id, value)
    assert status == 200
    answers = await user.slack.wait_for(lambda: user.slack.named("response_url")[before:])
    return answers[0].params


def list_reads(sessions) -> list[tuple]:
    with sessions() as s:
        query = select(AuditEntry.target, AuditEntry.outcome).where(AuditEntry.action == "crw.list")
        return [tuple(row) for row in s.execute(query.order_by(AuditEntry.id))]


async def test_a_long_list_pages_with_its_filters_kept_and_each_page_within_slacks_limits(many, sessions):
    ana = many.as_("ana")
    _, first = await ana.command_reply("crw list --risk 5")
    within_limits(first)
    assert len(listed(first)) == PAGE_CASES and first["text"] == "Your CRW cases: 20 shown, page 1."
    assert page_buttons(first) == {"Next": "crw list --risk 5 --page 2"}
    assert "`/bob crw list --risk 5 --page 2` shows the next page" in str(first["blocks"])

    second = await turn(ana, page_buttons(first)["Next"])
    assert second["replace_original"] is True and second["response_type"] == "ephemeral"
    within_limits(second)
    assert page_buttons(second) == {"Previous": "crw list --risk 5 --page 1"}
    everything = listed(first) + listed(second)
    assert len(everything) == 1 + EXTRA_URGENT == len(set(everything))  # every case once, none of risk 3
    assert not any(number.startswith("CRW-3") for number in everything)
    assert "5 Very High" in str(second["blocks"]) and "3 Medium" not in str(second["blocks"])

    again = await turn(ana, page_buttons(second)["Previous"], "crw_list_previous")
    assert listed(again) == listed(first) and again["replace_original"] is True
    assert list_reads(sessions) == [("own", "ok")] * 3  # each page read is audited as the command's


async def test_an_unfiltered_managers_list_pages_with_transfer_buttons_within_limits(many):
    max_ = many.as_("max")
    _, first = await max_.command_reply("crw list --agency")
    within_limits(first)
    assert page_buttons(first) == {"Next": "crw list --agency --page 2"}
    second = await turn(max_, "crw list --agency --page 2")
    within_limits(second)
    transfers = [e for b in second["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["value"] for e in transfers if e["action_id"] == "crw_case_transfer"] == listed(second)
    assert len(listed(first)) + len(listed(second)) == 3 + EXTRA_URGENT + 3  # Sunrise's open cases


async def test_a_page_button_pressed_by_an_agent_gets_the_commands_refusal_and_audit(many, sessions):
    ana = many.as_("ana")
    _, by_command = await ana.command("crw list --agency")
    assert by_command.startswith("Only an Agency Manager")
    answer = await turn(ana, "crw list --agency --page 2")
    assert answer["text"] == by_command and not answer.get("blocks")
    assert list_reads(sessions) == [("agency", "refused")] * 2


@pytest.mark.parametrize(
    "value",
    ["crw show CRW-000101", "crw list --page 0", "crw list --risk 9", "followups --page 2", "x" * 5000, ""],
)
async def test_a_tampered_page_button_is_answered_as_stale(many, sessions, value):
    answer = await turn(many.as_("max"), value)
    assert answer["text"].startswith("This button no longer points at a page of CRW cases")
    assert answer["replace_original"] is False
    assert list_reads(sessions) == []


async def test_a_page_past_the_end_says_so(many):
    answer = await turn(many.as_("ana"), "crw list --page 9")
    assert answer["text"] == "Your CRW cases: there is no page 9; `/bob crw list` starts from the first."


def test_a_closed_case_in_a_list_can_only_be_shown():
    rows = [
        CrwCaseRow("CRW-000001", 5, "Very High", "Premium increase", "open", 3, "Ana Agent"),
        CrwCaseRow("CRW-000002", 3, "Medium", "Moved", "closed", 30, "Ana Agent"),
    ]
    reply = case_list_reply(rows, None, None, False, ListPage(), can_transfer=True)
    actions = [[e["text"]["text"] for e in b["elements"]] for b in reply.blocks if b["type"] == "actions"]
    assert actions == [["Show", "Add note", "Close", "Transfer"], ["Show"]]


def test_a_full_page_of_long_reasons_stays_within_slacks_limits():
    rows = [
        CrwCaseRow(f"CRW-{n:06d}", 5, "Very High", "<!channel> " + "r" * 3000, "open", n, "A" * 500)
        for n in range(PAGE_CASES + 1)
    ]
    page = ListPage(2, previous="crw list --agency --page 1", next="crw list --agency --page 3")
    reply: Reply = case_list_reply(rows, 5, 30, True, page, can_transfer=True)
    assert limit_problems(reply.blocks) == [] and len(reply.blocks) == 1 + 2 * PAGE_CASES + 2
    assert "<!channel>" not in str(reply.blocks)
