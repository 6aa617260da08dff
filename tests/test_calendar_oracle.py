"""The replay tests' oracle against the Sunrise calendar's alert days worked out by hand
from the frequency contract — so a wrong oracle cannot make a wrong bob look right."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.calendar import days
from tests.calendar_book import LONG_AGO, Delegation, Enrollment, Person, Scenario
from tests.calendar_oracle import ScenarioEdge, expected_alerts
from tests.calendar_scenarios import (
    ANA,
    BEN,
    CATCH_UP_DAY,
    CLEO,
    FIRST_DAY,
    LAST_DAY,
    changed_after_the_date,
    sunrise_calendar,
)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def every_day(first: date, last: date) -> list[date]:
    return days(first, last)


A, B, C = ANA.license, BEN.license, CLEO.license
BY_HAND: dict[tuple[str, str, str], list[date]] = {
    # every 7 days from the first day seen while pending and unpaid; a new recipient starts afresh
    ("binder_payment_pending", A, "CC2000001"): [d(8, 25), d(9, 1), d(9, 8)],
    ("binder_payment_pending", B, "CC2000001"): [d(9, 11), d(9, 18), d(9, 25), d(10, 2), d(10, 9)],
    ("binder_payment_pending", A, "CC2000002"): [d(8, 29), d(9, 5), d(9, 12), d(9, 19), d(9, 26)],
    ("binder_payment_pending", B, "CC2000003"): [d(10, 21), d(10, 28), d(11, 4), d(11, 11), d(11, 18)],
    ("binder_payment_pending", B, "CC2000005"): [d(9, 16)],
    ("binder_payment_pending", C, "CC2000006"): [d(10, 1), d(10, 8)],
    ("binder_payment_pending", A, "CC2000006"): [d(10, 20), d(10, 27), d(11, 3), d(11, 10)],
    ("binder_payment_pending", A, "CC2000018"): [d(10, 31), d(11, 7)],
    # 9/1 and 10/1 only, valid thru within [date, date + 1 year) on the latest consent
    ("consent_valid_thru", A, "CC2000009"): [d(9, 1), d(10, 1)],
    ("consent_valid_thru", B, "CC2000011"): [d(10, 1)],
    ("consent_valid_thru", A, "CC2000012"): [d(9, 1)],
    ("consent_valid_thru", B, "CC2000013"): [d(9, 1)],
    ("consent_valid_thru", A, "CC2000014"): [d(10, 1)],
    # once per recipient, the day after, within 14 days
    ("nod_notice", A, "CC2000001"): [d(9, 8)],
    ("nod_notice", B, "CC2000001"): [d(9, 11)],
    ("nod_notice", B, "CC2000015"): [d(11, 11)],
    ("nod_notice", B, "CC2000016"): [d(8, 25), d(11, 1)],
    ("nod_notice", C, "CC2000017"): [d(10, 14)],
    ("enrollment_canceled", B, "CC2000005"): [d(9, 23)],
    ("enrollment_terminated", A, "CC2000004"): [d(11, 6)],
    ("enrollment_terminated", B, "CC2000019"): [d(10, 31)],
    # daily from the day after raised through the day resolved, to whoever holds the case
    ("actions_requested", C, "CC2000006"): every_day(d(8, 25), d(10, 14)),
    ("actions_requested", A, "CC2000006"): every_day(d(10, 20), d(11, 9)),
    ("actions_requested", B, "CC2000015"): every_day(d(11, 11), d(12, 2)),
    ("medicare_aged_out", A, "CC2000007"): every_day(d(9, 15), d(10, 5)),
    ("medicare_aged_out", C, "CC2000017"): every_day(d(10, 2), d(10, 14)),
    ("enrollment_updates_pending", B, "CC2000008"): every_day(d(11, 17), d(11, 25))
    + every_day(d(11, 29), d(12, 2)),
    ("enrollment_updates_pending", A, "CC2000020"): every_day(d(10, 27), d(10, 30)),
    ("enrollment_updates_pending", B, "CC2000020"): every_day(d(10, 31), d(11, 6)),
    # bob's own: to the delegation's own enroller while active. Pending 10/25 to 11/10: daily
    # from the day after through the day it became active; a removal once, the day after
    # (Cleo lost CC2000006 on 10/19, but had left on 10/14: no alert).
    ("pending_delegation", B, "CC2000015"): every_day(d(10, 26), d(11, 10)),
    ("delegation_removed", A, "CC2000001"): [d(9, 11)],
    ("delegation_removed", A, "CC2000020"): [d(10, 31)],
}


def test_the_oracle_gives_the_days_worked_out_by_hand() -> None:
    assert len(days(FIRST_DAY, LAST_DAY)) == 100
    by_hand = {(topic, who, case, day) for (topic, who, case), dates in BY_HAND.items() for day in dates}
    assert expected_alerts(sunrise_calendar(), FIRST_DAY, LAST_DAY) == by_hand


def test_the_catch_up_date_sees_the_facts_before_it() -> None:
    assert expected_alerts(changed_after_the_date(), CATCH_UP_DAY, CATCH_UP_DAY) == {
        ("binder_payment_pending", A, "CC2000001", CATCH_UP_DAY),
        ("enrollment_canceled", A, "CC2000002", CATCH_UP_DAY),
        ("actions_requested", A, "CC2000003", CATCH_UP_DAY),
    }


def _canceled_on(day: date) -> Scenario:
    return Scenario(
        agents=[ANA],
        people=[Person("CC2000001", "Tove", "Quill")],
        delegations=[Delegation("CC2000001", A, ((LONG_AGO, "active"),))],
        enrollments=[
            Enrollment("CC2000001", 2026, "health", ((LONG_AGO, "pending"), (day, "canceled")), LONG_AGO)
        ],
    )


@pytest.mark.parametrize(("age", "alerts"), [(1, 1), (13, 1), (15, 0)])
def test_a_one_time_event_first_seen_within_14_days_is_news(age: int, alerts: int) -> None:
    run = d(9, 20)
    assert len(expected_alerts(_canceled_on(run - timedelta(days=age)), run, run)) == alerts


def test_a_one_time_event_first_due_on_its_fourteenth_day_is_refused() -> None:
    """Whether it alerts depends on the hour it is stamped with and on DST: the scenario must
    not lean on it."""
    run = d(9, 20)
    with pytest.raises(ScenarioEdge):
        expected_alerts(_canceled_on(run - timedelta(days=14)), run, run)
