"""Every digest reaches the secure mailbox; its email and Slack DM follow the recipient's
preferences: each channel on or off, No Alerts digests per channel, quiet topics, and a
delivery time that holds the email and DM (never the mailbox entry) until then, DST-correct.
Messages that are not digests (sign-in links, link codes, export passwords) ignore them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest
from sqlalchemy import select

import store.models.base
from bot.dm_drain import drain_slack_dms
from bot.identity import link_pepper, request_link_code
from exports.password_email import email_password
from mailer.daily_summary import run_daily_summary
from mailer.digests import Digest, Person
from mailer.dry_run import preview_daily_summary
from mailer.sender import drain_outbox
from mailer.settings import SmtpConfig
from mailer.sink import capture_server
from rules.access import Via
from rules.preferences import (
    BOB_WINDOW,
    CONTRACT_TOPICS,
    QUIETABLE_TOPICS,
    AgencyChanges,
    Changes,
    Channel,
    Preferences,
)
from rules.topics import TOPICS, TOPICS_BY_NAME
from store.db import transaction
from store.models import (
    DelegationStatus,
    DigestKind,
    MailboxMessage,
    OutboxEmail,
    QuietTopic,
    Role,
    SlackDm,
)
from store.outbox import QueueAge, queue_age
from store.preferences import (
    change_agency_defaults,
    change_preferences,
    effective_preferences,
    turn_email_digests_off,
)
from tests.slack_dm_helpers import client_for
from web.deps import WebDeps
from web.signin_requests import request_signin_link

DAY = date(2026, 11, 23)
NOTICE_AT = datetime(2026, 11, 22, 18, tzinfo=UTC)
CHOSEN_AT = datetime(2026, 11, 20, 17, tzinfo=UTC)
QUIET = "pending_delegation"  # one of bob's own topics, which people may quiet
QUIET_TITLE = "Pending Delegation"
ALL_OFF = Changes(email_digest=False, slack_digest=False, email_no_alerts=False, slack_no_alerts=False)


@pytest.fixture
def people(book):
    """Sunrise (Pacific): Ana (two NOD notices, linked), Bo (a book, nothing fired, linked),
    Max (manager, linked)."""
    agency = book.agency()
    ids = {
        "agency": agency,
        "ana": book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA"),
        "bo": book.enroller(agency, "Bo", "Quiet", slack_user_id="U0BO"),
        "max": book.enroller(agency, "Max", "Manager", role=Role.AGENCY_MANAGER, slack_user_id="U0MAX"),
    }
    for _ in range(2):
        book.notice(book.consumer(ids["ana"]), NOTICE_AT)
    book.consumer(ids["bo"])
    return ids


def choose(sessions, who: int, changes: Changes) -> None:
    change_preferences(sessions, who, who, changes, Via("web"), CHOSEN_AT)


def emails(sessions) -> dict[int, OutboxEmail]:
    with sessions() as s:
        return {e.recipient_id: e for e in s.scalars(select(OutboxEmail))}


def dms(sessions) -> dict[int, SlackDm]:
    with sessions() as s:
        return {dm.recipient_id: dm for dm in s.scalars(select(SlackDm))}


def mailbox(sessions) -> dict[int, MailboxMessage]:
    with sessions() as s:
        return {m.recipient_id: m for m in s.scalars(select(MailboxMessage))}


@pytest.fixture
def pin_clock(monkeypatch):
    """Pin what ``store.models.utcnow()`` reads (the run's and the queues' now)."""

    def pin(moment: datetime) -> None:
        class Clock(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return moment.astimezone(tz or UTC)

        monkeypatch.setattr(store.models.base, "datetime", Clock)

    return pin


def test_the_mailbox_gets_every_digest_when_every_channel_is_off(sessions, delivery, people):
    for who in ("ana", "bo", "max"):
        choose(sessions, people[who], ALL_OFF)
    result = run_daily_summary(sessions, DAY, delivery)
    assert (result.digests, result.emails, result.slack_dms) == (3, 0, 0)
    assert set(mailbox(sessions)) == {people["ana"], people["bo"], people["max"]}
    assert mailbox(sessions)[people["ana"]].alert_count == 2
    assert emails(sessions) == {} and dms(sessions) == {}
    assert "3 digests delivered to mailboxes, 0 queued as email" in result.summary()


def test_email_off_keeps_the_dm_and_slack_off_keeps_the_email(sessions, delivery, people):
    choose(sessions, people["ana"], Changes(email_digest=False))
    choose(sessions, people["max"], Changes(slack_digest=False))
    result = run_daily_summary(sessions, DAY, delivery)
    assert (result.emails, result.slack_dms) == (2, 2)
    assert set(emails(sessions)) == {people["bo"], people["max"]}
    assert set(dms(sessions)) == {people["ana"], people["bo"]}


def test_a_dry_run_counts_the_emails_and_dms_preferences_let_through(sessions, engine, delivery, people):
    choose(sessions, people["ana"], Changes(email_digest=False))
    choose(sessions, people["bo"], Changes(slack_digest=False))
    preview = preview_daily_summary(engine, DAY, delivery)
    assert (preview.digests, preview.emails, preview.slack_dms) == (3, 2, 2)
    assert "2 emails would be queued, and 2 Slack DMs" in preview.preview()


def test_no_alerts_digests_are_chosen_per_channel(sessions, delivery, people, book):
    cy = book.enroller(people["agency"], "Cy", "Calm", slack_user_id="U0CY")
    book.consumer(cy)
    choose(sessions, people["bo"], Changes(email_no_alerts=False))
    choose(sessions, cy, Changes(slack_no_alerts=False))
    choose(sessions, people["ana"], Changes(email_no_alerts=False, slack_no_alerts=False))
    run_daily_summary(sessions, DAY, delivery)
    assert people["bo"] not in emails(sessions) and people["bo"] in dms(sessions)
    assert cy in emails(sessions) and cy not in dms(sessions)
    assert emails(sessions)[cy].subject == "No Alerts Daily Summary - 11/23/2026"
    # Ana's digest has alerts: No Alerts choices do not touch it.
    assert people["ana"] in emails(sessions) and people["ana"] in dms(sessions)
    assert set(mailbox(sessions)) == {people["ana"], people["bo"], people["max"], cy}


async def test_a_quiet_topic_is_left_out_of_email_and_dm_but_stays_in_the_mailbox(
    sessions, delivery, people, book, slack
):
    book.consumer(people["ana"], status=DelegationStatus.PENDING)
    choose(sessions, people["ana"], Changes(quiet=frozenset({QUIET})))
    run_daily_summary(sessions, DAY, delivery)
    entry = mailbox(sessions)[people["ana"]]
    assert entry.alert_count == 3 and QUIET_TITLE in entry.body_text
    assert sorted({a["topic"] for a in entry.alerts}) == ["nod_notice", QUIET]
    email = emails(sessions)[people["ana"]]
    assert "has 2 alerts" in email.body_text and "NOD Notice" in email.body_text
    assert QUIET_TITLE not in email.body_text and QUIET_TITLE not in email.body_html
    note = "1 alert on topics you quieted is left out here; it is in your secure mailbox."
    assert note in email.body_text and f"<p>{note}</p>" in email.body_html
    assert dms(sessions)[people["ana"]].quiet_topics == [QUIET]
    client, config = client_for(slack)
    await drain_slack_dms(sessions, client, config)
    [dm] = slack.dms_to("U0ANA")
    shown = json.dumps(dm["blocks"])
    assert "2 alerts" in shown and "NOD Notice" in shown and QUIET_TITLE not in shown
    # the manager did not quiet it: their summary shows Ana's three alerts
    assert QUIET_TITLE in emails(sessions)[people["max"]].body_text


async def test_a_digest_with_only_quiet_alerts_counts_as_no_alerts_on_each_channel(
    sessions, delivery, people, book, slack
):
    book.consumer(people["bo"], status=DelegationStatus.PENDING)
    choose(sessions, people["bo"], Changes(quiet=frozenset({QUIET}), email_no_alerts=False))
    run_daily_summary(sessions, DAY, delivery)
    assert mailbox(sessions)[people["bo"]].alert_count == 1
    assert people["bo"] not in emails(sessions)  # no alerts left, and no No Alerts emails
    client, config = client_for(slack)
    await drain_slack_dms(sessions, client, config)
    [dm] = slack.dms_to("U0BO")
    assert "nothing needs you today" in json.dumps(dm["blocks"])


def test_a_manager_who_quiets_a_topic_gets_a_summary_email_without_it(sessions, delivery, people, book):
    book.consumer(people["ana"], status=DelegationStatus.PENDING)
    choose(sessions, people["max"], Changes(quiet=frozenset({QUIET})))
    run_daily_summary(sessions, DAY, delivery)
    email = emails(sessions)[people["max"]]
    assert QUIET_TITLE not in email.body_text and QUIET_TITLE not in (email.body_html or "")
    assert "has 2 alerts across 1 of 2 enrollers" in email.body_text
    summary = mailbox(sessions)[people["max"]]
    assert summary.kind == DigestKind.MANAGER_SUMMARY and summary.alert_count == 3


def test_with_pii_in_email_a_quiet_topic_is_left_out_of_the_full_text_too(sessions, delivery, people, book):
    book.consumer(people["ana"], status=DelegationStatus.PENDING)
    for who in ("ana", "max"):
        choose(sessions, people[who], Changes(quiet=frozenset({QUIET})))
    run_daily_summary(sessions, DAY, replace(delivery, include_pii_in_email=True))
    for who in ("ana", "max"):
        email, entry = emails(sessions)[people[who]], mailbox(sessions)[people[who]]
        assert "NOD Notice" in email.body_text and QUIET_TITLE not in email.body_text
        assert QUIET_TITLE not in (email.body_html or "") and QUIET_TITLE in entry.body_text
    assert emails(sessions)[people["bo"]].body_text == mailbox(sessions)[people["bo"]].body_text


@pytest.mark.parametrize(
    ("zone", "day", "run_at", "nine_local"),
    [
        # Pacific, the Sunday clocks spring forward: 06:00 PDT is 13:00Z, 09:00 PDT 16:00Z
        ("America/Los_Angeles", date(2026, 3, 8), datetime(2026, 3, 8, 13, 5, tzinfo=UTC), 16),
        # Eastern, the Sunday clocks fall back: 06:00 EST is 11:00Z, 09:00 EST 14:00Z
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 11, 5, tzinfo=UTC), 14),
    ],
)
async def test_a_delivery_time_holds_the_email_and_dm_but_never_the_mailbox_entry(
    sessions, delivery, book, slack, pin_clock, tmp_path, zone, day, run_at, nine_local
):
    agency = book.agency(code="zoned", tz=zone)
    ana = book.enroller(agency, "Ana", "Agent", slack_user_id="U0ANA")
    bo = book.enroller(agency, "Bo", "Early", slack_user_id="U0BO")
    for who in (ana, bo):
        book.notice(book.consumer(who), run_at - timedelta(hours=20))
    choose(sessions, ana, Changes(deliver_at=time(9, 0)))
    pin_clock(run_at)
    run_daily_summary(sessions, day, delivery)
    nine = datetime(day.year, day.month, day.day, nine_local, tzinfo=UTC)
    assert mailbox(sessions)[ana].created_at == run_at  # in the mailbox at once
    assert (emails(sessions)[ana].next_attempt_at, dms(sessions)[ana].next_attempt_at) == (nine, nine)
    assert (emails(sessions)[bo].next_attempt_at, dms(sessions)[bo].next_attempt_at) == (run_at, run_at)

    just_before, at_nine = nine - timedelta(minutes=1), nine
    with capture_server(tmp_path / "mail") as server:
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none", from_address="bob@agency.test")
        with sessions() as session:  # a held email has not waited yet: no false alarm
            assert queue_age(session, just_before) == QueueAge(run_at, run_at, held=1)
        assert (await drain_outbox(sessions, smtp, now=lambda: just_before)).sent == 1
        assert emails(sessions)[ana].sent_at is None
        with sessions() as session:  # from nine on it waits like any other
            assert queue_age(session, nine + timedelta(minutes=5)) == QueueAge(nine, nine, held=0)
        assert (await drain_outbox(sessions, smtp, now=lambda: at_nine)).sent == 1
    assert emails(sessions)[ana].sent_at == at_nine
    client, config = client_for(slack)
    assert (await drain_slack_dms(sessions, client, config, now=lambda: just_before)).sent == 1
    assert slack.dms_to("U0ANA") == []
    assert (await drain_slack_dms(sessions, client, config, now=lambda: at_nine)).sent == 1
    assert len(slack.dms_to("U0ANA")) == 1


@pytest.fixture
def nia(book, sessions):
    """An agent who turned every digest off and asked for them at 17:00."""
    agency = book.agency(code="nia")
    nia = book.enroller(agency, "Nia", "Nodigest", license_number="0A77777")
    choose(sessions, nia, replace(ALL_OFF, deliver_at=time(17, 0)))
    return nia


def _sent_at_once(sessions, nia: int, now: datetime) -> OutboxEmail:
    [email] = [e for e in emails(sessions).values() if e.recipient_id == nia]
    assert email.next_attempt_at <= now + timedelta(seconds=5)
    return email


def test_a_signin_link_ignores_delivery_preferences(sessions, nia, web_config, web_clock):
    deps = WebDeps(sessions, web_config, from_address="bob@agency.test", clock=web_clock)
    assert request_signin_link(deps, "nia.nodigest@agency.test", "203.0.113.9", "/mailbox")
    assert "sign" in _sent_at_once(sessions, nia, datetime.now(UTC)).subject.lower()


def test_a_link_code_ignores_delivery_preferences(sessions, nia):
    now = datetime.now(UTC)
    with sessions.begin() as session:
        request_link_code(session, "U0NIA", "0A77777", now, link_pepper("s"), "bob@agency.test")
    assert "code" in _sent_at_once(sessions, nia, now).subject.lower()


def test_an_export_password_ignores_delivery_preferences(sessions, nia):
    email_password(
        sessions, nia, "export-password-1", "book.xlsx", "pw-123", from_address="bob@a.test", file_went="here"
    )
    assert "pw-123" in _sent_at_once(sessions, nia, datetime.now(UTC)).body_text


def _digest_with(*topics: str) -> Digest:
    sections = [
        {
            "name": topic,
            "title": TOPICS_BY_NAME[topic].title,
            "alerts": [{"case_number": "C1"}],
            "records": [{"case_number": "C1", "topic": topic}],
        }
        for topic in topics
    ]
    context = {"topics": sections, "counts": [], "total": len(sections)}
    return Digest(DigestKind.DAILY_SUMMARY, Person(1, 1, "Ana Agent", "a@agency.test", "0A1"), context)


def _quieting(topic: str, no_alerts: bool) -> Preferences:
    return Preferences(
        1, True, True, no_alerts, no_alerts, None, frozenset({topic}), BOB_WINDOW, "America/Los_Angeles"
    )


@pytest.mark.parametrize("topic", QUIETABLE_TOPICS)
def test_each_topic_of_bobs_own_can_be_left_out_and_alone_counts_as_no_alerts(topic):
    prefs = _quieting(topic, no_alerts=False)
    shown = _digest_with(topic, "nod_notice").leaving_out(prefs.quiet_topics)
    assert [t["name"] for t in shown.context["topics"]] == ["nod_notice"] and shown.total == 1
    assert TOPICS_BY_NAME[topic].title not in [row["title"] for row in shown.context["counts"]]
    assert not prefs.delivers(Channel.EMAIL, [topic]) and not prefs.delivers(Channel.SLACK, [topic])
    assert _quieting(topic, no_alerts=True).delivers(Channel.EMAIL, [topic])


@pytest.mark.parametrize("topic", sorted(CONTRACT_TOPICS))
def test_each_calheers_topic_reaches_the_person_even_if_a_quiet_row_names_it(sessions, people, topic):
    assert topic in {t.name for t in TOPICS}
    with sessions.begin() as session:  # bypassing the rules, as an old or hand-made row would
        session.add(QuietTopic(enroller_id=people["ana"], topic=topic))
    with sessions() as session:
        prefs = effective_preferences(session, people["ana"])
    assert prefs.quiet_topics == frozenset()
    assert _digest_with(topic).leaving_out(prefs.quiet_topics).total == 1


@pytest.mark.parametrize("door", ["settings", "one_click_unsubscribe"])
async def test_turning_email_digests_off_withdraws_todays_email_still_held_for_the_delivery_time(
    sessions, delivery, people, pin_clock, tmp_path, door
):
    """The page says "You will no longer get the Daily Summary by email": today's email, queued
    at 06:00 and held for 17:00, must not leave at 17:00 after the person turned email off."""
    ana, max_ = people["ana"], people["max"]
    for who in (ana, max_):
        choose(sessions, who, Changes(deliver_at=time(17, 0)))
    run_at = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)  # 06:05 Pacific
    pin_clock(run_at)
    run_daily_summary(sessions, DAY, delivery)
    five_pm = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert emails(sessions)[ana].next_attempt_at == five_pm
    at_ten = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    if door == "settings":
        change_preferences(sessions, ana, ana, Changes(email_digest=False), Via("web"), at_ten)
    else:
        with transaction(sessions) as session:
            turn_email_digests_off(session, ana, Via("web"), at_ten)
    assert ana not in emails(sessions) and max_ in emails(sessions)  # Max's is untouched
    with capture_server(tmp_path / "mail") as server:
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none", from_address="bob@agency.test")
        assert (await drain_outbox(sessions, smtp, now=lambda: five_pm)).sent == 2  # Bo's and Max's
    assert emails(sessions)[max_].sent_at == five_pm and ana not in emails(sessions)
    assert mailbox(sessions)[ana].alert_count == 2  # the mailbox keeps it


async def test_turning_slack_digests_off_withdraws_todays_dm_still_held_for_the_delivery_time(
    sessions, delivery, people, pin_clock, slack
):
    ana, max_ = people["ana"], people["max"]
    for who in (ana, max_):
        choose(sessions, who, Changes(deliver_at=time(17, 0)))
    pin_clock(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    run_daily_summary(sessions, DAY, delivery)
    change_preferences(
        sessions, ana, ana, Changes(slack_digest=False), Via("web"), datetime(2026, 11, 23, 18, tzinfo=UTC)
    )
    assert ana not in dms(sessions) and max_ in dms(sessions)
    client, config = client_for(slack)
    five_pm = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert (await drain_slack_dms(sessions, client, config, now=lambda: five_pm)).sent == 2  # Bo's, Max's
    assert slack.dms_to("U0ANA") == [] and len(slack.dms_to("U0MAX")) == 1


def test_an_agency_default_turning_email_off_withdraws_the_held_emails_of_those_who_follow_it(
    sessions, delivery, people, pin_clock
):
    """Max (manager) turns the agency's email default off at 10:00: the emails held for 17:00
    of everyone following the default are withdrawn; Ana chose email herself and keeps hers."""
    ana, bo, max_ = people["ana"], people["bo"], people["max"]
    choose(sessions, ana, Changes(email_digest=True))
    at_five = AgencyChanges(defaults={"deliver_at": time(17, 0)})
    change_agency_defaults(sessions, max_, people["agency"], at_five, Via("cli"), CHOSEN_AT)
    pin_clock(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    run_daily_summary(sessions, DAY, delivery)
    assert set(emails(sessions)) == {ana, bo, max_}
    change_agency_defaults(
        sessions,
        max_,
        people["agency"],
        AgencyChanges(defaults={"email_digest": False}),
        Via("cli"),
        datetime(2026, 11, 23, 18, tzinfo=UTC),
    )
    assert set(emails(sessions)) == {ana}
    assert set(dms(sessions)) == {ana, bo, max_}  # Slack is still on


def test_a_new_delivery_time_moves_todays_email_and_dm_still_held(sessions, delivery, people, pin_clock):
    """Ana asked for 17:00, the run held her email and DM; at 10:00 she picks 11:00: they leave
    at 11:00, not at the time she no longer wants. Back to "as soon as ready": at once."""
    ana = people["ana"]
    choose(sessions, ana, Changes(deliver_at=time(17, 0)))
    pin_clock(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    run_daily_summary(sessions, DAY, delivery)
    at_ten = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    pin_clock(at_ten)
    change_preferences(sessions, ana, ana, Changes(deliver_at=time(11, 0)), Via("web"), at_ten)
    eleven = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert (emails(sessions)[ana].next_attempt_at, emails(sessions)[ana].not_before) == (eleven, eleven)
    assert dms(sessions)[ana].next_attempt_at == eleven
    change_preferences(sessions, ana, ana, Changes(reset=frozenset({"deliver_at"})), Via("web"), at_ten)
    assert (emails(sessions)[ana].next_attempt_at, emails(sessions)[ana].not_before) == (at_ten, None)
    assert dms(sessions)[ana].next_attempt_at == at_ten


def test_a_narrower_agency_window_moves_a_held_email_to_its_new_end(sessions, delivery, people, pin_clock):
    """Ana's 17:00 is past the window's new end, 15:00: her held email and DM leave at 15:00,
    as tomorrow's would."""
    ana, max_ = people["ana"], people["max"]
    choose(sessions, ana, Changes(deliver_at=time(17, 0)))
    pin_clock(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    run_daily_summary(sessions, DAY, delivery)
    at_ten = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    change_agency_defaults(
        sessions, max_, people["agency"], AgencyChanges(latest=time(15, 0)), Via("cli"), at_ten
    )
    three_pm = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert (emails(sessions)[ana].next_attempt_at, dms(sessions)[ana].next_attempt_at) == (three_pm, three_pm)
