"""The App Home tab's work sections and their buttons, through signed requests to the real
Bolt app against the fake Slack: each person sees only their own work, and each button runs
its slash command's twin (same checks, same audit, same file and password paths)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.block_limits import limit_problems
from bot.deps import BotDeps
from bot.identity import LINK_HOWTO
from bot.settings import SlackConfig
from exports.settings import ExportsConfig
from rules.casework.help_requests import create_request
from store.db import transaction
from store.models import (
    AuditEntry,
    DigestKind,
    Enroller,
    ExportRecord,
    ExportScope,
    ExportStatus,
    HelpCategory,
    MailboxMessage,
    OutboxEmail,
)
from tests.bot_people import CONSUMER_NAME, CONSUMER_PHONE, NOW, SECRET, SLACK_IDS
from tests.fake_slack_methods import dm_channel

HOME = {"id": "VHOME", "type": "home"}
PASSWORD = re.compile(r"`([a-z0-9]{5}(?:-[a-z0-9]{5})+)`")


@pytest.fixture
def deps(sessions, slack, clock, tmp_path):
    """bot_people's bot, with exports configured (a directory of their own)."""
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    exports = ExportsConfig(directory=str(tmp_path / "exports"))
    return BotDeps(sessions, config, exports, from_address="bob@agency.test", clock=clock)


@pytest.fixture
def filed(cast, book, sessions):
    """Help requests: one by Ana, one by Lee (both Sunrise), one by Olga (Moonrise); Ana's
    book gets two enrolled consumers so it has something to export."""
    for who, topic in (("ana", "Ana asks"), ("lee", "Lee asks"), ("olga", "Olga asks")):
        create_request(sessions, cast.ids[who], HelpCategory.CONSUMER_CASE, topic, "Details.", NOW)
    for _ in range(2):
        book.enrollment(book.consumer(cast.ids["ana"]))
    return cast


async def home_of(user) -> list[dict]:
    """The Home tab drawn for ``user`` now (a redraw after an earlier press shows the same)."""
    before = len(user.slack.named("views.publish"))
    assert await user.open_home() == 200

    def theirs() -> list:
        published = user.slack.named("views.publish")[before:]
        return [call for call in published if call.params["user_id"] == user.user_id]

    return (await user.slack.wait_for(theirs))[-1].params["view"]["blocks"]


def headers(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def elements(blocks: list[dict], action_id: str) -> list[dict]:
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    found += [b["accessory"] for b in blocks if "accessory" in b]
    return [e for e in found if e["action_id"] == action_id]


def audit_rows(sessions) -> list[tuple]:
    with sessions() as s:
        return s.execute(
            select(AuditEntry.action, AuditEntry.target, AuditEntry.outcome).order_by(AuditEntry.id)
        ).all()


async def ephemerals(user, after: int = 0) -> list[dict]:
    """The ephemeral answers to ``user`` (in their DM with bob), from the ``after``-th on."""

    def mine() -> list[dict]:
        calls = user.slack.named("chat.postEphemeral")
        return [c.params for c in calls if c.params["user"] == user.user_id][after:]

    found = await user.slack.wait_for(mine)
    assert all(params["channel"] == dm_channel(user.user_id) for params in found)
    return found


async def test_each_persons_home_shows_their_own_work_within_slacks_limits(filed):
    ana, max_, sue = filed.as_("ana"), filed.as_("max"), filed.as_("sue")
    sections = ["Consumer Retention Workspace", "Your recent exports", "Open help requests"]
    views = {}
    for who, user in (("ana", ana), ("max", max_), ("sue", sue)):
        views[who] = await home_of(user)
        assert limit_problems(views[who], max_blocks=100) == []
        assert headers(views[who])[-3:] == sections
        assert CONSUMER_NAME not in json.dumps(views[who])
    [menu] = elements(views["ana"], "crw_case_open")
    assert [o["value"] for o in menu["options"]] == ["CRW-000101", "CRW-000102"]  # open ones only
    ana_text = json.dumps(views["ana"])
    assert "Ana asks" in ana_text and "Lee asks" not in ana_text and "Olga asks" not in ana_text
    assert "*1* open filed by you" in ana_text and "*Open cases*\\n2" in ana_text
    assert elements(views["ana"], "home_export_book") and "no exports yet" in ana_text
    max_text = json.dumps(views["max"])
    # A manager's tiles and menu are the agency's (Ana's and Lee's open cases, not Moonrise's).
    [agency_menu] = elements(views["max"], "crw_case_open")
    assert sorted(o["value"] for o in agency_menu["options"]) == ["CRW-000101", "CRW-000102", "CRW-000104"]
    assert "*Open cases*\\n3" in max_text and "The agency's open cases" in max_text
    assert "*0* open filed by you" in max_text and "Lee asks" not in max_text
    sue_text = json.dumps(views["sue"])
    assert "*3* open in the exchange" in sue_text
    assert sue_text.index("Ana asks") < sue_text.index("Lee asks") < sue_text.index("Olga asks")
    assert elements(views["sue"], "home_export_book") == []  # support staff export no book


async def test_an_unlinked_person_sees_how_to_link_and_their_presses_are_refused(filed):
    nobody = filed.as_("nobody")
    blocks = await home_of(nobody)
    assert headers(blocks) == ["Your secure mailbox"] and "CRW" not in json.dumps(blocks)
    await nobody.press_button("home_export_book", "self", in_view=HOME)
    await nobody.press_button("crw_case_open", "CRW-000101", in_view=HOME, pick=True)
    answers = await nobody.slack.wait_for(
        lambda: nobody.slack.named("chat.postEphemeral")[1:] and nobody.slack.named("chat.postEphemeral")
    )
    assert [a.params["text"] for a in answers] == [LINK_HOWTO, LINK_HOWTO]
    assert nobody.slack.named("files.completeUploadExternal") == []


async def test_export_my_book_dms_the_file_and_emails_its_password(filed, sessions):
    ana = filed.as_("ana")
    blocks = await home_of(ana)
    [button] = elements(blocks, "home_export_book")
    assert await ana.press_button("home_export_book", button["value"], in_view=HOME) == (200, "")
    [complete] = await ana.slack.wait_for(lambda: ana.slack.named("files.completeUploadExternal"))
    assert complete.params["channel_id"] == dm_channel(SLACK_IDS["ana"])
    await ana.slack.wait_for(lambda: len(ana.slack.named("views.publish")) == 2)  # after the last answer
    preparing, done = await ephemerals(ana)
    assert done["text"].endswith("Its password was emailed to the address on file.")
    assert preparing["text"].startswith("Preparing your Book of Business: 5 consumers")
    assert all(not PASSWORD.search(call.text) for call in ana.slack.calls)  # never beside the file
    with sessions() as s:
        assert s.scalars(select(OutboxEmail.subject)).all() == ["Your bob export password"]
    assert ("export.request", "allowed") in {(a, o) for a, _, o in audit_rows(sessions)}
    [redrawn] = await ana.slack.wait_for(lambda: ana.slack.named("views.publish")[1:])
    assert redrawn.params["user_id"] == SLACK_IDS["ana"]  # the tab now offers the new export
    assert len(elements(redrawn.params["view"]["blocks"], "home_export_fetch")) == 1


async def test_fetch_again_sends_the_file_until_it_expires_and_only_to_its_owner(filed, sessions, clock):
    ana, lee = filed.as_("ana"), filed.as_("lee")
    await ana.press_button("home_export_book", "self", in_view=HOME)
    await ana.slack.wait_for(lambda: len(ana.slack.named("chat.postEphemeral")) == 2)
    [fetch] = elements(await home_of(ana), "home_export_fetch")
    sent = len(await ephemerals(ana))
    await ana.press_button("home_export_fetch", fetch["value"], in_view=HOME)
    uploads = await ana.slack.wait_for(lambda: ana.slack.named("files.completeUploadExternal")[1:])
    assert uploads[0].params["channel_id"] == dm_channel(SLACK_IDS["ana"])
    [again] = await ephemerals(ana, sent)
    assert again["text"].startswith("Sending ") and "again" in again["text"]

    def fetches() -> list[tuple]:
        return [row for row in audit_rows(sessions) if row[0] == "export.fetch"]

    [by_button] = fetches()
    await ana.command(f"exports get {fetch['value']}")  # the slash-command twin
    await ana.slack.wait_for(lambda: ana.slack.named("files.completeUploadExternal")[2:])
    assert fetches() == [by_button, by_button] and by_button[2] != "refused"

    await lee.press_button("home_export_fetch", fetch["value"], in_view=HOME)  # Ana's token, forged
    [refused] = await ephemerals(lee)
    assert refused["text"] == "No export of yours has that id; see your export history."
    assert fetches()[-1] == ("export.fetch", "export:unknown", "refused")
    assert len(ana.slack.named("files.completeUploadExternal")) == 3

    clock.now = NOW + timedelta(minutes=61)  # the tab still shows the button
    await ana.press_button("home_export_fetch", fetch["value"], in_view=HOME)
    [expired] = await ephemerals(ana, sent + 1)
    assert "has expired" in expired["text"] and "request a new one" in expired["text"]
    assert len(ana.slack.named("files.completeUploadExternal")) == 3
    assert elements(await home_of(ana), "home_export_fetch") == []
    await ana.press_button("home_export_fetch", "<!channel>", in_view=HOME)
    assert (await ephemerals(ana, sent + 2))[0]["text"].startswith("That button no longer")


async def test_open_crw_case_from_home_answers_as_crw_show(filed, sessions):
    ana, omar = filed.as_("ana"), filed.as_("omar")
    [menu] = elements(await home_of(ana), "crw_case_open")
    before_command = len(audit_rows(sessions))
    await ana.command("crw show CRW-000101")
    by_command = audit_rows(sessions)[before_command:]
    await ana.press_button("crw_case_open", menu["options"][0]["value"], in_view=HOME, pick=True)
    [shown] = await ephemerals(ana)
    assert shown["text"] == "CRW case CRW-000101." and CONSUMER_PHONE in json.dumps(shown["blocks"])
    assert audit_rows(sessions)[before_command + len(by_command) :] == by_command  # audited alike
    _, by_command = await omar.command("crw show CRW-000101")
    await omar.press_button("crw_case_open", "CRW-000101", in_view=HOME, pick=True)
    [refused] = await ephemerals(omar)
    assert refused["text"] == by_command and CONSUMER_NAME not in json.dumps(refused)
    assert audit_rows(sessions)[-1] == ("crw.show", "CRW-000101", "refused")
    await ana.press_button("crw_case_open", "CRW-000103", in_view=HOME, pick=True)  # closed since
    [closed] = await ephemerals(ana, 1)
    assert closed["text"] == "CRW case CRW-000103 is closed."
    assert "crw_case_close" not in json.dumps(closed["blocks"])


async def test_a_full_home_stays_within_100_blocks_and_shows_stored_text_inert(filed, book, sessions):
    ana_id = filed.ids["ana"]
    hostile = "<!channel> `boom` & <https://evil.example|Verify>"
    with transaction(sessions) as s:
        for day in range(1, 26):  # more digests than the mailbox lists
            s.add(
                MailboxMessage(
                    recipient_id=ana_id,
                    kind=DigestKind.DAILY_SUMMARY,
                    business_date=date(2026, 10, day),
                    subject=f"Daily Summary - 10/{day:02d}/2026",
                    alert_count=3,
                    body_text="x",
                    body_html="",
                )
            )
        for n in range(8):  # more exports than the tab shows
            s.add(
                ExportRecord(
                    token=f"token-{n:04d}-abcdef",
                    requested_by_id=ana_id,
                    requested_via="slack",
                    agency_id=s.get_one(Enroller, ana_id).agency_id,
                    scope=ExportScope.AGENT,
                    subject_enroller_id=ana_id,
                    status=ExportStatus.SUCCEEDED,
                    row_count=5,
                    file_name=f"book-{n}.xlsx",
                    file_path=f"/nonexistent/book-{n}.xlsx",
                    requested_at=NOW - timedelta(minutes=n),
                    expires_at=NOW + timedelta(minutes=30),
                )
            )
    for n in range(120):  # more open cases than a menu holds
        book.crw_case(
            book.consumer(ana_id), ana_id, NOW - timedelta(days=5), risk=3, case_number=f"CRW-9{n:05d}"
        )
    for _ in range(7):
        create_request(sessions, ana_id, HelpCategory.CONSUMER_CASE, hostile, "Details.", NOW)
    blocks = await home_of(filed.as_("ana"))
    assert limit_problems(blocks, max_blocks=100) == [] and len(blocks) <= 100
    assert len(elements(blocks, "home_export_fetch")) == 5 and len(elements(blocks, "digest_open")) == 20
    [menu] = elements(blocks, "crw_case_open")
    assert 2 < len(menu["options"]) <= 100
    text = json.dumps(blocks)
    assert "*8* open filed by you" in text  # the fixture's one and these seven
    assert "<!channel>" not in text and "<https://evil" not in text and "&lt;!channel&gt;" in text
