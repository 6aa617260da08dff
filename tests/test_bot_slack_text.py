"""Stored text is inert in Slack: a consumer's name, a note, a help request's topic or an
enroller's name cannot become a live link, a mention or the end of a code block, wherever bob
shows it (mailbox, Home tab, CRW, help requests, exports, link replies). Odd mailbox ids get a
clear reply.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.exports_command import history_line
from bot.slack_text import code, code_block, inert
from exports.history import ExportHistoryEntry
from mailer.daily_summary import run_daily_summary
from rules.casework.help_requests import create_request
from store.models import Consumer, CrwCase, Enroller, HelpCategory
from tests.bot_people import NOW

LINK = "<https://evil.example/login|Verify your account>"
HOSTILE = f"```{LINK} & <!channel>"


def assert_inert(seen: str) -> None:
    assert "<https://evil" not in seen and "<!channel>" not in seen
    assert "&lt;https://evil.example/login|Verify your account&gt;" in seen


def seen(reply: object) -> str:
    return json.dumps(reply, ensure_ascii=False)


# The helpers


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Zelda & Co", "Zelda &amp; Co"),
        (LINK, "&lt;https://evil.example/login|Verify your account&gt;"),
        ("<!channel> <@U0MAX> <#C0GENERAL>", "&lt;!channel&gt; &lt;@U0MAX&gt; &lt;#C0GENERAL&gt;"),
        ("&lt;already escaped&gt;", "&amp;lt;already escaped&amp;gt;"),
        ("plain", "plain"),
    ],
)
def test_inert_escapes_slacks_three_control_characters(value, shown):
    assert inert(value) == shown


def test_a_code_block_cannot_be_closed_by_the_text_inside_it():
    block = code_block(f"Name: {HOSTILE}\n``````\nend`")
    assert block.startswith("```") and block.endswith("```")
    assert block.count("```") == 2
    assert "<https://evil" not in block and "&lt;https://evil" in block


def test_an_inline_code_span_cannot_be_closed_by_the_text_inside_it():
    span = code("CASE`1<x>")
    assert span.count("`") == 2 and span.startswith("`") and span.endswith("`")
    assert "&lt;x&gt;" in span


def test_the_export_history_shows_a_hostile_agent_name_inert():
    entry = ExportHistoryEntry(
        export_id=1,
        token="tok123",
        requested_at=NOW,
        scope_label=f"{LINK} (License 0A1)",
        status="failed",
        row_count=None,
        masked=False,
        from_snapshot=False,
        with_changes=False,
        time_zone="America/Los_Angeles",
        via="slack",
        file_name=None,
        error=f"Slack refused {LINK}",
        expires_at=None,
        deleted_at=None,
    )
    assert_inert(history_line(entry, NOW, ZoneInfo("America/Los_Angeles")))


# Over signed HTTP


@pytest.fixture
def hostile(cast, book, sessions, delivery):
    """Hostile text in every stored field bob shows: a consumer's last name, the CRW case
    reason, Ana's last name, a help request; and a digest in Ana's mailbox."""
    with sessions.begin() as s:
        zelda = s.scalars(select(CrwCase).where(CrwCase.case_number == "CRW-000101")).one().consumer_id
        s.execute(update(Consumer).where(Consumer.id == zelda).values(last_name=HOSTILE))
        s.execute(update(CrwCase).where(CrwCase.case_number == "CRW-000101").values(reason=LINK[:80]))
        s.execute(update(Enroller).where(Enroller.id == cast.ids["ana"]).values(last_name=LINK))
    book.notice(zelda, datetime(2026, 11, 22, 18, tzinfo=UTC))
    run_daily_summary(sessions, date(2026, 11, 23), delivery)
    return create_request(
        sessions, cast.ids["ana"], HelpCategory.CONSUMER_CASE, HOSTILE[:100], HOSTILE, NOW - timedelta(days=1)
    ).number


async def test_the_mailbox_shows_a_hostile_digest_inert(cast, hostile):
    ana = cast.as_("ana")
    _, listing = await ana.command("mailbox")
    message_id = re.search(r"`(\d+)`", listing).group(1)
    _, reply = await ana.command_reply(f"mailbox {message_id}")
    shown = seen(reply["blocks"])
    assert "Verify your account" in shown
    assert_inert(shown)
    assert "```" not in shown  # a stored backtick opens no code block


async def test_crw_and_help_request_replies_show_hostile_text_inert(cast, hostile):
    ana, max_ = cast.as_("ana"), cast.as_("max")
    for user, text in (
        (ana, "crw show CRW-000101"),
        (ana, "crw list"),
        (ana, 'crw note CRW-000101 "called back"'),
        (max_, "crw list --agency"),
        (max_, "crw agency"),
        (ana, f"help-request {hostile}"),
        (ana, "help-request list"),
        (max_, "help-request list"),
        (ana, "link 0A11111"),
    ):
        _, reply = await user.command_reply(text)
        shown = seen(reply)
        assert "<https://evil" not in shown and "<!channel>" not in shown, text
        assert "```" not in shown.replace("\\n", "\n"), text


async def test_the_home_tab_shows_hostile_text_inert(cast, hostile):
    ana = cast.as_("ana")
    await ana.open_home()
    [published] = await ana.slack.wait_for(lambda: ana.slack.named("views.publish"))
    assert "<https://evil" not in published.text


# Odd mailbox ids


@pytest.mark.parametrize("word", ["²", "99999999999999999999999", "٣", "0", "-1", "1e3"])
async def test_an_odd_mailbox_id_gets_a_clear_reply(cast, word):
    status, text = await cast.as_("ana").command(f"mailbox {word}")
    assert status == 200
    assert "/bob mailbox" in text
