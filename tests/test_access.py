"""The access rules: the docs' role × action table is the code's, the code obeys the table,
and a refusal is audited, committed and then raised."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from exports.errors import ExportRefused
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from mailer.digests import audience
from rules.access import (
    AGENCY_MANAGERS,
    ALLOWED,
    ROLE_NAMES,
    Action,
    Attempt,
    access_table,
    act,
    audit_refusals,
    may,
)
from rules.casework.crw_queries import agency_overview
from rules.casework.crw_reach import CrwRefused
from rules.casework.help_requests import HelpRefused, create_request, update_request
from rules.mailbox import mailbox_listing, open_message
from store.errors import Refused
from store.history import record_history
from store.mailbox import NotFound
from store.models import (
    AuditEntry,
    DigestKind,
    Enroller,
    HelpCategory,
    HelpStatus,
    MailboxMessage,
    Role,
    utcnow,
)

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parent.parent / "docs" / "access.md"


def test_the_docs_table_is_the_one_in_the_code():
    section = DOC.read_text(encoding="utf-8").split("## Role × action\n\n", 1)[1]
    assert section == access_table(), (
        "docs/access.md is out of date; regenerate its table with "
        '`python -c "from rules.access import access_table; print(access_table())"`'
    )


def test_every_action_and_role_has_a_row_and_a_column():
    assert set(ALLOWED) == set(Action)
    assert set(ROLE_NAMES) == set(Role)


def test_one_manager_set_reads_the_book_manages_crw_and_reads_help_requests():
    for action in (
        Action.EXPORT_AGENCY_BOOK,
        Action.EXPORT_AGENT_BOOK,
        Action.WORK_AGENCY_CRW_CASES,
        Action.TRANSFER_CRW_CASE,
        Action.TAKE_CRW_REPORT,
        Action.READ_AGENCY_HELP_REQUESTS,
    ):
        assert ALLOWED[action] == AGENCY_MANAGERS


@pytest.fixture
def agency(book) -> dict[Role, int]:
    """One enroller of every role in one agency; the agent holds one consumer."""
    sunrise = book.agency()
    people = {role: book.enroller(sunrise, "Pat", role.value.replace("_", ""), role) for role in Role}
    book.consumer(people[Role.AGENT_L1])
    return people


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_does_what_the_table_says(sessions, book, agency, tmp_path, role):
    actor = agency[role]
    allowed = {action for action in Action if role in ALLOWED[action]}
    config = ExportsConfig(directory=str(tmp_path))
    try:
        plan_export(sessions, config, ExportRequest(actor, "agency"), NOW)
        exported = True
    except ExportRefused:
        exported = False
    assert exported == (Action.EXPORT_AGENCY_BOOK in allowed)
    try:
        agency_overview(sessions, actor, NOW)
        overview = True
    except CrwRefused:
        overview = False
    assert overview == (Action.WORK_AGENCY_CRW_CASES in allowed)
    number = create_request(sessions, actor, HelpCategory.PROFILE, "Address", "Please fix", NOW).number
    try:
        update_request(sessions, actor, number, HelpStatus.IN_PROGRESS, None, NOW)
        updated = True
    except HelpRefused:
        updated = False
    assert updated == (Action.UPDATE_HELP_REQUEST in allowed)


def test_the_daily_manager_summary_goes_to_the_roles_of_the_table(sessions, agency):
    with sessions() as session:
        record_history(session)
        managers = audience(session, (utcnow() + timedelta(days=1)).date()).managers
    ids = {person.id for people in managers.values() for person in people}
    assert ids == {agency[role] for role in ALLOWED[Action.RECEIVE_MANAGER_SUMMARY]}


def audit_rows(sessions) -> list[tuple[int | None, str, str | None, str, dict | None]]:
    with sessions() as session:
        return [
            (a.actor_id, a.action, a.target, a.outcome, a.detail)
            for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_a_refusal_is_audited_and_committed_before_it_is_raised(sessions, agency):
    attempt = Attempt("test.try", "thing:1", NOW, detail={"via": "test"})

    def refuse(session):
        raise Refused("not today", "not_today")

    with pytest.raises(Refused, match="not today"):
        audit_refusals(sessions, attempt, refuse)
    assert audit_rows(sessions) == [
        (None, "test.try", "thing:1", "refused", {"reason": "not_today", "via": "test"})
    ]


def test_an_unknown_or_inactive_actor_gets_the_not_linked_refusal(sessions, book, agency):
    inactive = book.enroller(book.agency("moon", "Moon"), "Ina", "Inactive", active=False)
    not_linked = Refused("link first", "unknown_actor")
    for actor in (99_999, inactive):
        with pytest.raises(Refused, match="link first"):
            act(sessions, actor, Attempt("test.act", "x", NOW), lambda s, a: a.id, not_linked)
    assert [(row[0], row[3]) for row in audit_rows(sessions)] == [(None, "refused"), (inactive, "refused")]
    assert (
        act(sessions, agency[Role.AGENT_L1], Attempt("test.act", "x", NOW), lambda s, a: a.id, not_linked)
        == (agency[Role.AGENT_L1])
    )


def test_a_mailbox_is_read_by_its_owner_only_and_a_refusal_is_audited(sessions, book, agency):
    owner, other = agency[Role.AGENT_L1], agency[Role.AGENT_L2]
    with sessions() as session, session.begin():
        message = MailboxMessage(
            recipient_id=owner,
            kind=DigestKind.DAILY_SUMMARY,
            business_date=date(2026, 11, 20),
            subject="Daily Summary",
            body_text="text",
            body_html="<p>html</p>",
            alert_count=0,
        )
        session.add(message)
        session.flush()
        message_id = message.id
    assert [entry.id for entry in mailbox_listing(sessions, owner, NOW)] == [message_id]
    assert open_message(sessions, owner, message_id, NOW).body_text == "text"
    assert mailbox_listing(sessions, other, NOW) == []
    with pytest.raises(NotFound) as refused:
        open_message(sessions, other, message_id, NOW)
    assert str(refused.value) == f"there is no message {message_id} in this mailbox"
    assert audit_rows(sessions) == [
        (other, "mailbox.read", f"message:{message_id}", "refused", {"reason": "not_found"})
    ]


def test_may_reads_the_role_off_the_enroller(sessions, agency):
    with sessions() as session:
        support = session.get_one(Enroller, agency[Role.SUPPORT_STAFF])
        assert may(support, Action.UPDATE_HELP_REQUEST)
        assert not may(support, Action.EXPORT_OWN_BOOK)
