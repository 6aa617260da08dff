"""The whole digest in Slack: `/bob mailbox <id>` and "Open full digest" page it by topic (by
enroller for managers) with Previous/Next buttons, never cut, escaped, within Slack's limits;
every button re-checks who presses it, through signed requests to the real Bolt app."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.block_limits import limit_problems
from bot.digest_actions import STALE_BUTTON
from bot.digest_blocks import digest_pages
from bot.identity import LINK_HOWTO
from mailer.daily_summary import run_daily_summary
from store.mailbox import MailboxDocument
from store.models import AuditEntry, DigestKind, FlagKind, MailboxMessage, Role
from tests.bot_people import SLACK_IDS
from tests.slack_dm_helpers import DAY, HOSTILE_NAME, NOTICE_AT

NOD_ALERTS, MEDICARE_ALERTS = 90, 10
LONG_NAME = "Consumer-" + "x" * 90  # long lines: few alerts fill more than one page


@pytest.fixture
def long_digest(book, sessions, delivery, bot_user):
    """Ana (linked) with 100 alerts in two topics, one consumer named to attack Slack markup;
    Max, her linked manager; Lee, a linked agent of the same agency."""
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent", license_number="0A11111", slack_user_id=SLACK_IDS["ana"])
    book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER, slack_user_id=SLACK_IDS["max"])
    book.enroller(agency, "Lee", "Levelto", role=Role.AGENT_L2, slack_user_id=SLACK_IDS["lee"])
    cases = set()
    for n in range(NOD_ALERTS):
        consumer = book.consumer(ana, last_name=HOSTILE_NAME if n == 0 else LONG_NAME)
        book.notice(consumer, NOTICE_AT)
        cases.add(consumer)
    for _ in range(MEDICARE_ALERTS):
        consumer = book.consumer(ana, last_name=LONG_NAME)
        book.flag(consumer, FlagKind.MEDICARE_AGED_OUT, datetime(2026, 11, 20, tzinfo=UTC))
    run_daily_summary(sessions, DAY, delivery)
    with sessions() as s:
        ids = dict(
            s.execute(
                select(MailboxMessage.kind, MailboxMessage.id).where(MailboxMessage.alert_count > 0)
            ).all()
        )
        every_case = {
            alert["case_number"]
            for alert in s.scalar(
                select(MailboxMessage.alerts).where(MailboxMessage.id == ids[DigestKind.DAILY_SUMMARY])
            )
        }
    return {
        "daily": ids[DigestKind.DAILY_SUMMARY],
        "manager": ids[DigestKind.MANAGER_SUMMARY],
        "cases": every_case,
    }


async def press(user, action_id: str, value: str) -> dict:
    """Press a button and wait for bob's answer at the response URL (it answers after the ack)."""
    before = len(user.slack.named("response_url"))
    status, _ = await user.press_button(action_id, value)
    assert status == 200
    answers = await user.slack.wait_for(lambda: user.slack.named("response_url")[before:])
    return answers[0].params


def nav_value(blocks: list[dict], label: str) -> str | None:
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["text"]["text"] == label:
                return element["value"]
    return None


def cases_on(blocks: list[dict]) -> list[str]:
    return re.findall(r"`(CASE\d+)`", json.dumps(blocks))


async def read_every_page(user, first: dict) -> list[list[dict]]:
    """Press Next until there is none; each page as the response URL received it."""
    pages = [first["blocks"]]
    while (value := nav_value(pages[-1], "Next")) is not None:
        answer = await press(user, "digest_next", value)
        assert answer["replace_original"] is True and answer["response_type"] == "ephemeral"
        pages.append(answer["blocks"])
    return pages


async def test_mailbox_id_pages_the_whole_digest_by_topic(long_digest, bot_user):
    _, first = await bot_user.command_reply(f"mailbox {long_digest['daily']}")
    pages = await read_every_page(bot_user, first)
    assert len(pages) >= 2
    shown = [case for page in pages for case in cases_on(page)]
    assert sorted(shown) == sorted(long_digest["cases"])  # every alert, once: nothing cut
    for number, page in enumerate(pages, 1):
        assert limit_problems(page) == []
        assert f"Page {number} of {len(pages)}" in json.dumps(page)
    text = json.dumps(pages)
    assert "*NOD Notice* (90)" in text and "*NOD Notice* (continued)" in text
    assert "*Medicare Aged Out* (10)" in text
    assert text.index("NOD Notice") < text.index("Medicare Aged Out")
    assert HOSTILE_NAME not in text and "&lt;https://evil.example/login|Verify your account&gt;" in text
    assert nav_value(pages[0], "Previous") is None and nav_value(pages[-1], "Next") is None
    back = (await press(bot_user, "digest_previous", nav_value(pages[-1], "Previous")))["blocks"]
    assert back == pages[-2]


async def test_open_full_digest_from_the_dm_shows_page_one_below_it(long_digest, bot_user):
    params = await press(bot_user, "digest_open", str(long_digest["daily"]))
    assert params["replace_original"] is False and params["response_type"] == "ephemeral"
    assert "Page 1 of" in json.dumps(params["blocks"]) and cases_on(params["blocks"])
    assert "CASE" not in params["text"]


async def test_a_manager_summary_pages_by_enroller(long_digest, bot_user):
    manager = bot_user.as_user(SLACK_IDS["max"])
    _, first = await manager.command_reply(f"mailbox {long_digest['manager']}")
    pages = await read_every_page(manager, first)
    text = json.dumps(pages)
    assert "*Ana Agent (License 0A11111)* (100)" in text
    assert sorted(case for page in pages for case in cases_on(page)) == sorted(long_digest["cases"])
    assert all(limit_problems(page) == [] for page in pages)


async def test_a_button_pressed_by_someone_else_is_refused_and_audited(long_digest, bot_user, sessions):
    lee = bot_user.as_user(SLACK_IDS["lee"])
    answer = await press(lee, "digest_open", str(long_digest["daily"]))
    assert (
        answer["text"]
        == f"There is no message {long_digest['daily']} in this mailbox. Type `/bob mailbox` for the list."
    )
    assert "CASE" not in json.dumps(answer)
    assert "CASE" not in json.dumps(await press(lee, "digest_next", f"{long_digest['daily']}:2"))
    with sessions() as s:
        refused = s.execute(
            select(AuditEntry.action, AuditEntry.target, AuditEntry.outcome, AuditEntry.actor_slack_id)
        ).all()
    target = f"message:{long_digest['daily']}"
    assert refused == [("mailbox.read", target, "refused", SLACK_IDS["lee"])] * 2


async def test_a_button_pressed_by_an_unlinked_user_or_with_a_forged_value(long_digest, bot_user):
    nobody = bot_user.as_user(SLACK_IDS["nobody"])
    assert (await press(nobody, "digest_open", str(long_digest["daily"])))["text"] == LINK_HOWTO
    for forged in ("", "12abc", "1:2:3", "9" * 40, "-1"):
        assert (await press(bot_user, "digest_next", forged))["text"] == STALE_BUTTON


def _document(**kw) -> MailboxDocument:
    fields = {
        "id": 7,
        "kind": "daily_summary",
        "business_date": DAY,
        "subject": "Daily Summary - 11/23/2026",
        "alert_count": 0,
        "created_at": NOTICE_AT,
        "read_at": None,
        "body_text": "",
        "body_html": "",
        "alerts": [],
    }
    return MailboxDocument(**{**fields, **kw})


def test_the_crw_part_of_a_digest_is_its_last_page_part():
    body = (
        "No Alerts Daily Summary for Ana Agent\n\nNo alerts.\n\n"
        "Consumer Retention Workspace (2)\n"
        "  - CRW case CRW-000101 | risk 5 | Premium <increase> | opened\n"
        "  - CRW case CRW-000102 | risk 2 | Plan discontinued | note added\n"
    )
    [page] = digest_pages(_document(body_text=body))
    text = json.dumps(page)
    assert "*Consumer Retention Workspace* (2)" in text
    assert "CRW-000101" in text and "Premium &lt;increase&gt;" in text


def test_a_digest_stored_before_alerts_were_kept_is_paged_from_its_text_whole():
    lines = [f"  - Case CASE{n:07d} | NOD Notice | Pat ```Consumer" for n in range(600)]
    pages = digest_pages(_document(alerts=None, alert_count=600, body_text="\n".join(lines)))
    assert len(pages) > 1 and all(limit_problems(page) == [] for page in pages)
    text = json.dumps(pages)
    assert all(f"CASE{n:07d}" in text for n in range(600))
    assert "```" not in text  # a stored backtick cannot open or close code


async def test_the_home_tab_opens_a_digest_in_a_modal_and_pages_it_there(long_digest, bot_user):
    slack = bot_user.slack
    await bot_user.open_home()
    [home] = await slack.wait_for(lambda: slack.named("views.publish"))
    buttons = [b["accessory"] for b in home.params["view"]["blocks"] if "accessory" in b]
    assert {b["value"] for b in buttons} == {str(long_digest["daily"])}
    assert limit_problems(home.params["view"]["blocks"], max_blocks=100) == []
    await bot_user.press_button("digest_open", buttons[0]["value"], in_view={"id": "VHOME", "type": "home"})
    [opened] = await slack.wait_for(lambda: slack.named("views.open"))
    modal = opened.params["view"]
    assert modal["type"] == "modal" and limit_problems(modal["blocks"], max_blocks=100) == []
    assert "Page 1 of" in json.dumps(modal["blocks"]) and cases_on(modal["blocks"])
    shown = cases_on(modal["blocks"])
    await bot_user.press_button(
        "digest_next", nav_value(modal["blocks"], "Next"), in_view={"id": "VMODAL", "type": "modal"}
    )
    [updated] = await slack.wait_for(lambda: slack.named("views.update"))
    assert updated.params["view_id"] == "VMODAL"
    shown += cases_on(updated.params["view"]["blocks"])
    assert sorted(shown) == sorted(long_digest["cases"])
    assert slack.named("response_url") == []


async def test_a_home_button_pressed_by_someone_else_opens_only_the_refusal(long_digest, bot_user):
    lee = bot_user.as_user(SLACK_IDS["lee"])
    await lee.press_button("digest_open", str(long_digest["daily"]), in_view={"id": "VHOME", "type": "home"})
    [opened] = await bot_user.slack.wait_for(lambda: bot_user.slack.named("views.open"))
    assert "CASE" not in opened.text and "There is no message" in opened.text
