"""Frequency policies over simulated calendars: each topic fires exactly when the portal's
frequency table says, across 8/1, 9/1, 10/1 and both DST changes of America/Los_Angeles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from mailer.daily_summary import run_daily_summary
from rules.calendar import days
from rules.ledger import record_alerts
from store.models import Alert, Consumer, ConsumerFlag, Enrollment, EnrollmentStatus, FlagKind

LA = ZoneInfo("America/Los_Angeles")


def local(day: date, hh: int = 9, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=LA)


def simulate(sessions, delivery, start: date, end: date, events: dict[date, list[Callable[[], None]]]):
    """Run every business date in order, applying each day's events first (as they would
    have happened the day before the morning run); returns {date: {(topic, case)}}."""
    for day in days(start, end):
        for event in events.get(day, []):
            event()
        result = run_daily_summary(sessions, day, delivery)
        assert result.ran
    fired: dict[date, set[tuple[str, str]]] = defaultdict(set)
    with sessions() as s:
        for topic, case, day in s.execute(
            select(Alert.topic, Consumer.case_number, Alert.business_date).join(
                Consumer, Consumer.id == Alert.consumer_id
            )
        ):
            fired[day].add((topic, case))
    return fired


def dates_of(fired, topic: str, case: str) -> list[date]:
    return sorted(day for day, alerts in fired.items() if (topic, case) in alerts)


@pytest.fixture
def agent(book):
    agency = book.agency()
    return book.enroller(agency, "Ana", "Agent")


def case_of(sessions, consumer_id: int) -> str:
    with sessions() as s:
        return s.scalar(select(Consumer.case_number).where(Consumer.id == consumer_id))


def test_it_obeys_the_seven_day_binder_cadence_until_paid(book, sessions, delivery, agent):
    start = date(2026, 10, 10)
    consumer = book.consumer(agent)
    enrollment = book.enrollment(
        consumer, EnrollmentStatus.PENDING, at=local(start - timedelta(days=1)), binder_paid=False
    )

    def pay() -> None:
        with sessions() as s, s.begin():
            s.execute(update(Enrollment).where(Enrollment.id == enrollment).values(binder_paid=True))

    # Spans the fall-back change on 2026-11-01: the cadence counts calendar days, not hours.
    fired = simulate(
        sessions, delivery, start, start + timedelta(days=59), {start + timedelta(days=30): [pay]}
    )
    expected = [start + timedelta(days=n) for n in (0, 7, 14, 21, 28)]
    assert dates_of(fired, "binder_payment_pending", case_of(sessions, consumer)) == expected


def test_consent_valid_thru_fires_on_august_september_october_first_only(book, sessions, delivery, agent):
    expiring = book.consumer(agent)
    book.consent(expiring, valid_thru=date(2027, 3, 31))
    far = book.consumer(agent)
    book.consent(far, valid_thru=date(2028, 6, 30))
    expired = book.consumer(agent)
    book.consent(expired, valid_thru=date(2026, 7, 1))
    fired = simulate(sessions, delivery, date(2026, 7, 25), date(2026, 10, 5), {})
    assert dates_of(fired, "consent_valid_thru", case_of(sessions, expiring)) == [
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 10, 1),
    ]
    assert dates_of(fired, "consent_valid_thru", case_of(sessions, far)) == []
    assert dates_of(fired, "consent_valid_thru", case_of(sessions, expired)) == []


@pytest.mark.parametrize(
    ("topic", "kind"),
    [
        ("actions_requested", FlagKind.ACTION_REQUESTED),
        ("medicare_aged_out", FlagKind.MEDICARE_AGED_OUT),
        ("enrollment_updates_pending", FlagKind.ENROLLMENT_UPDATE_PENDING),
    ],
)
def test_daily_topics_fire_every_day_until_resolved(book, sessions, delivery, agent, topic, kind):
    start = date(2026, 2, 20)  # spans the spring-forward change on 2026-03-08
    consumer = book.consumer(agent)
    flag = book.flag(consumer, kind, raised=local(date(2026, 2, 25), 15))

    def resolve() -> None:
        with sessions() as s, s.begin():
            s.execute(
                update(ConsumerFlag)
                .where(ConsumerFlag.id == flag)
                .values(resolved_at=local(date(2026, 3, 20), 11))
            )

    fired = simulate(sessions, delivery, start, start + timedelta(days=59), {date(2026, 3, 21): [resolve]})
    # Raised on 2/25 (afternoon): first shown 2/26; resolved 3/20 11:00: still open at the
    # start of 3/20, gone from 3/21.
    assert dates_of(fired, topic, case_of(sessions, consumer)) == days(date(2026, 2, 26), date(2026, 3, 20))


def test_one_time_topics_fire_once(book, sessions, delivery, agent):
    start = date(2026, 10, 15)
    nod = book.consumer(agent)
    canceled = book.consumer(agent)
    terminated = book.consumer(agent)
    enrollment_c = book.enrollment(canceled)
    enrollment_t = book.enrollment(terminated)

    def notice() -> None:
        book.notice(nod, at=local(date(2026, 10, 19), 16))

    def change(enrollment_id: int, status: EnrollmentStatus, at: datetime) -> Callable[[], None]:
        def apply() -> None:
            with sessions() as s, s.begin():
                s.execute(
                    update(Enrollment)
                    .where(Enrollment.id == enrollment_id)
                    .values(status=status, status_changed_at=at)
                )

        return apply

    events = {
        date(2026, 10, 20): [notice],
        date(2026, 11, 2): [change(enrollment_c, EnrollmentStatus.CANCELED, local(date(2026, 11, 1), 10))],
        date(2026, 11, 10): [change(enrollment_t, EnrollmentStatus.TERMINATED, local(date(2026, 11, 9), 10))],
    }
    fired = simulate(sessions, delivery, start, start + timedelta(days=59), events)
    assert dates_of(fired, "nod_notice", case_of(sessions, nod)) == [date(2026, 10, 20)]
    assert dates_of(fired, "enrollment_canceled", case_of(sessions, canceled)) == [date(2026, 11, 2)]
    assert dates_of(fired, "enrollment_terminated", case_of(sessions, terminated)) == [date(2026, 11, 10)]


def test_old_history_does_not_flood_the_first_summary(book, sessions, delivery, agent):
    consumer = book.consumer(agent)
    book.notice(consumer, at=local(date(2025, 5, 1)))
    book.enrollment(consumer, EnrollmentStatus.CANCELED, at=local(date(2025, 6, 1)))
    result = run_daily_summary(sessions, date(2026, 11, 23), delivery)
    assert sum(result.alerts.values()) == 0


@pytest.mark.parametrize(
    ("change_day", "label"),
    [(date(2026, 3, 8), "spring forward"), (date(2026, 11, 1), "fall back")],
)
def test_the_business_day_boundary_is_local_midnight_across_dst(
    book, sessions, delivery, agent, change_day, label
):
    """A fact known at 23:59 local the evening before is in that morning's summary; one
    from 00:01 is not. A fixed UTC offset would get one side of each change wrong."""
    late = book.consumer(agent)
    early = book.consumer(agent)
    before = datetime.combine(change_day - timedelta(days=1), time(23, 59), tzinfo=LA)
    after = datetime.combine(change_day, time(0, 1), tzinfo=LA)
    book.flag(late, FlagKind.ACTION_REQUESTED, raised=before)
    book.flag(early, FlagKind.ACTION_REQUESTED, raised=after)
    fired = simulate(sessions, delivery, change_day - timedelta(days=1), change_day + timedelta(days=1), {})
    assert dates_of(fired, "actions_requested", case_of(sessions, late)) == [
        change_day,
        change_day + timedelta(days=1),
    ], label
    assert dates_of(fired, "actions_requested", case_of(sessions, early)) == [
        change_day + timedelta(days=1)
    ], label


def test_rerunning_every_date_adds_nothing(book, sessions, delivery, agent):
    start = date(2026, 7, 28)
    consumers = [book.consumer(agent) for _ in range(4)]
    book.enrollment(
        consumers[0], EnrollmentStatus.PENDING, at=local(start - timedelta(days=3)), binder_paid=False
    )
    book.consent(consumers[1], valid_thru=date(2027, 1, 31))
    book.flag(consumers[2], FlagKind.MEDICARE_AGED_OUT, raised=local(start - timedelta(days=2)))
    book.notice(consumers[3], at=local(start + timedelta(days=3)))
    end = start + timedelta(days=59)
    simulate(sessions, delivery, start, end, {})
    with sessions() as s:
        before = s.execute(select(Alert.topic, Alert.recipient_id, Alert.event_key, Alert.period_key)).all()
    assert len(before) > 60
    for day in days(start, end):
        assert not run_daily_summary(sessions, day, delivery).ran  # the run ledger says done
        with sessions() as s, s.begin():  # and the ledger alone would add nothing either
            assert sum(record_alerts(s, day).values()) == 0
    with sessions() as s:
        assert sorted(
            s.execute(select(Alert.topic, Alert.recipient_id, Alert.event_key, Alert.period_key)).all()
        ) == sorted(before)


def test_pending_and_removed_delegations_get_no_alerts(book, sessions, delivery, agent):
    """No CalHEERS topic alerts on a case that is not actively delegated; only bob's own
    "Pending Delegation" tells the agent the pending one awaits acceptance."""
    from rules.topics import CALHEERS_TOPICS
    from store.models import DelegationStatus

    pending = book.consumer(agent, status=DelegationStatus.PENDING)
    removed = book.consumer(agent, status=DelegationStatus.REMOVED)
    for consumer in (pending, removed):
        book.flag(consumer, FlagKind.ACTION_REQUESTED, raised=local(date(2026, 11, 1)))
    result = run_daily_summary(sessions, date(2026, 11, 23), delivery)
    assert sum(result.alerts[topic] for topic in CALHEERS_TOPICS) == 0
    assert {t: n for t, n in result.alerts.items() if n} == {"pending_delegation": 1}
