"""Slack gives up on a slash command's acknowledgement after 3 s. A reply that reads the database
travels in the acknowledgement when it is ready in time, and through the response URL when it is
not, exactly once either way; a command that opens a form is acknowledged before the database is
read, so the form opens on a fresh trigger."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from aiohttp import ClientConnectionError
from slack_sdk.web.async_client import AsyncWebClient

from bot import answers, crw_command
from bot.library_logs import slack_library_logger


async def answers_after_an_empty_ack(user, text: str) -> list:
    response_url = user.slack.response_url()
    body = user.command_body(text, response_url)
    acknowledged = await user.post(body, user.signed_headers(body), "application/x-www-form-urlencoded")
    assert acknowledged == (200, "")
    await user.slack.wait_for(lambda: user.slack.answers_to(response_url))
    await asyncio.sleep(0.3)  # time for a second answer to show, were there one
    return user.slack.answers_to(response_url)


@pytest.mark.parametrize("text", ["crw list", "crw show CRW-000101", "mailbox", "exports", "followups"])
async def test_a_reply_slower_than_slacks_wait_comes_through_the_response_url_once(cast, monkeypatch, text):
    ana = cast.as_("ana")
    _, in_time = await ana.command_reply(text)
    assert in_time["response_type"] == "ephemeral" and in_time["text"]
    monkeypatch.setattr(answers, "REPLY_WITHIN", 0.0)  # every reply is late now
    [late] = await answers_after_an_empty_ack(ana, text)
    assert late.params["text"] == in_time["text"]
    assert late.params.get("blocks") == in_time.get("blocks")
    assert late.params["response_type"] == "ephemeral"


async def test_a_late_transfer_is_told_once_and_its_assignee_is_still_told(cast, monkeypatch):
    max_ = cast.as_("max")
    monkeypatch.setattr(answers, "REPLY_WITHIN", 0.0)
    [told] = await answers_after_an_empty_ack(max_, 'transfer CRW-000101 "Lee Levelto"')
    assert told.params["text"].startswith("CRW case CRW-000101 moved from Ana Agent")
    await max_.slack.wait_for(lambda: max_.slack.dms_to("U0LEE"))


class HeldCheck:
    """The close command's database check, held until the test lets it go."""

    def __init__(self) -> None:
        self.started, self.released = threading.Event(), threading.Event()
        self.real = crw_command.close_refusal

    def __call__(self, *args: object) -> str | None:
        self.started.set()
        self.released.wait(10)
        return self.real(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(("case", "refused"), [("CRW-000101", False), ("CRW-000103", True)])
async def test_a_form_command_is_acknowledged_before_the_database_is_read(cast, monkeypatch, case, refused):
    ana = cast.as_("ana")
    held = HeldCheck()
    monkeypatch.setattr(crw_command, "close_refusal", held)
    response_url = ana.slack.response_url()
    body = ana.command_body(f"crw close {case}", response_url)
    posted = ana.post(body, ana.signed_headers(body), "application/x-www-form-urlencoded")
    try:
        # A wrong order would stop here for 5 s, then fail: the check is held until the ack is in.
        assert await asyncio.wait_for(posted, timeout=5) == (200, "")
        assert await asyncio.to_thread(held.started.wait, 5), "the check never started"
        assert ana.slack.named("views.open") == [] and ana.slack.answers_to(response_url) == []
    finally:
        held.released.set()
    if refused:
        [answer] = await ana.slack.wait_for(lambda: ana.slack.answers_to(response_url))
        assert answer.params["text"] == f"CRW case {case} is closed already."
        assert answer.params["response_type"] == "ephemeral"
        assert ana.slack.named("views.open") == []
    else:
        [opened] = await ana.slack.wait_for(lambda: ana.slack.named("views.open"))
        assert opened.params["view"]["private_metadata"] == case
        assert ana.slack.answers_to(response_url) == []


@pytest.mark.parametrize("late", [False, True], ids=["in-time", "late"])
async def test_a_reply_that_fails_unexpectedly_gets_a_clear_answer_and_logs_only_its_type(
    cast, monkeypatch, caplog, late
):
    def broken(*args: object) -> None:
        raise RuntimeError("lookup failed for Zelda Quintero")

    monkeypatch.setattr(crw_command, "crw_reply", broken)
    if late:
        monkeypatch.setattr(answers, "REPLY_WITHIN", 0.0)
    _, reply = await cast.as_("ana").command_reply("crw list")
    assert reply["text"] == answers.NOT_ANSWERED and reply["response_type"] == "ephemeral"
    assert "RuntimeError" in caplog.text and "Zelda" not in caplog.text


async def test_a_form_that_cannot_be_prepared_gets_a_clear_answer(cast, monkeypatch, caplog):
    def broken(*args: object) -> None:
        raise RuntimeError("lookup failed for Zelda Quintero")

    monkeypatch.setattr(crw_command, "close_refusal", broken)
    ana = cast.as_("ana")
    _, reply = await ana.command_reply("crw close CRW-000101")
    assert reply["text"] == answers.NOT_ANSWERED and ana.slack.named("views.open") == []
    assert "RuntimeError" in caplog.text and "Zelda" not in caplog.text


async def test_a_form_slack_cannot_be_reached_for_gets_the_forms_failure_answer(cast, monkeypatch):
    async def unreachable(self: object, **kwargs: object) -> None:
        raise ClientConnectionError("connection reset")

    monkeypatch.setattr(AsyncWebClient, "views_open", unreachable)
    _, reply = await cast.as_("ana").command_reply("crw close CRW-000101")
    assert reply["text"].startswith("Slack did not open the close form")


def test_the_reply_posts_logger_withholds_what_it_quotes(caplog):
    slack_library_logger()
    with caplog.at_level(logging.DEBUG, logger="slack_sdk.webhook.async_client"):
        logging.getLogger("slack_sdk.webhook.async_client").debug(
            "Sending a request - url: %s, body: %s", "https://hooks.slack.test/x", {"text": "Zelda Quintero"}
        )
    assert "Zelda" not in caplog.text and "details withheld" in caplog.text
