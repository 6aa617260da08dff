"""The Daily Summary as a Slack DM: queued with the mailbox entry and the email, posted once,
within Slack's limits, and only to enrollers who linked Slack."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.block_limits import limit_problems
from bot.dm_drain import drain_slack_dms
from mailer.daily_summary import run_daily_summary
from store.models import DigestKind, MailboxMessage, OutboxEmail, OutboxStatus, SlackDm
from tests.fake_slack import dm_channel
from tests.slack_dm_helpers import (
    DAY,
    HOSTILE_NAME,
    assert_every_dm_posted_once,
    client_for,
    digest_book,
    dm_rows,
)


async def test_linked_enrollers_and_managers_get_a_dm_and_the_unlinked_email_only(
    book, sessions, delivery, slack
):
    people = digest_book(book)
    result = run_daily_summary(sessions, DAY, delivery)
    assert (result.digests, result.emails, result.slack_dms) == (3, 3, 2)
    queued = {(row.recipient_id, row.kind, row.slack_user_id) for row in dm_rows(sessions)}
    assert queued == {
        (people["ana"], DigestKind.DAILY_SUMMARY, "U0ANA"),
        (people["max"], DigestKind.MANAGER_SUMMARY, "U0MAX"),
    }
    client, config = client_for(slack)
    sent = await drain_slack_dms(sessions, client, config)
    assert (sent.sent, sent.retried, sent.failed) == (2, 0, 0)
    assert_every_dm_posted_once(sessions, slack)
    assert {call.params["channel"] for call in slack.posted} == {"U0ANA", "U0MAX"}
    assert (await drain_slack_dms(sessions, client, config)).sent == 0
    assert run_daily_summary(sessions, DAY, delivery).ran is False
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(SlackDm)) == 2
        assert s.scalar(select(func.count()).select_from(OutboxEmail)) == 3


async def test_the_dm_shows_subject_counts_first_alerts_and_buttons_within_slacks_limits(
    book, sessions, delivery, slack
):
    digest_book(book, alerts_for_ana=7)
    run_daily_summary(sessions, DAY, delivery)
    client, config = client_for(slack)
    await drain_slack_dms(sessions, client, config)
    [ana] = slack.dms_to("U0ANA")
    blocks = ana["blocks"]
    assert limit_problems(blocks) == []
    shown = json.dumps(blocks)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Daily Summary - 11/23/2026", "emoji": True},
    }
    assert "7 alerts" in shown and "NOD Notice: *7*" in shown
    assert shown.count("Zelda") == 3 and "and 4 more" in shown
    assert HOSTILE_NAME not in shown and "&lt;https://evil.example/login|Verify your account&gt;" in shown
    assert "Zelda" not in ana["text"]  # the notification line carries no consumer PII
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for e in buttons["elements"]] == ["Open full digest"]
    [manager] = slack.dms_to("U0MAX")
    assert limit_problems(manager["blocks"]) == []
    assert "Daily Manager Summary - 11/23/2026" in manager["text"]
    assert "enroller: Ana Agent" in json.dumps(manager["blocks"])


async def test_a_no_alerts_digest_is_one_short_line(book, sessions, delivery, slack):
    agency = book.agency()
    ana = book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA")
    book.consumer(ana)  # a book, but nothing fired
    run_daily_summary(sessions, DAY, delivery)
    client, config = client_for(slack)
    await drain_slack_dms(sessions, client, config)
    [dm] = slack.dms_to("U0ANA")
    assert dm["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*No Alerts Daily Summary - 11/23/2026*: nothing needs you today.",
            },
        }
    ]


async def test_open_in_browser_appears_only_when_the_web_mailbox_is_configured(
    book, sessions, delivery, slack
):
    digest_book(book)
    run_daily_summary(sessions, DAY, delivery)
    client, config = client_for(slack)
    await drain_slack_dms(sessions, client, config, web_base_url="https://bob.agency.test/")
    [ana] = slack.dms_to("U0ANA")
    [buttons] = [b for b in ana["blocks"] if b["type"] == "actions"]
    with sessions() as s:
        message_id = s.scalar(
            select(MailboxMessage.id).where(
                MailboxMessage.kind == DigestKind.DAILY_SUMMARY,
                MailboxMessage.recipient_id
                == s.scalar(select(SlackDm.recipient_id).where(SlackDm.slack_user_id == "U0ANA")),
            )
        )
    assert buttons["elements"][1] == {
        "type": "button",
        "action_id": "digest_browser",
        "text": {"type": "plain_text", "text": "Open in browser"},
        "url": f"https://bob.agency.test/mailbox/{message_id}",
    }
    assert buttons["elements"][0]["value"] == str(message_id)


async def test_a_dm_for_someone_who_unlinked_since_is_not_posted(book, sessions, delivery, slack):
    from store.models import Enroller

    people = digest_book(book)
    run_daily_summary(sessions, DAY, delivery)
    with sessions.begin() as s:
        s.get(Enroller, people["ana"]).slack_user_id = None
    client, config = client_for(slack)
    result = await drain_slack_dms(sessions, client, config)
    assert (result.sent, result.failed) == (1, 1)
    assert slack.dms_to("U0ANA") == [] and len(slack.dms_to("U0MAX")) == 1
    failed = [row for row in dm_rows(sessions) if row.status is OutboxStatus.FAILED]
    assert [row.last_error for row in failed] == ["the enroller is no longer linked to this Slack user"]


async def test_a_dm_slack_refuses_for_good_fails_with_the_reason(book, sessions, delivery, slack):
    digest_book(book)
    run_daily_summary(sessions, DAY, delivery)
    slack.fail("chat.postMessage", "user_not_found")
    client, config = client_for(slack)
    result = await drain_slack_dms(sessions, client, config)
    assert (result.sent, result.failed) == (0, 2)
    assert {row.last_error for row in dm_rows(sessions)} == {"Slack refused the DM: user_not_found"}


async def test_a_dm_slack_refuses_for_now_is_retried_later(book, sessions, delivery, slack):
    digest_book(book)
    run_daily_summary(sessions, DAY, delivery)
    slack.fail("chat.postMessage", "internal_error")
    client, config = client_for(slack, dm_backoff_seconds=30.0)
    result = await drain_slack_dms(sessions, client, config)
    assert (result.sent, result.retried) == (0, 2)
    rows = dm_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.QUEUED, 1)}
    assert all((row.next_attempt_at - row.created_at).total_seconds() >= 29 for row in rows)
    del slack.failures["chat.postMessage"]
    assert (await drain_slack_dms(sessions, client, config)).sent == 0  # not due yet
    assert dm_channel("U0ANA") not in slack.history


def test_a_dry_run_counts_the_dms_it_would_queue_and_queues_none(book, sessions, engine, delivery):
    from mailer.dry_run import preview_daily_summary

    digest_book(book)
    preview = preview_daily_summary(engine, DAY, delivery)
    assert "3 emails would be queued, and 2 Slack DMs" in preview.preview()
    assert dm_rows(sessions) == []
