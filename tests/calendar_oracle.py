"""The oracle: the alerts the frequency contract gives each business date of a scenario.

It knows nothing of bob's code. It walks the dates in order with a ledger of its own and
applies the contract (rules/topics.py, rules/policies.py) to the facts dated before each
date — the cutoff rule: the 06:00 digest of date D reads the book as it stood at the local
midnight starting D, so a fact of day D-1 counts for D, a notice dated N alerts on N+1, and
a flag resolved on S still alerts on S. The recipient is the enroller the case is actively
delegated to, both active, as of that cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.calendar_book import Scenario, value_on

CONSENT_DAYS = ("08-01", "09-01", "10-01")
ONE_TIME_WINDOW = 14  # days: a one-time event older than this when first seen is history

Alert = tuple[str, str, str, date]  # (topic, enroller license, case number, business date)


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
        _delegations(scenario, ledger, day, facts_day)
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


def _delegations(scenario: Scenario, ledger: _Ledger, day: date, facts_day: date) -> None:
    """bob's own topics, to the delegation's own enroller while active: daily while the
    delegation is pending; once when an active one was removed within the 14 days before."""
    for d in scenario.delegations:
        status = value_on(d.statuses, facts_day)
        if status is None or not scenario.agent(d.license).active_on(facts_day):
            continue
        event = f"{d.case}:{d.license}"
        if status[1] == "pending":
            ledger.add("pending_delegation", d.license, d.case, event, day)
        was_active = any(value == "active" and since < status[0] for since, value in d.statuses)
        if (
            status[1] != "removed"
            or not was_active
            or ("delegation_removed", d.license, event) in ledger.last
        ):
            continue
        age = (day - status[0]).days
        if age == ONE_TIME_WINDOW:
            raise ScenarioEdge(
                f"delegation_removed of {d.case} is first due on {day}, 14 days after {status[0]}"
            )
        if 1 <= age < ONE_TIME_WINDOW:
            ledger.add("delegation_removed", d.license, d.case, event, day)
