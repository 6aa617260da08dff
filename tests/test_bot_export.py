"""`/bob export` through Slack: signed commands in, an encrypted workbook in the DM, its
password only in an ephemeral message, and nothing personal anywhere else."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import msoffcrypto
import openpyxl
import pytest
from sqlalchemy import select

from bot import export_command, exports_command
from bot.app import start_bot
from bot.deps import BotDeps
from bot.settings import SlackConfig
from exports.planning import plan_export
from exports.settings import ExportsConfig
from store.models import (
    Agency,
    AuditEntry,
    Consumer,
    Delegation,
    ExportRecord,
    OutboxEmail,
    Role,
)
from tests.fake_slack import FakeSlack, SlackUser

SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
PASSWORD = re.compile(r"`([a-z0-9]{5}(?:-[a-z0-9]{5})+)`")


@pytest.fixture
def people(book):
    """One agency with every role, plus a manager of another agency; all linked but Una."""
    sunrise = book.agency()
    other = book.agency(code="other", name="Other Agency")
    ids = {
        "ana": book.enroller(sunrise, "Ana", "Agent", slack_user_id="U0ANA", license_number="0A11111"),
        "lee": book.enroller(sunrise, "Lee", "LevelTwo", Role.AGENT_L2, slack_user_id="U0LEE"),
        "max": book.enroller(sunrise, "Max", "Manager", Role.AGENCY_MANAGER, slack_user_id="U0MAX"),
        "ada": book.enroller(sunrise, "Ada", "Admin", Role.ADMIN_L1, slack_user_id="U0ADA"),
        "sue": book.enroller(sunrise, "Sue", "Support", Role.SUPPORT_STAFF, slack_user_id="U0SUE"),
        "oz": book.enroller(other, "Oz", "Outsider", Role.AGENCY_MANAGER, slack_user_id="U0OZ"),
        "una": book.enroller(sunrise, "Una", "Unlinked"),
    }
    consumers = [book.consumer(ids["ana"]) for _ in range(3)]
    consumers.append(book.consumer(ids["lee"]))
    consumers.append(book.consumer(book.enroller(other, "Otto", "Other")))
    for consumer in consumers:
        book.enrollment(consumer)
    return ids


def seeded_pii(sessions) -> list[str]:
    with sessions() as s:
        rows = s.execute(
            select(Consumer.first_name, Consumer.ssn, Consumer.email, Consumer.primary_phone)
        ).all()
    return [value for row in rows for value in row if value]


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_bot(sessions, slack, tmp_path, password_delivery="ephemeral", clock=lambda: NOW):
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_base_url=slack.api_url, port=0)
    exports = ExportsConfig(directory=str(tmp_path / "exports"), password_delivery=password_delivery)
    return start_bot(BotDeps(sessions, config, exports, from_address="bob@agency.test", clock=clock))


@pytest.fixture
async def user(sessions, slack, tmp_path, people):
    running = await make_bot(sessions, slack, tmp_path)
    yield SlackUser(running.url, slack, SECRET, user_id="U0ANA")
    await running.stop()


def ephemeral(call) -> bool:
    return call.method == "chat.postEphemeral" or (
        call.method == "response_url" and call.params.get("response_type") == "ephemeral"
    )


async def delivered(slack: FakeSlack):
    """Wait for the file and the password message; return (file bytes, completion, password)."""
    await slack.wait_for(
        lambda: (
            slack.named("files.completeUploadExternal")
            and [c for c in slack.named("response_url") if PASSWORD.search(c.text)]
        )
    )
    [complete] = slack.named("files.completeUploadExternal")
    [upload] = slack.named("upload")
    [password_message] = [c for c in slack.named("response_url") if PASSWORD.search(c.text)]
    return slack.uploads[upload.params["file_id"]], complete, password_message


def decrypt(data: bytes, password: str) -> openpyxl.Workbook:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    plain = io.BytesIO()
    office.decrypt(plain)
    return openpyxl.load_workbook(plain, read_only=True)


async def test_an_agent_gets_an_encrypted_workbook_in_the_dm_and_the_password_apart(
    user, slack, sessions, people
):
    assert "Preparing your Book of Business: 3 consumers" in await user.answer("export")
    data, complete, password_message = await delivered(slack)
    password = PASSWORD.search(password_message.text).group(1)

    assert complete.params["channel_id"] == "D0ANA"
    assert slack.named("conversations.open")[0].params["users"] == "U0ANA"
    assert password_message.params["response_type"] == "ephemeral"
    assert password not in complete.text
    for call in slack.calls:
        if call is not password_message:
            assert password not in call.text, call.method

    with pytest.raises(Exception):  # noqa: B017 - openpyxl cannot read the encrypted package
        openpyxl.load_workbook(io.BytesIO(data))
    workbook = decrypt(data, password)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 48
    assert len(rows) == 1 + 3
    with sessions() as s:
        cases = set(
            s.scalars(
                select(Consumer.case_number).join(Delegation).where(Delegation.enroller_id == people["ana"])
            )
        )
    assert {cell for row in rows[1:] for cell in row} >= cases
    with sessions() as s:
        record = s.scalars(select(ExportRecord)).one()
    assert (record.status, record.row_count, record.requested_via) == ("succeeded", 3, "slack")


async def test_the_password_goes_by_email_when_configured(sessions, slack, tmp_path, people):
    running = await make_bot(sessions, slack, tmp_path, password_delivery="email")
    try:
        user = SlackUser(running.url, slack, SECRET, user_id="U0ANA")
        assert "Preparing" in await user.answer("export")
        await slack.wait_for(
            lambda: len(slack.named("response_url")) == 2 and slack.named("files.completeUploadExternal")
        )
        _, reply = slack.named("response_url")
        assert "emailed to the address on file" in reply.params["text"]
        with sessions() as s:
            email = s.scalars(select(OutboxEmail)).one()
        assert email.subject == "Your bob export password"
        password = re.search(r"is:\s+(\S+)", email.body_text).group(1)
        file_name = re.search(r"The password for (\S+) is:", email.body_text).group(1)
        assert email.body_text == (
            f"The password for {file_name} is:\n\n    {password}\n\n"
            "The workbook itself was sent to you in Slack. Delete this email once the file is open.\n"
        )
        assert f"<p>The password for {file_name} is:</p>\n<p><code>{password}</code></p>" in email.body_html
        assert "<title>Your bob export password</title>" in email.body_html
        [upload] = slack.named("upload")
        decrypt(slack.uploads[upload.params["file_id"]], password)
        assert all(password not in call.text for call in slack.calls)
    finally:
        await running.stop()


async def test_a_command_typed_in_the_bots_dm_gets_the_password_by_email(sessions, slack, tmp_path, people):
    running = await make_bot(sessions, slack, tmp_path)
    try:
        user = SlackUser(running.url, slack, SECRET, user_id="U0ANA", channel_id="D0ANA")
        assert "Preparing" in await user.answer("export")
        await slack.wait_for(lambda: len(slack.named("response_url")) == 2)
        assert all(not PASSWORD.search(call.text) for call in slack.calls)
        with sessions() as s:
            assert s.scalars(select(OutboxEmail.subject)).one() == "Your bob export password"
    finally:
        await running.stop()


class HeldPlanning:
    """Stands in for ``plan_export``: the real one, once the test lets it go."""

    def __init__(self) -> None:
        self.started, self.released = threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        self.started.set()
        assert self.released.wait(10), "the test never let the planning finish"
        return plan_export(*args, **kwargs)


@pytest.fixture
def held_planning(monkeypatch):
    held = HeldPlanning()
    monkeypatch.setattr(export_command, "plan_export", held)
    yield held
    held.released.set()


@pytest.mark.parametrize(
    ("slack_user", "answer", "delivered_too"),
    [
        ("U0ANA", "Preparing your Book of Business: 3 consumers", True),
        ("U0SUE", "Your role cannot export the Book of Business", False),
    ],
)
async def test_the_command_is_acknowledged_while_planning_waits_and_answered_once(
    user, slack, sessions, held_planning, slack_user, answer, delivered_too
):
    """Slack gives up on an acknowledgement after 3 s; planning reads the database, which can
    take longer under load, so it must not stand between the command and its acknowledgement."""
    response_url = slack.response_url()
    body = user.as_user(slack_user).command_body("export", response_url)
    posted = user.post(body, user.signed_headers(body), "application/x-www-form-urlencoded")
    # The planning is held until the acknowledgement is in: only an ack that waits for no
    # planning can arrive (a wrong order would stop here for 5 s, then fail).
    acknowledged = await asyncio.wait_for(posted, timeout=5)
    assert acknowledged == (200, "")
    assert await asyncio.to_thread(held_planning.started.wait, 5), "the planning never started"
    assert slack.answers_to(response_url) == []
    with sessions() as s:
        assert s.scalars(select(ExportRecord)).all() == []

    held_planning.released.set()
    first, *_ = await slack.wait_for(lambda: slack.answers_to(response_url))
    assert answer in first.params["text"]
    assert first.params["response_type"] == "ephemeral"
    if delivered_too:
        _, _, password_message = await delivered(slack)
        assert slack.answers_to(response_url) == [first, password_message]
    else:
        await asyncio.sleep(0.3)  # give a second answer or a wrongly started export time to show
        assert slack.answers_to(response_url) == [first]
        assert slack.named("files.getUploadURLExternal") == []
    with sessions() as s:
        requests = s.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "export.request")).all()
        records = s.scalars(select(ExportRecord.status)).all()
    assert requests == (["allowed"] if delivered_too else ["refused"])
    assert records == (["succeeded"] if delivered_too else [])


async def test_a_planning_that_fails_unexpectedly_is_answered_without_its_message(
    user, slack, monkeypatch, caplog
):
    def broken_plan(*_args, **_kwargs):
        raise RuntimeError("Ana Agent 123-45-6789")

    monkeypatch.setattr(export_command, "plan_export", broken_plan)
    reply = await user.answer("export")
    assert reply == export_command.NOT_PLANNED
    await asyncio.sleep(0.2)
    [answer] = slack.named("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "123-45-6789" not in caplog.text and "RuntimeError" in caplog.text


MATRIX = [
    # (slack user, command, consumers or None when refused)
    ("U0ANA", "export", 3),
    ("U0ANA", "export agency", None),
    ("U0ANA", 'export agent "Lee Leveltwo"', None),
    ("U0LEE", "export", 1),
    ("U0LEE", "export agency", None),
    ("U0MAX", "export agency", 4),
    ("U0MAX", 'export agent "Ana Agent"', 3),
    ("U0MAX", "export agent 0A11111", 3),
    ("U0MAX", "export agent Ana", None),
    ("U0ADA", "export agency", None),
    ("U0SUE", "export", None),
    ("U0SUE", "export agency", None),
    ("U0OZ", 'export agent "Ana Agent"', None),
    ("U0OZ", "export agency", 1),
    ("U0UNA", "export", None),
]


@pytest.mark.parametrize(("slack_user", "text", "consumers"), MATRIX)
async def test_the_authorization_matrix(user, slack, sessions, slack_user, text, consumers):
    reply = await user.as_user(slack_user).answer(text)
    if consumers is None:
        assert "Preparing" not in reply
        assert reply.strip()
        await asyncio.sleep(0.3)  # give a wrongly started background export time to show
        assert slack.named("files.getUploadURLExternal") == []
    else:
        noun = "consumer" if consumers == 1 else "consumers"
        assert f"Preparing your Book of Business: {consumers} {noun}" in reply
        await delivered(slack)


async def test_an_unlinked_user_is_told_how_to_link(user):
    reply = await user.as_user("U0UNA").answer("export")
    assert "/bob link <your license number or email on file>" in reply


async def test_every_export_is_audited_without_pii(user, slack, sessions):
    await user.command("export")
    await delivered(slack)
    assert "Preparing" not in await user.answer("export agency")
    with sessions() as s:
        audit = s.execute(
            select(AuditEntry.action, AuditEntry.outcome, AuditEntry.target, AuditEntry.detail)
        ).all()
    assert len(audit) >= 2
    text = str(audit)
    assert all(value not in text for value in seeded_pii(sessions))


async def test_a_slack_upload_failure_is_reported_and_the_history_says_failed(
    user, slack, sessions, tmp_path
):
    slack.fail("files.getUploadURLExternal", "ratelimited")
    assert "Preparing" in await user.answer("export")
    await slack.wait_for(lambda: len(slack.named("response_url")) == 2)
    _, reply = slack.named("response_url")
    assert "could not be sent to your DM" in reply.params["text"]
    assert "ratelimited" in reply.params["text"]
    assert not PASSWORD.search(reply.text)
    with sessions() as s:
        record = s.scalars(select(ExportRecord)).one()
    assert record.status == "failed" and "ratelimited" in record.error
    assert list((tmp_path / "exports").glob("**/*.xlsx")) == []
    _, history = await user.command("exports")
    assert "failed" in history and "ratelimited" in history


async def test_the_history_lists_exports_and_one_can_be_fetched_again(user, slack, sessions, people):
    await user.command("export")
    await delivered(slack)
    _, history = await user.command("exports")
    assert "succeeded" in history and "3 rows" in history
    token = re.search(r"/bob exports get (\S+)`", history).group(1)
    assert "Sending" in await user.answer(f"exports get {token}")
    await slack.wait_for(lambda: len(slack.named("files.completeUploadExternal")) == 2)
    other = await user.as_user("U0MAX").answer(f"exports get {token}")
    assert "Sending" not in other
    with sessions() as s:
        export_id = s.scalars(select(ExportRecord.id)).one()
        fetches = s.execute(
            select(AuditEntry.actor_id, AuditEntry.target, AuditEntry.outcome, AuditEntry.detail)
            .where(AuditEntry.action == "export.fetch")
            .order_by(AuditEntry.id)
        ).all()
        audited = json.dumps([[e.target, e.detail] for e in s.scalars(select(AuditEntry))])
    assert [tuple(f) for f in fetches] == [
        (people["ana"], f"export:{export_id}", "ok", {"channel": "slack"}),
        (people["max"], "export:unknown", "refused", {"reason": "not_found", "channel": "slack"}),
    ]
    assert not [value for value in seeded_pii(sessions) if value in audited]


async def test_fetching_again_is_refused_once_the_agency_prevents_agents_exports(
    user, slack, sessions, people
):
    await user.command("export")
    await delivered(slack)
    _, history = await user.command("exports")
    token = re.search(r"/bob exports get (\S+)`", history).group(1)
    with sessions() as s, s.begin():
        s.scalars(select(Agency)).first().prevent_downline_exports = True
    reply = await user.answer(f"exports get {token}")
    assert "turned off Book of Business exports for agents" in reply and "Sending" not in reply
    await asyncio.sleep(0.2)
    assert len(slack.named("files.completeUploadExternal")) == 1
    with sessions() as s:
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "export.fetch")).one()
    assert (refused.outcome, refused.detail["reason"]) == ("refused", "downline_exports_prevented")


async def test_no_pii_in_logs_or_non_ephemeral_messages(user, slack, sessions, caplog):
    caplog.set_level(logging.DEBUG)
    await user.command("export")
    data, _, _ = await delivered(slack)
    await user.command("exports")
    await user.command("mailbox")
    await user.open_home()
    await slack.wait_for(lambda: slack.named("views.publish"))
    pii = seeded_pii(sessions)
    assert pii
    logged = caplog.text
    public = " ".join(call.text for call in slack.calls if not ephemeral(call))
    for value in pii:
        assert value not in logged
        assert value not in public
        assert value.encode() not in data, "the upload must be encrypted"


async def test_an_empty_book_gets_a_clear_reply_and_nothing_is_built(user, slack):
    reply = await user.as_user("U0MAX").answer("export")
    assert reply.startswith("No consumers are delegated to Max Manager")
    await asyncio.sleep(0.3)
    assert slack.named("files.getUploadURLExternal") == []


async def test_prevented_downline_exports_stop_agents_but_not_managers(user, slack, sessions):
    with sessions() as s, s.begin():
        sunrise = s.scalars(select(Agency).where(Agency.code == "sunrise")).one()
        sunrise.prevent_downline_exports = True
    agent_reply = await user.answer("export")
    assert "turned off Book of Business exports for agents" in agent_reply
    manager_reply = await user.as_user("U0MAX").answer("export agency")
    assert "Preparing your Book of Business: 4 consumers" in manager_reply


async def test_an_export_that_fails_in_its_worker_process_is_reported_and_leaves_no_file(
    sessions, slack, tmp_path, people
):
    (tmp_path / "exports").write_text("a file where the export folder should be")
    running = await make_bot(sessions, slack, tmp_path)
    try:
        user = SlackUser(running.url, slack, SECRET, user_id="U0ANA")
        assert "Preparing" in await user.answer("export")
        await slack.wait_for(lambda: len(slack.named("response_url")) == 2)
        _, reply = slack.named("response_url")
        assert reply.params["text"].startswith(
            "The export failed: the export folder cannot be created (File exists); "
            "ask your bob administrator to check exports.directory"
        )
        assert str(tmp_path) not in reply.params["text"]
        assert slack.named("files.getUploadURLExternal") == []
        with sessions() as s:
            record = s.scalars(select(ExportRecord)).one()
            builds = s.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "export.build")).all()
        assert record.status == "failed" and record.file_path is None
        assert builds == ["failed"]
        assert (tmp_path / "exports").is_file()
        _, history = await user.command("exports")
        assert "*failed*" in history and "folder cannot be created" in history
    finally:
        await running.stop()


async def test_an_expired_export_cannot_be_fetched_again(sessions, slack, tmp_path, people):
    clock = Clock(NOW)
    running = await make_bot(sessions, slack, tmp_path, clock=clock)
    try:
        user = SlackUser(running.url, slack, SECRET, user_id="U0ANA")
        await user.command("export")
        await delivered(slack)
        _, history = await user.command("exports")
        token = re.search(r"/bob exports get (\S+)`", history).group(1)
        clock.now = NOW + timedelta(minutes=61)
        assert "expired" in await user.answer(f"exports get {token}")
        _, history = await user.command("exports")
        assert "/bob exports get" not in history
    finally:
        await running.stop()


async def test_a_fetch_that_fails_unexpectedly_is_answered_without_its_message(
    user, slack, monkeypatch, caplog
):
    def broken_fetch(*_args, **_kwargs):
        raise RuntimeError("Ana Agent 123-45-6789")

    monkeypatch.setattr(exports_command, "fetch_export", broken_fetch)
    reply = await user.answer("exports get abcdef123456")
    assert reply == exports_command.NOT_FETCHED
    await asyncio.sleep(0.2)
    [answer] = slack.named("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "123-45-6789" not in caplog.text and "RuntimeError" in caplog.text
