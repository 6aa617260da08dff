"""The scenarios the replay tests drive: the Sunrise agency's 100 business dates, and three
cases whose facts change after the date a catch-up run replays."""

from __future__ import annotations

from datetime import date, time

from tests.calendar_book import (
    LONG_AGO,
    Agent,
    Consent,
    Delegation,
    Enrollment,
    Flag,
    Notice,
    Person,
    Scenario,
    Timeline,
)

ANA = Agent("0C30001", "Ana", "Alder", "agent_l1")
BEN = Agent("0C30002", "Ben", "Birch", "agent_l2")
CLEO = Agent("0C30003", "Cleo", "Cedar", "agent_l1", hired=date(2025, 2, 1), deactivated=date(2026, 10, 14))
MIA = Agent("0C30009", "Mia", "Maple", "agency_manager")
FIRST_DAY = date(2026, 8, 25)  # 100 business dates: 9/1, 10/1 and the fall-back of 11/1
LAST_DAY = date(2026, 12, 2)
FRIDAY = date(2026, 10, 30)

_FIRST = ("Tove", "Ravi", "Lena", "Omar", "Ines", "Jun", "Kira", "Milo", "Nell", "Otto")
_LAST = ("Quill", "Rowan", "Sable", "Thorn", "Umber", "Vale", "Wren", "Yarrow")


def _person(n: int, joined: date = LONG_AGO) -> Person:
    return Person(f"CC{2000000 + n}", _FIRST[n % len(_FIRST)], _LAST[n % len(_LAST)], joined)


def _active(n: int, agent: Agent, since: date = date(2025, 3, 1)) -> Delegation:
    return Delegation(_person(n).case, agent.license, ((since, "active"),))


def _moved(n: int, old: Agent, new: Agent, on: date) -> list[Delegation]:
    case = _person(n).case
    return [
        Delegation(case, old.license, ((date(2025, 3, 1), "active"), (on, "removed"))),
        Delegation(case, new.license, ((on, "active"),)),
    ]


def _health(
    n: int, year: int, statuses: Timeline, paid: date | None = None, at: time | None = None
) -> Enrollment:
    return Enrollment(_person(n).case, year, "health", statuses, paid, at)


def sunrise_calendar() -> Scenario:
    """One agency, three agents and a manager, twenty consumers; every topic, a delegation
    moved, an agent deactivated, a binder unpaid for 30 days, events on 11/1 (fall back)."""
    d, case = date, lambda n: _person(n).case
    return Scenario(
        agents=[ANA, BEN, CLEO, MIA],
        people=[_person(n, d(2026, 8, 28) if n == 2 else LONG_AGO) for n in range(1, 21)],
        delegations=[
            *_moved(1, ANA, BEN, d(2026, 9, 10)), _active(2, ANA, d(2026, 8, 28)), _active(3, BEN),
            _active(4, ANA), _active(5, BEN), *_moved(6, CLEO, ANA, d(2026, 10, 19)), _active(7, ANA),
            _active(8, BEN), _active(9, ANA), _active(10, BEN), _active(11, BEN), _active(12, ANA),
            _active(13, BEN), _active(14, ANA),
            Delegation(case(15), BEN.license, ((d(2026, 10, 25), "pending"), (d(2026, 11, 10), "active"))),
            _active(16, BEN), _active(17, CLEO), _active(18, ANA), _active(19, BEN),
            *_moved(20, ANA, BEN, FRIDAY),
        ],
        enrollments=[
            # pending since before the calendar, moved to Ben on 9/10, paid 10/15
            _health(1, 2026, ((d(2026, 8, 10), "pending"), (d(2026, 10, 20), "effectuated")),
                    d(2026, 10, 15)),
            # a new consumer whose binder stays unpaid for 30 days
            _health(2, 2026, ((d(2026, 8, 28), "pending"), (d(2026, 10, 1), "effectuated")), d(2026, 9, 27)),
            _health(3, 2026, ((LONG_AGO, "effectuated"),), LONG_AGO),
            # its cadence spans 11/1; paid at 16:45 on 11/24 (00:45 UTC on 11/25), a date-time:
            # no alert on 11/25, when one was due
            _health(3, 2027, ((d(2026, 10, 20), "pending"),), d(2026, 11, 24), time(16, 45)),
            _health(4, 2026, ((LONG_AGO, "effectuated"), (d(2026, 11, 5), "terminated")), LONG_AGO),
            Enrollment(case(4), 2026, "dental", ((d(2026, 9, 3), "pending"),)),  # dental: no binder alert
            _health(5, 2026, ((d(2026, 9, 15), "pending"), (d(2026, 9, 22), "canceled"))),
            # Cleo's, deactivated 10/14; moved to Ana on 10/19
            _health(6, 2026, ((d(2026, 9, 30), "pending"),), d(2026, 11, 12)),
            # canceled long ago: history, never news
            _health(16, 2025, ((d(2024, 11, 20), "pending"), (d(2025, 1, 31), "canceled"))),
            _health(18, 2027, ((FRIDAY, "pending"),), d(2026, 11, 13)),
            _health(19, 2026, ((LONG_AGO, "effectuated"), (FRIDAY, "terminated")), LONG_AGO),
        ],
        consents=[
            Consent(case(9), d(2025, 10, 1), d(2027, 3, 31)),  # 9/1 and 10/1
            Consent(case(10), d(2026, 2, 1), d(2028, 1, 31)),  # more than a year out: never
            Consent(case(11), d(2025, 9, 1), d(2026, 8, 31)),  # ran out before 9/1 ...
            Consent(case(11), d(2026, 9, 15), d(2027, 6, 30)),  # ... renewed: 10/1 only
            Consent(case(12), d(2026, 3, 1), d(2027, 2, 28)),  # 9/1 ...
            Consent(case(12), d(2026, 9, 20), d(2028, 9, 30)),  # ... renewed for two years: not 10/1
            Consent(case(13), d(2025, 9, 2), d(2026, 9, 1)),  # valid thru 9/1 itself: 9/1 only
            Consent(case(14), d(2026, 5, 1), d(2027, 9, 30)),  # a year and a month from 9/1: 10/1 only
        ],
        notices=[
            Notice(case(1), d(2026, 9, 7)),  # Ana on 9/8, Ben again after the move
            Notice(case(15), d(2026, 11, 3)),  # due once Ben's delegation turns active
            Notice(case(16), d(2026, 8, 1)),  # too old when the calendar starts
            Notice(case(16), d(2026, 8, 20)),  # five days old: news on the first date
            Notice(case(16), d(2026, 10, 31)),  # alerts on 11/1, the fall-back day
            Notice(case(17), d(2026, 10, 13)),  # the day before Cleo leaves
        ],
        flags=[
            Flag("actions_requested", case(6), d(2026, 8, 20), d(2026, 11, 9), "Upload proof of income"),
            Flag("medicare_aged_out", case(7), d(2026, 9, 14), d(2026, 10, 5), "Household member turned 65"),
            Flag("enrollment_updates_pending", case(8), d(2026, 11, 16), d(2026, 11, 25), "Income change"),
            Flag("enrollment_updates_pending", case(8), d(2026, 11, 28), None, "Address change"),
            Flag("actions_requested", case(15), d(2026, 11, 2), None, "Verify citizenship"),
            Flag("medicare_aged_out", case(17), d(2026, 10, 1), None, "Household member turned 65"),
            Flag("enrollment_updates_pending", case(20), d(2026, 10, 26), d(2026, 11, 6), "Plan change"),
        ],
    )  # fmt: skip


CATCH_UP_DAY = date(2026, 9, 7)


def changed_after_the_date() -> Scenario:
    """Three cases whose facts on 9/7 change on 9/9: a binder paid, a canceled enrollment
    reinstated, a delegation moved from Ana to Ben."""
    d, case = date, lambda n: _person(n).case
    return Scenario(
        agents=[ANA, BEN],
        people=[_person(n) for n in (1, 2, 3)],
        delegations=[_active(1, ANA), _active(2, ANA), *_moved(3, ANA, BEN, d(2026, 9, 9))],
        enrollments=[
            _health(1, 2026, ((d(2026, 9, 1), "pending"),), d(2026, 9, 9)),
            _health(2, 2026, ((LONG_AGO, "pending"), (d(2026, 9, 6), "canceled"),
                              (d(2026, 9, 9), "effectuated")), LONG_AGO),
        ],
        flags=[Flag("actions_requested", case(3), d(2026, 9, 1), None, "Sign the application")],
    )  # fmt: skip
