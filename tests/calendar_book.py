"""A simulated agency calendar for the replay tests: the ground truth as dated events, the
book as bob's own CSV files on any evening, and an oracle for the Daily Summary's alert days.

The ground truth is a list of facts, each true from a local calendar day on. The book
written on the evening of day ``d`` holds every fact dated ``d`` or earlier. The oracle
knows nothing of bob's code: it walks the business dates in order and applies the
frequency contract (rules/topics.py, rules/policies.py) to the facts dated before each
date — the cutoff rule: the 06:00 digest of date D reads the book as it stood at the local
midnight starting D, so a fact of day D-1 counts for D.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

LA = ZoneInfo("America/Los_Angeles")
AGENCY = "sunrise"
LONG_AGO = date(2024, 1, 15)
CONSENT_DAYS = ("08-01", "09-01", "10-01")
ONE_TIME_WINDOW = 14  # days: a one-time event older than this when first seen is history
FLAG_FILES = ("actions_requested", "medicare_aged_out", "enrollment_updates_pending")

Alert = tuple[str, str, str, date]  # (topic, enroller license, case number, business date)
Timeline = tuple[tuple[date, str], ...]  # (since, value), oldest first


def value_on(timeline: Timeline, day: date) -> tuple[date, str] | None:
    """The (since, value) in force at the end of ``day``; None before the first."""
    current = None
    for since, value in timeline:
        if since <= day:
            current = (since, value)
    return current


@dataclass(frozen=True)
class Agent:
    license: str
    first: str
    last: str
    role: str
    hired: date = LONG_AGO
    deactivated: date | None = None

    def active_on(self, day: date) -> bool:
        return self.hired <= day and (self.deactivated is None or day < self.deactivated)


@dataclass(frozen=True)
class Person:
    case: str
    first: str
    last: str
    joined: date = LONG_AGO


@dataclass(frozen=True)
class Delegation:
    case: str
    license: str
    statuses: Timeline  # pending / active / removed

    def delegated_on(self, day: date) -> date | None:
        return next((since for since, status in self.statuses if status == "active" and since <= day), None)


@dataclass(frozen=True)
class Enrollment:
    case: str
    plan_year: int
    coverage: str
    statuses: Timeline  # the first one is the submission
    binder_paid: date | None = None
    paid_at: time | None = None  # written as a local date-time with its offset, not a bare date
    program: str = "Covered California"

    @property
    def key(self) -> str:
        return f"{self.case}:{self.plan_year}:{self.coverage}"

    def paid_by(self, day: date) -> bool:
        return self.binder_paid is not None and self.binder_paid <= day


@dataclass(frozen=True)
class Consent:
    case: str
    received: date
    valid_thru: date


@dataclass(frozen=True)
class Notice:
    case: str
    notice_date: date


@dataclass(frozen=True)
class Flag:
    file: str  # one of FLAG_FILES, which is also the topic's ledger name but for one
    case: str
    raised: date
    resolved: date | None = None
    detail: str = ""

    @property
    def topic(self) -> str:
        return self.file


@dataclass
class Scenario:
    agents: list[Agent]
    people: list[Person]
    delegations: list[Delegation]
    enrollments: list[Enrollment] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def agent(self, license_number: str) -> Agent:
        return next(a for a in self.agents if a.license == license_number)

    def recipient(self, case: str, day: date) -> str | None:
        """The active enroller the case is actively delegated to at the end of ``day``."""
        found = [
            d.license
            for d in self.delegations
            if d.case == case
            and (value_on(d.statuses, day) or (day, ""))[1] == "active"
            and self.agent(d.license).active_on(day)
        ]
        assert len(found) <= 1, f"{case} is actively delegated twice on {day}"
        return found[0] if found else None


# --- the book as bob's own files -------------------------------------------------------


def _write(folder: Path, entity: str, header: list[str], rows: Iterable[list[str]]) -> None:
    with (folder / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _local_time(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=LA).isoformat()


def write_book(scenario: Scenario, folder: Path, day: date, dated: bool) -> Path:
    """Write the book as it stands on the evening of ``day``; ``dated`` adds the columns that
    say when each fact became true (active_since, status_since, submitted_at, binder_paid_at,
    received_at)."""
    folder.mkdir(parents=True, exist_ok=True)

    def extra(*values: str) -> list[str]:
        return list(values) if dated else []

    _write(folder, "agencies", ["code", "name", "time_zone"], [[AGENCY, "Sunrise Test Agency", LA.key]])
    _write(
        folder,
        "enrollers",
        ["license_number", "agency_code", "first_name", "last_name", "email", "role", "active"]
        + extra("active_since"),
        (
            [a.license, AGENCY, a.first, a.last, f"{a.first.lower()}@agency.test", a.role,
             "Y" if a.active_on(day) else "N"]
            + extra(_iso(a.hired if a.active_on(day) else a.deactivated))
            for a in scenario.agents
            if a.hired <= day
        ),
    )  # fmt: skip
    _write(
        folder,
        "consumers",
        ["case_number", "first_name", "last_name", "ssn", "city", "state"],
        ([p.case, p.first, p.last, "", "Sacramento", "CA"] for p in scenario.people if p.joined <= day),
    )
    delegations = [(d, value_on(d.statuses, day)) for d in scenario.delegations]
    _write(
        folder,
        "delegations",
        ["case_number", "enroller_license", "status", "delegated_on"] + extra("status_since"),
        (
            [d.case, d.license, now[1], _iso(d.delegated_on(day))] + extra(_iso(now[0]))
            for d, now in delegations
            if now
        ),
    )
    _write_enrollments(scenario, folder, day, dated)
    _write(
        folder,
        "consents",
        ["case_number", "valid_thru"] + extra("received_at"),
        (
            [c.case, _iso(c.valid_thru)] + extra(_iso(c.received))
            for c in scenario.consents
            if c.received <= day
        ),
    )
    _write(
        folder,
        "notices",
        ["case_number", "kind", "notice_date"],
        ([n.case, "NOD", _iso(n.notice_date)] for n in scenario.notices if n.notice_date <= day),
    )
    for file in FLAG_FILES:
        _write(
            folder,
            file,
            ["case_number", "raised_on", "detail", "resolved_on"],
            (
                [
                    f.case,
                    _iso(f.raised),
                    f.detail,
                    _iso(f.resolved if f.resolved and f.resolved <= day else None),
                ]
                for f in scenario.flags
                if f.file == file and f.raised <= day
            ),
        )
    return folder


def _write_enrollments(scenario: Scenario, folder: Path, day: date, dated: bool) -> None:
    rows = []
    for e in scenario.enrollments:
        now = value_on(e.statuses, day)
        if now is None:
            continue
        paid = e.paid_by(day)
        paid_at = ""
        if paid and e.binder_paid:
            paid_at = _local_time(e.binder_paid, e.paid_at) if e.paid_at else _iso(e.binder_paid)
        ended = now[1] in ("canceled", "terminated")
        rows.append(
            [e.case, str(e.plan_year), e.coverage, e.program, now[1], f"{e.plan_year}-01-01",
             f"{e.plan_year}-12-31" if ended else "", "Y" if paid else "N"]
            + ([_iso(e.statuses[0][0]), _iso(now[0]), paid_at] if dated else [])
        )  # fmt: skip
    header = [
        "case_number",
        "plan_year",
        "coverage",
        "program",
        "status",
        "start_date",
        "end_date",
        "binder_paid",
    ]
    if dated:
        header += ["submitted_at", "status_since", "binder_paid_at"]
    _write(folder, "enrollments", header, rows)


# --- the oracle --------------------------------------------------------------------------


class ScenarioEdge(AssertionError):
    """A one-time event first due exactly 14 days after it: whether it alerts depends on the
    hour it is stamped with and on DST, so the scenario must not rely on it."""


@dataclass
class _Ledger:
    alerts: set[Alert] = field(default_factory=set)
    last: dict[tuple[str, str, str], date] = field(default_factory=dict)  # (topic, license, event)

    def add(self, topic: str, license_number: str, case: str, event: str, day: date) -> None:
        self.alerts.add((topic, license_number, case, day))
        self.last[(topic, license_number, event)] = day


def expected_alerts(
    scenario: Scenario, first: date, last: date, known_through: date | None = None
) -> set[Alert]:
    """The alerts the contract gives each business date from ``first`` to ``last``, run in
    order; ``known_through`` caps the facts bob was told (a book imported late)."""
    ledger = _Ledger()
    day = first
    while day <= last:
        facts_day = day - timedelta(days=1)
        if known_through is not None:
            facts_day = min(facts_day, known_through)
        _binder(scenario, ledger, day, facts_day)
        _consent(scenario, ledger, day, facts_day)
        _flags(scenario, ledger, day, facts_day)
        _one_time(scenario, ledger, day, facts_day)
        day += timedelta(days=1)
    return ledger.alerts


def _binder(scenario: Scenario, ledger: _Ledger, day: date, facts_day: date) -> None:
    """Every 7 days while a delegated health enrollment is pending with its binder unpaid."""
    for e in scenario.enrollments:
        status = value_on(e.statuses, facts_day)
        to = scenario.recipient(e.case, facts_day)
        if (
            e.coverage != "health"
            or status is None
            or status[1] != "pending"
            or e.paid_by(facts_day)
            or not to
        ):
            continue
        last = ledger.last.get(("binder_payment_pending", to, e.key))
        if last is None or last <= day - timedelta(days=7):
            ledger.add("binder_payment_pending", to, e.case, e.key, day)


def _consent(scenario: Scenario, ledger: _Ledger, day: date, facts_day: date) -> None:
    """On 8/1, 9/1, 10/1: the latest consent on file runs out within the coming year."""
    if day.strftime("%m-%d") not in CONSENT_DAYS:
        return
    for person in scenario.people:
        on_file = [c for c in scenario.consents if c.case == person.case and c.received <= facts_day]
        to = scenario.recipient(person.case, facts_day)
        if not on_file or not to:
            continue
        latest = max(on_file, key=lambda c: c.received)
        if day <= latest.valid_thru < day.replace(year=day.year + 1):
            ledger.add("consent_valid_thru", to, person.case, person.case, day)


def _flags(scenario: Scenario, ledger: _Ledger, day: date, facts_day: date) -> None:
    """Daily while open: raised before the date, not resolved before it."""
    for f in scenario.flags:
        resolved = f.resolved is not None and f.resolved <= facts_day
        to = scenario.recipient(f.case, facts_day)
        if f.raised <= facts_day and not resolved and to:
            ledger.add(f.topic, to, f.case, f.case, day)


def _one_time(scenario: Scenario, ledger: _Ledger, day: date, facts_day: date) -> None:
    """Once per recipient: a notice dated, or a status taken, in the 14 days before the date."""
    events: list[tuple[str, str, str, date]] = [
        ("nod_notice", n.case, f"{n.case}:{n.notice_date}", n.notice_date)
        for n in scenario.notices
        if n.notice_date <= facts_day
    ]
    for e in scenario.enrollments:
        status = value_on(e.statuses, facts_day)
        if status and status[1] in ("canceled", "terminated"):
            events.append((f"enrollment_{status[1]}", e.case, e.key, status[0]))
    for topic, case, event, since in events:
        to = scenario.recipient(case, facts_day)
        if not to or (topic, to, event) in ledger.last:
            continue
        age = (day - since).days
        if age == ONE_TIME_WINDOW:
            raise ScenarioEdge(f"{topic} of {case} is first due on {day}, exactly 14 days after {since}")
        if 1 <= age < ONE_TIME_WINDOW:
            ledger.add(topic, to, case, event, day)


# --- the scenarios -----------------------------------------------------------------------

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
            # paid in the afternoon of 11/20: a date-time, not a date; its cadence spans 11/1
            _health(3, 2027, ((d(2026, 10, 20), "pending"),), d(2026, 11, 20), time(16, 45)),
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
