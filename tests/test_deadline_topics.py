"""bob's own Daily Summary topics over simulated calendars: follow-ups due soon on the
agency's days before the due date, overdue every day until resolved, a pending delegation
every day until accepted, a removed delegation once; an agency that turns them off keeps
exactly the CalHEERS eight."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from mailer.daily_summary import run_daily_summary
from rules.calendar import days
from rules.ledger import record_alerts
from rules.policies import BeforeDue, describe
from rules.topics import BOBS_OWN_TOPICS, CALHEERS_TOPICS, TOPICS_BY_NAME
from store.models import (
    Agency,
    Alert,
    Delegation,
    DelegationStatus,
    EnrollmentStatus,
    FlagKind,
    FollowUp,
    FollowUpStatus,
    MailboxMessage,
)
from tests.test_frequency import LA, case_of, dates_of, local, simulate


@pytest.fixture
def agency(book):
    return book.agency()


@pytest.fixture
def agent(book, agency):
    return book.enroller(agency, "Ana", "Agent")


def set_status(sessions, follow_up: int, status: FollowUpStatus, at: datetime):
    def apply() -> None:
        with sessions() as s, s.begin():
            s.execute(
                update(FollowUp)
                .where(FollowUp.id == follow_up)
                .values(status=status, status_changed_at=at, resolved_at=at)
            )

    return apply


def test_bobs_own_topics_are_marked_and_listed_by_name():
    assert BOBS_OWN_TOPICS == (
        "follow_up_due_soon", "follow_up_overdue", "pending_delegation", "delegation_removed",
    )  # fmt: skip
    assert len(CALHEERS_TOPICS) == 8 and not set(CALHEERS_TOPICS) & set(BOBS_OWN_TOPICS)
    assert TOPICS_BY_NAME["follow_up_due_soon"].policy == BeforeDue((30, 15, 5, 1))
    assert describe(BeforeDue((30, 15, 5, 1))) == "30, 15, 5 and 1 days before the due date"


def test_a_follow_up_is_due_soon_30_15_5_and_1_days_before_then_overdue_daily_until_cleared(
    book, sessions, delivery, agent
):
    consumer = book.consumer(agent)
    due = date(2026, 11, 20)  # the 30-day reminder falls before the fall-back change on 11/1
    follow_up = book.follow_up(consumer, due, raised=local(date(2026, 8, 20)))
    clear = set_status(sessions, follow_up, FollowUpStatus.CLEARED, local(date(2026, 11, 23), 10))
    fired = simulate(
        sessions, delivery, date(2026, 10, 15), date(2026, 11, 30), {date(2026, 11, 24): [clear]}
    )
    case = case_of(sessions, consumer)
    assert dates_of(fired, "follow_up_due_soon", case) == [
        date(2026, 10, 21), date(2026, 11, 5), date(2026, 11, 15), date(2026, 11, 19),
    ]  # fmt: skip
    # Due by the end of 11/20; cleared 11/23 at 10:00: still outstanding when 11/23 began.
    assert dates_of(fired, "follow_up_overdue", case) == days(date(2026, 11, 21), date(2026, 11, 23))


def test_an_expired_follow_up_stops_alerting_and_a_late_one_does_not_alert_early(
    book, sessions, delivery, agent
):
    expiring = book.consumer(agent)
    late = book.consumer(agent)
    follow_up = book.follow_up(expiring, date(2026, 3, 5), raised=local(date(2026, 1, 5)))
    # Raised on 3/3 at 15:00, due 3/6: not reminded 5 days before (3/1), only 1 day before.
    book.follow_up(late, date(2026, 3, 6), raised=local(date(2026, 3, 3), 15))
    expire = set_status(sessions, follow_up, FollowUpStatus.EXPIRED, local(date(2026, 3, 9), 0, 30))
    # Spans the spring-forward change on 3/8.
    fired = simulate(sessions, delivery, date(2026, 2, 28), date(2026, 3, 12), {date(2026, 3, 10): [expire]})
    assert dates_of(fired, "follow_up_due_soon", case_of(sessions, expiring)) == [
        date(2026, 2, 28),
        date(2026, 3, 4),
    ]
    assert dates_of(fired, "follow_up_overdue", case_of(sessions, expiring)) == days(
        date(2026, 3, 6), date(2026, 3, 9)
    )
    assert dates_of(fired, "follow_up_due_soon", case_of(sessions, late)) == [date(2026, 3, 5)]


def test_an_agency_lists_its_own_due_soon_days(book, sessions, delivery):
    agency = book.agency(code="own", due_soon_days="10,2")
    agent = book.enroller(agency, "Oli", "Own")
    consumer = book.consumer(agent)
    book.follow_up(consumer, date(2026, 12, 20), raised=local(date(2026, 9, 1)))
    fired = simulate(sessions, delivery, date(2026, 12, 1), date(2026, 12, 19), {})
    assert dates_of(fired, "follow_up_due_soon", case_of(sessions, consumer)) == [
        date(2026, 12, 10),
        date(2026, 12, 18),
    ]


def test_the_due_soon_boundary_is_local_midnight_across_dst(book, sessions, delivery, agent):
    """Raised at 23:59 the evening before spring-forward, one day before its due date: in
    that morning's summary; raised at 00:01 the same morning: not."""
    change_day = date(2026, 3, 8)
    before, after = book.consumer(agent), book.consumer(agent)
    evening = datetime.combine(change_day - timedelta(days=1), time(23, 59), tzinfo=LA)
    morning = datetime.combine(change_day, time(0, 1), tzinfo=LA)
    book.follow_up(before, change_day + timedelta(days=1), raised=evening)
    book.follow_up(after, change_day + timedelta(days=1), raised=morning)
    fired = simulate(sessions, delivery, change_day, change_day, {})
    assert dates_of(fired, "follow_up_due_soon", case_of(sessions, before)) == [change_day]
    assert dates_of(fired, "follow_up_due_soon", case_of(sessions, after)) == []


def change_delegation(sessions, delegation: int, status: DelegationStatus, at: datetime):
    def apply() -> None:
        with sessions() as s, s.begin():
            s.execute(
                update(Delegation)
                .where(Delegation.id == delegation)
                .values(status=status, status_changed_at=at)
            )

    return apply


def test_a_pending_delegation_alerts_daily_until_accepted_and_a_removal_once(
    book, sessions, delivery, agency, agent
):
    ben = book.enroller(agency, "Ben", "Broker")
    waiting = book.consumer()
    pending = book.delegate(waiting, agent, DelegationStatus.PENDING)
    leaving = book.consumer(agent)
    with sessions() as s:
        left = s.scalar(select(Delegation.id).where(Delegation.consumer_id == leaving))
    events = {
        date(2026, 10, 29): [
            change_delegation(sessions, pending, DelegationStatus.ACTIVE, local(date(2026, 10, 28), 14))
        ],
        date(2026, 11, 3): [
            change_delegation(sessions, left, DelegationStatus.REMOVED, local(date(2026, 11, 2), 11)),
            lambda: book.delegate(leaving, ben),
        ],
    }
    fired = simulate(sessions, delivery, date(2026, 10, 25), date(2026, 11, 20), events)
    assert dates_of(fired, "pending_delegation", case_of(sessions, waiting)) == days(
        date(2026, 10, 25), date(2026, 10, 28)
    )
    assert dates_of(fired, "delegation_removed", case_of(sessions, leaving)) == [date(2026, 11, 3)]
    with sessions() as s:
        recipients = s.scalars(select(Alert.recipient_id).where(Alert.topic == "delegation_removed")).all()
    assert recipients == [agent]  # the enroller who lost the case, not the one who gained it


def test_a_delegation_first_seen_removed_is_history_not_news(book, sessions, delivery, agent):
    consumer = book.consumer(agent, status=DelegationStatus.REMOVED)
    fired = simulate(sessions, delivery, date(2026, 11, 2), date(2026, 11, 4), {})
    assert dates_of(fired, "delegation_removed", case_of(sessions, consumer)) == []


def calheers_book(book, agent) -> None:
    consumers = [book.consumer(agent) for _ in range(3)]
    book.flag(consumers[0], FlagKind.ACTION_REQUESTED, raised=local(date(2026, 11, 1)))
    book.enrollment(consumers[1], EnrollmentStatus.PENDING, at=local(date(2026, 11, 2)), binder_paid=False)
    book.notice(consumers[2], at=local(date(2026, 11, 5), 16))
    book.follow_up(consumers[0], date(2026, 11, 8), raised=local(date(2026, 10, 1)))
    book.follow_up(consumers[1], date(2026, 11, 21), raised=local(date(2026, 10, 1)))
    book.consumer(agent, status=DelegationStatus.PENDING)


def alerts_by_topic(sessions) -> dict[str, list[tuple[int, str, str, date]]]:
    with sessions() as s:
        rows = s.execute(
            select(Alert.topic, Alert.recipient_id, Alert.event_key, Alert.business_date).order_by(
                Alert.topic, Alert.business_date, Alert.event_key
            )
        ).all()
    found: dict[str, list[tuple[int, str, str, date]]] = {}
    for topic, *rest in rows:
        found.setdefault(topic, []).append(tuple(rest))  # type: ignore[arg-type]
    return found


def test_turning_bobs_topics_off_leaves_the_calheers_eight_untouched(book, sessions, delivery, agent):
    calheers_book(book, agent)
    simulate(sessions, delivery, date(2026, 11, 3), date(2026, 11, 12), {})
    with_bobs = alerts_by_topic(sessions)
    assert set(with_bobs) >= {"follow_up_due_soon", "follow_up_overdue", "pending_delegation"}
    with sessions() as s, s.begin():  # the same dates again, evaluated afresh, with them off
        s.execute(Alert.__table__.delete())
        s.execute(update(Agency).values(bob_topics=False))
        for day in days(date(2026, 11, 3), date(2026, 11, 12)):
            record_alerts(s, day)
    without = alerts_by_topic(sessions)
    assert without == {t: a for t, a in with_bobs.items() if t in CALHEERS_TOPICS}


def test_rerunning_every_date_adds_nothing(book, sessions, delivery, agent):
    calheers_book(book, agent)
    start, end = date(2026, 11, 3), date(2026, 11, 12)
    simulate(sessions, delivery, start, end, {})
    with sessions() as s:
        before = s.scalar(select(func.count()).select_from(Alert))
    for day in days(start, end):
        assert sum(run_daily_summary(sessions, day, delivery).alerts.values()) == 0
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == before


def test_an_agent_whose_only_case_awaits_acceptance_gets_a_daily_summary(book, sessions, delivery, agency):
    newcomer = book.enroller(agency, "Nia", "New")
    book.consumer(newcomer, DelegationStatus.PENDING, case_number="CASE-NEW-1")
    run_daily_summary(sessions, date(2026, 11, 23), delivery)
    with sessions() as s:
        [body] = s.scalars(
            select(MailboxMessage.body_text).where(MailboxMessage.recipient_id == newcomer)
        ).all()
    assert "Pending Delegation" in body and "CASE-NEW-1" in body
