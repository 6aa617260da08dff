"""The ground truth of a simulated agency calendar, and the book it makes as bob's own CSV
files on any evening.

A scenario is a list of facts, each true from a local calendar day on (an enrollment's
statuses, a delegation's, an agent's hiring and leaving, a consent received, a notice, a
flag raised and resolved). The book written on the evening of day ``d`` holds every fact
dated ``d`` or earlier. tests/calendar_oracle.py turns the same facts into the alert days
the frequency contract gives; tests/calendar_scenarios.py holds the scenarios.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

LA = ZoneInfo("America/Los_Angeles")
AGENCY = "sunrise"
LONG_AGO = date(2024, 1, 15)
FLAG_FILES = ("actions_requested", "medicare_aged_out", "enrollment_updates_pending")

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

# The columns that say when a fact became true (issue 11); a book written without them
# leaves the time to `bob import --as-of`, or to the moment of import.
EFFECTIVE_COLUMNS = frozenset(
    {"active_since", "status_since", "submitted_at", "binder_paid_at", "received_at"}
)
Table = tuple[list[str], list[list[str]]]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _agencies(scenario: Scenario, day: date) -> Table:
    return ["code", "name", "time_zone"], [[AGENCY, "Sunrise Test Agency", LA.key]]


def _enrollers(scenario: Scenario, day: date) -> Table:
    header = [
        "license_number",
        "agency_code",
        "first_name",
        "last_name",
        "email",
        "role",
        "active",
        "active_since",
    ]
    rows = [
        [a.license, AGENCY, a.first, a.last, f"{a.first.lower()}@agency.test", a.role,
         "Y" if a.active_on(day) else "N", _iso(a.hired if a.active_on(day) else a.deactivated)]
        for a in scenario.agents
        if a.hired <= day
    ]  # fmt: skip
    return header, rows


def _consumers(scenario: Scenario, day: date) -> Table:
    header = ["case_number", "first_name", "last_name", "ssn", "city", "state"]
    return header, [
        [p.case, p.first, p.last, "", "Sacramento", "CA"] for p in scenario.people if p.joined <= day
    ]


def _delegations(scenario: Scenario, day: date) -> Table:
    rows = []
    for d in scenario.delegations:
        now = value_on(d.statuses, day)
        if now:
            rows.append([d.case, d.license, now[1], _iso(d.delegated_on(day)), _iso(now[0])])
    return ["case_number", "enroller_license", "status", "delegated_on", "status_since"], rows


def _binder_paid_at(e: Enrollment) -> str:
    if e.binder_paid and e.paid_at:
        return datetime.combine(e.binder_paid, e.paid_at, tzinfo=LA).isoformat()
    return _iso(e.binder_paid)


def _enrollments(scenario: Scenario, day: date) -> Table:
    header = ["case_number", "plan_year", "coverage", "program", "status", "start_date", "end_date",
              "binder_paid", "submitted_at", "status_since", "binder_paid_at"]  # fmt: skip
    rows = []
    for e in scenario.enrollments:
        now = value_on(e.statuses, day)
        if now is None:
            continue
        paid, ended = e.paid_by(day), now[1] in ("canceled", "terminated")
        rows.append(
            [e.case, str(e.plan_year), e.coverage, e.program, now[1], f"{e.plan_year}-01-01",
             f"{e.plan_year}-12-31" if ended else "", "Y" if paid else "N",
             _iso(e.statuses[0][0]), _iso(now[0]), _binder_paid_at(e) if paid else ""]
        )  # fmt: skip
    return header, rows


def _consents(scenario: Scenario, day: date) -> Table:
    rows = [[c.case, _iso(c.valid_thru), _iso(c.received)] for c in scenario.consents if c.received <= day]
    return ["case_number", "valid_thru", "received_at"], rows


def _notices(scenario: Scenario, day: date) -> Table:
    rows = [[n.case, "NOD", _iso(n.notice_date)] for n in scenario.notices if n.notice_date <= day]
    return ["case_number", "kind", "notice_date"], rows


def _flags(file: str) -> Callable[[Scenario, date], Table]:
    def table(scenario: Scenario, day: date) -> Table:
        rows = [
            [f.case, _iso(f.raised), f.detail, _iso(f.resolved if f.resolved and f.resolved <= day else None)]
            for f in scenario.flags
            if f.file == file and f.raised <= day
        ]
        return ["case_number", "raised_on", "detail", "resolved_on"], rows

    return table


ENTITY_TABLES: dict[str, Callable[[Scenario, date], Table]] = {
    "agencies": _agencies,
    "enrollers": _enrollers,
    "consumers": _consumers,
    "delegations": _delegations,
    "enrollments": _enrollments,
    "consents": _consents,
    "notices": _notices,
    **{file: _flags(file) for file in FLAG_FILES},
}


def write_book(scenario: Scenario, folder: Path, day: date, dated: bool) -> Path:
    """Write the book as it stands on the evening of ``day``, one CSV per entity;
    ``dated`` keeps the :data:`EFFECTIVE_COLUMNS`."""
    folder.mkdir(parents=True, exist_ok=True)
    for entity, make in ENTITY_TABLES.items():
        header, rows = make(scenario, day)
        keep = [n for n, name in enumerate(header) if dated or name not in EFFECTIVE_COLUMNS]
        with (folder / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([header[n] for n in keep])
            writer.writerows([row[n] for n in keep] for row in rows)
    return folder
