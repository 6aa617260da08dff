"""Every read of consumer data in Slack is on record like the command line's and the web's:
the same action names, the channel, the reader and the Slack user who asked, never PII;
`bob audit` lists the reads of all three channels. Through signed requests to the real Bolt
app, the web application and `bob` itself."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from mailer.daily_summary import run_daily_summary
from rules.casework.help_requests import create_request
from store.models import AuditEntry, Enroller, HelpCategory, MailboxMessage
from tests.bot_people import CONSUMER_NAME, CONSUMER_PHONE, NOW, SLACK_IDS
from tests.web_fixtures import CONTACT_NAME, CONTACT_PHONE
from tests.web_fixtures import NOW as WEB_NOW

READER_PII = ("Yolanda", "Piiname", "(916) 555-0142", "555-0142", "yolanda@consumer.test")
SEEDED_PII = (
    *CONSUMER_NAME.split(),
    CONSUMER_PHONE,
    "555-0199",
    "zelda@consumer.test",
    *CONTACT_NAME.split(),
    CONTACT_PHONE,
    "555-0101",
    "alicia@consumer.test",
    "agency.test",  # every enroller's email is <first>.<last>@agency.test
    *READER_PII,
)


def rows(sessions, action: str | None = None) -> list[tuple]:
    """(action, actor id, target, outcome, detail, Slack user) of the audit log, oldest first."""
    query = select(
        AuditEntry.action,
        AuditEntry.actor_id,
        AuditEntry.target,
        AuditEntry.outcome,
        AuditEntry.detail,
        AuditEntry.actor_slack_id,
    ).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with sessions() as s:
        return [tuple(row) for row in s.execute(query)]


def assert_no_pii(sessions) -> None:
    """No seeded name, phone or email anywhere in the audit log the test wrote."""
    written = json.dumps(rows(sessions), default=str)
    assert rows(sessions), "the scan must have something to scan"
    found = [word for word in SEEDED_PII if word.lower() in written.lower()]
    assert found == []


@pytest.fixture
def digest(cast, book, sessions, delivery) -> int:
    """Ana's Daily Summary (one NOD notice, for a consumer whose PII must not reach the log)."""
    first, last, phone, _, email = READER_PII
    consumer = book.consumer(
        cast.ids["ana"], first_name=first, last_name=last, primary_phone=phone, email=email
    )
    book.notice(consumer, NOW - timedelta(days=2))
    run_daily_summary(sessions, (NOW - timedelta(days=1)).date(), delivery)
    with sessions() as s:
        return s.scalars(
            select(MailboxMessage.id).where(MailboxMessage.recipient_id == cast.ids["ana"])
        ).one()


async def answered(user, action_id: str, value: str, **kw) -> dict:
    before = len(user.slack.named("response_url"))
    status, _ = await user.press_button(action_id, value, **kw)
    assert status == 200
    answers = await user.slack.wait_for(lambda: user.slack.named("response_url")[before:])
    return answers[0].params


async def test_slack_mailbox_list_and_digest_reads_are_on_record(cast, digest, sessions):
    ana, ana_id = cast.as_("ana"), cast.ids["ana"]
    status, listing = await ana.command_reply("mailbox")
    assert status == 200 and f"`{digest}`" in listing["text"]
    status, shown = await ana.command_reply(f"mailbox {digest}")
    assert status == 200 and "Piiname" in json.dumps(shown)  # the digest itself is shown...
    assert rows(sessions) == [  # ...and only ids reach the log
        ("mailbox.list", ana_id, "own", "ok", {"channel": "slack"}, SLACK_IDS["ana"]),
        ("mailbox.read", ana_id, f"message:{digest}", "ok", {"channel": "slack"}, SLACK_IDS["ana"]),
    ]
    assert_no_pii(sessions)


async def test_the_digest_buttons_record_each_page_read_and_refuse_others(cast, digest, sessions):
    ana, ana_id = cast.as_("ana"), cast.ids["ana"]
    opened = await answered(ana, "digest_open", str(digest))
    assert "Piiname" in json.dumps(opened)
    await answered(ana, "digest_next", f"{digest}:2")
    refused = await answered(cast.as_("lee"), "digest_open", str(digest))
    assert "Piiname" not in json.dumps(refused)
    read = ("mailbox.read", ana_id, f"message:{digest}", "ok", {"channel": "slack"}, SLACK_IDS["ana"])
    assert rows(sessions, "mailbox.read") == [
        read,
        read,
        (
            "mailbox.read",
            cast.ids["lee"],
            f"message:{digest}",
            "refused",
            {"reason": "not_found", "channel": "slack"},
            "U0LEE",
        ),
    ]
    assert_no_pii(sessions)


async def test_the_home_tab_listing_is_not_a_read_but_a_digest_opened_from_it_is(cast, digest, sessions):
    ana = cast.as_("ana")
    assert await ana.open_home() == 200
    await ana.slack.wait_for(lambda: ana.slack.named("views.publish"))
    assert rows(sessions, "mailbox.list") == []
    await ana.press_button("digest_open", str(digest), in_view={"id": "VHOME", "type": "home"})
    await ana.slack.wait_for(lambda: ana.slack.named("views.open"))
    assert rows(sessions, "mailbox.read") == [
        ("mailbox.read", cast.ids["ana"], f"message:{digest}", "ok", {"channel": "slack"}, SLACK_IDS["ana"])
    ]


async def test_slack_crw_lists_and_cases_shown_are_on_record(cast, sessions):
    ana, max_ = cast.as_("ana"), cast.as_("max")
    case = cast.cases["urgent"]
    for user, text in ((ana, "crw list"), (max_, "crw list --agency"), (ana, f"crw show {case.lower()}")):
        status, reply = await user.command_reply(text)
        assert status == 200 and reply.get("response_type") == "ephemeral"
    shown = await answered(ana, "crw_case_open", case, pick=True)
    assert CONSUMER_PHONE in json.dumps(shown)
    await cast.as_("olga").command_reply(f"crw show {case}")  # another agency's case: refused
    ana_id, max_id = cast.ids["ana"], cast.ids["max"]
    read_by_ana = ("crw.show", ana_id, case, "ok", {"channel": "slack"}, SLACK_IDS["ana"])
    assert [r for r in rows(sessions) if r[3] == "ok"] == [
        ("crw.list", ana_id, "own", "ok", {"channel": "slack"}, SLACK_IDS["ana"]),
        ("crw.list", max_id, "agency", "ok", {"channel": "slack"}, SLACK_IDS["max"]),
        read_by_ana,
        read_by_ana,
    ]
    assert [(r[1], r[3]) for r in rows(sessions, "crw.show") if r[3] != "ok"] == [
        (cast.ids["olga"], "refused")
    ]
    assert_no_pii(sessions)


async def test_slack_help_requests_listed_and_shown_are_on_record(cast, sessions):
    number = create_request(
        sessions, cast.ids["ana"], HelpCategory.CONSUMER_CASE, "Application stuck", "Call Zelda Quintero", NOW
    ).number
    ana, sue = cast.as_("ana"), cast.as_("sue")
    for user, text in (
        (ana, "help-request list"),
        (sue, "help-request list open"),
        (ana, f"help-request {number}"),
    ):
        status, reply = await user.command_reply(text)
        assert status == 200 and reply.get("response_type") == "ephemeral"
    reads = [r for r in rows(sessions) if (r[4] or {}).get("channel")]  # not help.create
    assert reads == [
        ("help.list", cast.ids["ana"], "all", "ok", {"channel": "slack"}, SLACK_IDS["ana"]),
        ("help.list", cast.ids["sue"], "open", "ok", {"channel": "slack"}, SLACK_IDS["sue"]),
        ("help.show", cast.ids["ana"], number, "ok", {"channel": "slack"}, SLACK_IDS["ana"]),
    ]
    assert_no_pii(sessions)


async def test_bob_audit_lists_the_reads_of_every_channel(
    web_people, browser, bot_user, cli_at, sessions, capsys
):
    """Ana reads her digest on the web, in Slack and on the command line; `bob audit --action
    mailbox` shows all three reads, each with its channel."""
    digest = web_people.digests["ana:daily_summary"]
    with sessions.begin() as s:
        s.execute(update(Enroller).where(Enroller.id == web_people.ids["ana"]).values(slack_user_id="U0ANA"))
    await browser.sign_in("ana.agent@agency.test")
    await browser.page("/mailbox")
    await browser.page(f"/mailbox/{digest}")
    status, _ = await bot_user.command_reply(f"mailbox {digest}")
    assert status == 200
    assert cli_at(WEB_NOW, "mailbox", "show", "0A11111", str(digest)) == 0
    capsys.readouterr()
    assert cli_at(WEB_NOW, "audit", "--action", "mailbox", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    reads = [
        (r["action"], r["actor_license"], r["target"], r["channel"])
        for r in listed
        if r["action"] == "mailbox.read"
    ]
    assert reads == [
        ("mailbox.read", "0A11111", f"message:{digest}", "web"),
        ("mailbox.read", "0A11111", f"message:{digest}", "slack"),
        ("mailbox.read", "0A11111", f"message:{digest}", "cli"),
    ]
    assert ("mailbox.list", "web") in {(r["action"], r["channel"]) for r in listed}  # the web page's list
    slack_read = next(r for r in listed if r["channel"] == "slack")
    assert slack_read["actor_slack_id"] == "U0ANA"
    assert next(r for r in listed if r["channel"] == "cli")["os_user"]
    assert_no_pii(sessions)


def test_a_refused_digest_read_names_its_channel_too(web_people, cli_at, sessions, monkeypatch, capsys):
    monkeypatch.setenv("LOGNAME", "opsadmin")
    digest = web_people.digests["ana:daily_summary"]
    assert cli_at(WEB_NOW, "mailbox", "show", "0A22222", str(digest)) != 0
    assert rows(sessions, "mailbox.read") == [
        (
            "mailbox.read",
            web_people.ids["lee"],
            f"message:{digest}",
            "refused",
            {"reason": "not_found", "channel": "cli", "os_user": "opsadmin"},
            None,
        )
    ]
    assert_no_pii(sessions)
