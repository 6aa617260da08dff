"""Row makers for synthetic books: one ``random.Random`` in, plain row dicts out.

Every value comes from the generator and the ``as_of`` instant, never from the clock, so the
same seed and ``as_of`` give the same rows. Every timestamp is before ``as_of``. The mix of
situations is tuned so that, on a business date starting at ``as_of``, about 6-9% of
consumers put an alert into the Daily Summary (1M consumers, 10k agents: 60-90k alerts).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from store import names
from store.models import (
    Coverage,
    CrwStatus,
    DelegationStatus,
    EnrollmentStatus,
    FlagKind,
    NoticeKind,
    Program,
    Role,
)
from store.zones import DEFAULT_TIME_ZONE

Row = dict[str, Any]
T = TypeVar("T")
TIME_ZONE = DEFAULT_TIME_ZONE
DAY = 86_400
# 2025 federal poverty guideline (48 states), which prices plan year 2026 subsidies, in dollars.
FPL_BASE, FPL_PER_PERSON = 15_650, 5_500
# Chance that a canceled or terminated enrollment changed status in the last 14 days,
# i.e. inside the one-time topics' lookback.
RECENT_CHANGE = 0.12
MIN_STAFF = 4  # agency manager, primary contact, admin staff and at least one agent
AGENT_ROLES = (Role.AGENT_L1, Role.AGENT_L2)


def _cumulative(weights: Sequence[int | float]) -> list[float]:
    return list(accumulate(weights))


class Weighted(Generic[T]):
    """Values drawn with fixed weights: one ``random()`` and a bisect per draw."""

    def __init__(self, values: Sequence[T], weights: Sequence[int | float]) -> None:
        self.values = tuple(values)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


def _pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[int(rng.random() * len(values))]


def _below(rng: random.Random, high: int) -> int:
    """An int in [0, high)."""
    return int(rng.random() * high)


def _between_ints(rng: random.Random, low: int, high: int) -> int:
    """An int in [low, high)."""
    return low + int(rng.random() * (high - low))


_LANGUAGE = Weighted([name for name, _ in names.LANGUAGES], [w for _, w in names.LANGUAGES])
# English speakers' names: every community, weighted like the state's population.
_ENGLISH_POOL = Weighted(list(names.NAMES), [55, 28, 5, 3, 4, 2, 1, 1, 0.5, 0.5])
_PLACE = Weighted(names.PLACES, [place[4] for place in names.PLACES])
_HEALTH_CARRIER = Weighted(names.HEALTH_CARRIERS, [carrier[3] for carrier in names.HEALTH_CARRIERS])
_TIER = Weighted(names.METAL_TIERS, [tier[1] for tier in names.METAL_TIERS])
_PROGRAM = Weighted((Program.COVERED_CALIFORNIA, Program.MEDI_CAL, Program.MIXED_HOUSEHOLD), [68, 22, 10])
_HOUSEHOLD = Weighted(range(1, 7), [28, 27, 17, 15, 8, 5])
_DELEGATION = Weighted(
    (DelegationStatus.ACTIVE, DelegationStatus.PENDING, DelegationStatus.REMOVED), [93, 4, 3]
)
_STATUSES = (
    EnrollmentStatus.EFFECTUATED,
    EnrollmentStatus.PENDING,
    EnrollmentStatus.CANCELED,
    EnrollmentStatus.TERMINATED,
)
_HEALTH_STATUS = Weighted(_STATUSES, [84, 6, 4, 6])
_DENTAL_STATUS = Weighted(_STATUSES, [90, 5, 2, 3])
_MEDI_CAL_ENROLLMENT = Weighted(_STATUSES, [92, 3, 0, 5])
_APPLICATION = Weighted(*zip(*names.APPLICATION_STATUSES, strict=True))
_ELIGIBILITY = Weighted(*zip(*names.ELIGIBILITY_STATUSES, strict=True))
_MEDI_CAL_STATUS = Weighted(*zip(*names.MEDI_CAL_STATUSES, strict=True))
_CRW_REASON = Weighted(*zip(*names.CRW_REASONS, strict=True))
_CRW_RISK = Weighted(range(1, 6), [15, 25, 30, 20, 10])
_CRW_STATUS = Weighted((CrwStatus.OPEN, CrwStatus.IN_PROGRESS, CrwStatus.CLOSED), [45, 25, 30])


@cache
def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(frozen=True)
class Agent:
    """An enroller who holds a book of consumers."""

    id: int
    agency_id: int


@dataclass(frozen=True)
class Staff:
    """The agencies and enrollers made for one seed, and who can be delegated consumers."""

    agencies: list[Row]
    enrollers: list[Row]
    agents: Weighted[Agent]
    agents_by_agency: dict[int, list[Agent]]


@dataclass
class ConsumerRows:
    """The rows of one chunk of consumers, table by table, in insert order."""

    consumers: list[Row] = field(default_factory=list)
    delegations: list[Row] = field(default_factory=list)
    enrollments: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    notices: list[Row] = field(default_factory=list)
    flags: list[Row] = field(default_factory=list)
    crw_cases: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        return {
            "consumers": self.consumers,
            "delegations": self.delegations,
            "enrollments": self.enrollments,
            "consents": self.consents,
            "notices": self.notices,
            "consumer_flags": self.flags,
            "crw_cases": self.crw_cases,
        }

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables().values())


def license_number(enroller_id: int) -> str:
    """A California-shaped license number (0 + letter + 5 digits), unique per enroller id."""
    letter = chr(ord("A") + (enroller_id // 100_000) % 26)
    return f"0{letter}{enroller_id % 100_000:05d}"


def case_number(consumer_id: int) -> str:
    """A 10-digit case number, unique per consumer id."""
    return f"{7_000_000_000 + consumer_id}"


def crw_case_number(consumer_id: int) -> str:
    """The number of the consumer's CRW case (a seeded consumer has at most one)."""
    return f"CRW-{case_number(consumer_id)}"


class BookMaker:
    """Makes agencies, enrollers and consumers with their cases from one random stream.

    ``next_ids`` holds the first free id of each table, so the rows can be inserted with
    explicit ids (children reference parents without a round trip) next to existing data.
    """

    def __init__(self, rng: random.Random, as_of: datetime, next_ids: dict[str, int]) -> None:
        self.rng = rng
        self.as_of = as_of
        self.zone = ZoneInfo(TIME_ZONE)
        self.today = as_of.astimezone(self.zone).date()
        self.next_ids = dict(next_ids)

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def _ago(self, low_seconds: int, high_seconds: int) -> datetime:
        return self.as_of - timedelta(seconds=_between_ints(self.rng, low_seconds, high_seconds))

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(int((end - start).total_seconds()), 1)
        return start + timedelta(seconds=_below(self.rng, span))

    def _name(self, language: str) -> tuple[str, str]:
        r = self.rng
        pool = language
        if language == "English":
            pool = _ENGLISH_POOL.pick(r)
        firsts, lasts = names.NAMES[pool]
        return _pick(r, firsts), _pick(r, lasts)

    def _ssn(self) -> str:
        """SSN-shaped, with area number 900-999: never issued as a Social Security number."""
        r = self.rng
        group, serial = _between_ints(r, 1, 100), _between_ints(r, 1, 10000)
        return f"9{_below(r, 100):02d}-{group:02d}-{serial:04d}"

    def _email(self, first: str, last: str) -> str:
        domain = _pick(self.rng, names.EMAIL_DOMAINS)
        return f"{_slug(first)}.{_slug(last)}{_between_ints(self.rng, 1, 1000)}@{domain}"

    def _phone(self, area_codes: Sequence[str]) -> str:
        return f"({_pick(self.rng, area_codes)}) 555-01{_below(self.rng, 100):02d}"

    # --- agencies and enrollers -------------------------------------------------------

    def staff(self, agencies: int, enrollers: int) -> Staff:
        """``agencies`` agencies sharing ``enrollers`` enrollers (at least 4 each): one agency
        manager, one primary contact, admin staff, support staff in larger agencies (and in
        the largest of any book, so every role can be tried), and agents level 1 and 2.
        Agencies and agents differ in size like real ones do."""
        r = self.rng
        sizes = [MIN_STAFF] * agencies
        agency_size = Weighted(range(agencies), [r.paretovariate(1.3) for _ in range(agencies)])
        for _ in range(enrollers - MIN_STAFF * agencies):
            sizes[agency_size.pick(r)] += 1
        agency_rows: list[Row] = []
        enroller_rows: list[Row] = []
        agents: list[Agent] = []
        book_sizes: list[float] = []
        agents_by_agency: dict[int, list[Agent]] = {}
        largest = sizes.index(max(sizes))
        for index, size in enumerate(sizes):
            agency = self._agency()
            agency_rows.append(agency)
            roles = [Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT, Role.ADMIN_L1]
            roles += [Role.ADMIN_L2] * (size // 25)
            if size >= 12 or (index == largest and size > MIN_STAFF):
                roles.append(Role.SUPPORT_STAFF)
            roles += [Role.AGENT_L2 if r.random() < 0.3 else Role.AGENT_L1 for _ in range(size - len(roles))]
            colleagues = agents_by_agency.setdefault(agency["id"], [])
            for role in roles:
                row = self._enroller(agency, role)
                enroller_rows.append(row)
                if role in AGENT_ROLES:
                    colleagues.append(Agent(row["id"], agency["id"]))
                    book_sizes.append(r.lognormvariate(0, 0.6))
            agents.extend(colleagues)
        return Staff(agency_rows, enroller_rows, Weighted(agents, book_sizes), agents_by_agency)

    def _agency(self) -> Row:
        r = self.rng
        agency_id = self._id("agencies")
        first, second = names.AGENCY_WORDS
        words = f"{_pick(r, first)} {_pick(r, second)}"
        return {
            "id": agency_id,
            "code": f"{_slug(words)}-{agency_id}",
            "name": f"{words} {_pick(r, names.AGENCY_KINDS)}",
            "time_zone": TIME_ZONE,
            "prevent_downline_exports": r.random() < 0.1,
            "mask_exports_by_default": r.random() < 0.2,
            "created_at": self._ago(400 * DAY, 4000 * DAY),
        }

    def _enroller(self, agency: Row, role: Role) -> Row:
        r = self.rng
        enroller_id = self._id("enrollers")
        language = _LANGUAGE.pick(r)
        first, last = self._name(language)
        place = _PLACE.pick(r)
        is_agent = role in AGENT_ROLES
        return {
            "id": enroller_id,
            "agency_id": agency["id"],
            "first_name": first,
            "last_name": last,
            "license_number": license_number(enroller_id),
            "email": f"{_slug(first)}.{_slug(last)}.{enroller_id}@{agency['code']}.example.com",
            "phone": self._phone(place[3]),
            "role": role,
            "slack_user_id": None,
            # A few agents have left the agency; their books stay delegated to them.
            "active": not (is_agent and r.random() < 0.015),
            "created_at": self._ago(30 * DAY, 3000 * DAY),
        }

    # --- consumers ------------------------------------------------------------------

    def consumers(self, staff: Staff, count: int) -> ConsumerRows:
        """The next ``count`` consumers, each with delegations, enrollments, consents,
        notices and flags."""
        rows = ConsumerRows()
        for _ in range(count):
            self._consumer(staff, rows)
        return rows

    def _consumer(self, staff: Staff, rows: ConsumerRows) -> None:
        r = self.rng
        consumer_id = self._id("consumers")
        language = _LANGUAGE.pick(r)
        first, last = self._name(language)
        spoken = language
        if r.random() < 0.1:
            spoken = "Spanish" if language == "English" else "English"
        age_days = _between_ints(r, 19 * 365, 82 * 365)
        city, county, zips, area_codes, _ = _PLACE.pick(r)
        zip_code = _pick(r, zips)
        household = _HOUSEHOLD.pick(r)
        program = _PROGRAM.pick(r)
        if program is Program.MEDI_CAL:
            fpl = _between_ints(r, 0, 139)
        elif program is Program.MIXED_HOUSEHOLD:
            fpl = _between_ints(r, 100, 300)
        else:
            fpl = int(r.triangular(139, 650, 230))
        fpl_dollars = FPL_BASE + FPL_PER_PERSON * (household - 1)
        income_cents = fpl * fpl_dollars + _below(r, fpl_dollars)
        created = self._ago(20 * DAY, 1500 * DAY)
        on_medi_cal = program is not Program.COVERED_CALIFORNIA
        rows.consumers.append(
            {
                "id": consumer_id,
                "case_number": case_number(consumer_id),
                "first_name": first,
                "last_name": last,
                "date_of_birth": self.today - timedelta(days=age_days),
                "ssn": None if r.random() < 0.04 else self._ssn(),
                "email": None if r.random() < 0.18 else self._email(first, last),
                "primary_phone": self._phone(area_codes),
                "secondary_phone": self._phone(area_codes) if r.random() < 0.25 else None,
                "written_language": language,
                "spoken_language": spoken,
                "address_line1": f"{_between_ints(r, 100, 20000)} {_pick(r, names.STREETS)} "
                f"{_pick(r, names.STREET_KINDS)}",
                "address_line2": (
                    f"{_pick(r, names.UNIT_KINDS)} {_between_ints(r, 1, 350)}" if r.random() < 0.22 else None
                ),
                "city": city,
                "state": "CA",
                "zip_code": zip_code,
                "county": county,
                "mailing_address": (
                    f"PO Box {_between_ints(r, 100, 10000)}, {city}, CA {zip_code}"
                    if r.random() < 0.06
                    else None
                ),
                "household_size": household,
                "annual_income_cents": income_cents,
                "fpl_percent": income_cents // fpl_dollars,
                "application_status": _APPLICATION.pick(r),
                "eligibility_status": _ELIGIBILITY.pick(r),
                "medi_cal_status": (_MEDI_CAL_STATUS.pick(r) if on_medi_cal else None),
                "medi_cal_renewal_date": (
                    self.today + timedelta(days=_between_ints(r, 1, 366)) if on_medi_cal else None
                ),
                "created_at": created,
                "updated_at": self._between(created, self.as_of),
            }
        )
        holder = self._delegations(staff, consumer_id, created, rows)
        if holder is not None and r.random() < 0.05:
            self._crw_case(consumer_id, holder, rows)
        age = age_days // 365
        self._enrollments(consumer_id, program, age, household, fpl, income_cents, rows)
        self._consents(consumer_id, rows)
        self._notices(consumer_id, rows)
        self._flags(consumer_id, age, rows)

    def _delegations(
        self, staff: Staff, consumer_id: int, created: datetime, rows: ConsumerRows
    ) -> Agent | None:
        """Delegate the consumer; returns the agent holding the active delegation, if any."""
        r = self.rng
        agent = staff.agents.pick(r)
        status = _DELEGATION.pick(r)
        delegated = self._between(created, self.as_of)
        removed_at = None
        if status is DelegationStatus.REMOVED:
            removed_at = self._between(delegated, self.as_of)
        rows.delegations.append(self._delegation(consumer_id, agent, status, delegated, removed_at))
        colleagues = staff.agents_by_agency[agent.agency_id]
        if removed_at is not None and len(colleagues) > 1 and r.random() < 0.6:
            # The case moved to a colleague: the old delegation stays on file as removed.
            successor = _pick(r, [a for a in colleagues if a.id != agent.id])
            rows.delegations.append(
                self._delegation(consumer_id, successor, DelegationStatus.ACTIVE, removed_at, None)
            )
            return successor
        return agent if status is DelegationStatus.ACTIVE else None

    def _delegation(
        self,
        consumer_id: int,
        agent: Agent,
        status: DelegationStatus,
        delegated: datetime,
        removed_at: datetime | None,
    ) -> Row:
        return {
            "id": self._id("delegations"),
            "consumer_id": consumer_id,
            "enroller_id": agent.id,
            "status": status,
            "delegated_on": delegated.astimezone(self.zone).date(),
            "created_at": delegated,
            "removed_at": removed_at,
        }

    def _crw_case(self, consumer_id: int, agent: Agent, rows: ConsumerRows) -> None:
        """A renewal case in the Consumer Retention Workspace, opened in the last 90 days."""
        r = self.rng
        status = _CRW_STATUS.pick(r)
        opened = self._ago(60, 90 * DAY)
        assigned = self._between(opened, min(opened + timedelta(days=3), self.as_of))
        closed_at = self._between(assigned, self.as_of) if status is CrwStatus.CLOSED else None
        resolution = _pick(r, names.CRW_RESOLUTIONS) if closed_at else (None, None)
        rows.crw_cases.append(
            {
                "id": self._id("crw_cases"),
                "case_number": crw_case_number(consumer_id),
                "consumer_id": consumer_id,
                "plan_year": self.today.year + 1,
                "risk": _CRW_RISK.pick(r),
                "reason": _CRW_REASON.pick(r),
                "status": status,
                "assigned_enroller_id": agent.id,
                "assigned_at": assigned,
                "opened_at": opened,
                "closed_at": closed_at,
                "resolution_reason": resolution[0],
                "resolution_steps": resolution[1],
            }
        )

    def _status_change(self, status: EnrollmentStatus) -> tuple[datetime, datetime]:
        """When the enrollment was created and when it last changed status."""
        if status is EnrollmentStatus.PENDING:
            created = self._ago(3600, 45 * DAY)
            return created, created
        if status is EnrollmentStatus.EFFECTUATED:
            changed = self._ago(20 * DAY, 600 * DAY)
        elif self.rng.random() < RECENT_CHANGE:
            changed = self._ago(60, 14 * DAY - 3600)
        else:
            changed = self._ago(14 * DAY, 700 * DAY)
        return changed - timedelta(seconds=_between_ints(self.rng, 10 * DAY, 200 * DAY)), changed

    def _enrollment_dates(self, status: EnrollmentStatus, changed: datetime) -> tuple[date, date]:
        year = self.today.year
        if status is EnrollmentStatus.PENDING:
            month = self.today.month % 12 + 1
            start = date(year + (month == 1), month, 1)
            return start, date(start.year, 12, 31)
        local = changed.astimezone(self.zone).date()
        start = date(local.year, _between_ints(self.rng, 1, local.month + 1), 1)
        if status is EnrollmentStatus.CANCELED:
            return start, start
        if status is EnrollmentStatus.TERMINATED:
            next_month = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
            return start, next_month - timedelta(days=1)
        return start, date(start.year, 12, 31)

    def _enrollments(
        self,
        consumer_id: int,
        program: Program,
        age: int,
        household: int,
        fpl: int,
        income_cents: int,
        rows: ConsumerRows,
    ) -> None:
        r = self.rng
        if program is Program.MEDI_CAL:
            status = _MEDI_CAL_ENROLLMENT.pick(r)
            rows.enrollments.append(
                self._enrollment(
                    consumer_id,
                    program,
                    Coverage.HEALTH,
                    status,
                    _pick(r, names.MEDI_CAL_PLANS),
                    "Medi-Cal Managed Care",
                    None,
                    None,
                    0,
                    None,
                )
            )
            return
        if r.random() < 0.96:
            carrier, brand, networks, _ = _HEALTH_CARRIER.pick(r)
            tier, _, base_40 = _TIER.pick(r)
            age_factor = (1.0 + max(0, min(age, 64) - 21) * 0.047) / 1.278
            members = 1 + 0.6 * (min(household, 4) - 1)
            gross = int(base_40 * age_factor * members * r.uniform(0.9, 1.1))
            benchmark = int(58_000 * age_factor * members)
            expected = 0 if fpl <= 150 else income_cents * min(fpl - 150, 250) * 85 // 250_000 // 12
            aptc = min(gross, max(0, benchmark - expected))
            csr = None
            if tier == "Silver 70" and fpl <= 250:
                csr = "Silver 94" if fpl <= 150 else "Silver 87" if fpl <= 200 else "Silver 73"
            status = _HEALTH_STATUS.pick(r)
            rows.enrollments.append(
                self._enrollment(
                    consumer_id,
                    program,
                    Coverage.HEALTH,
                    status,
                    carrier,
                    f"{brand} {tier} {_pick(r, networks)}",
                    tier,
                    gross,
                    aptc,
                    csr,
                )
            )
        if r.random() < 0.3:
            carrier, networks = _pick(r, names.DENTAL_CARRIERS)
            status = _DENTAL_STATUS.pick(r)
            gross = _between_ints(r, 1_500, 6_500) * min(household, 4)
            rows.enrollments.append(
                self._enrollment(
                    consumer_id,
                    program,
                    Coverage.DENTAL,
                    status,
                    carrier,
                    f"{carrier} {_pick(r, networks)}",
                    None,
                    gross,
                    0,
                    None,
                )
            )

    def _enrollment(
        self,
        consumer_id: int,
        program: Program,
        coverage: Coverage,
        status: EnrollmentStatus,
        carrier: str,
        plan_name: str,
        metal_tier: str | None,
        gross: int | None,
        aptc: int,
        csr: str | None,
    ) -> Row:
        created, changed = self._status_change(status)
        start, end = self._enrollment_dates(status, changed)
        if status is EnrollmentStatus.PENDING:
            # Under half of new enrollments are still waiting on the first (binder) payment.
            binder_paid = gross is None or self.rng.random() < 0.62
        else:
            binder_paid = status is not EnrollmentStatus.CANCELED or self.rng.random() < 0.3
        return {
            "id": self._id("enrollments"),
            "consumer_id": consumer_id,
            "plan_year": start.year,
            "program": program,
            "coverage": coverage,
            "carrier": carrier,
            "plan_name": plan_name,
            "metal_tier": metal_tier,
            "status": status,
            "start_date": start,
            "end_date": end,
            "gross_premium_cents": gross,
            "aptc_cents": aptc if gross is not None else None,
            "net_premium_cents": gross - aptc if gross is not None else None,
            "csr_level": csr,
            "binder_paid": binder_paid,
            "status_changed_at": changed,
            "created_at": created,
        }

    def _consents(self, consumer_id: int, rows: ConsumerRows) -> None:
        r = self.rng
        if r.random() >= 0.88:
            return
        if r.random() < 0.3:
            # An earlier consent that has run out; only the latest one counts.
            expired = self.today - timedelta(days=_between_ints(r, 30, 900))
            rows.consents.append(self._consent(consumer_id, expired, 900 * DAY, 2500 * DAY))
        draw = r.random()
        if draw < 0.025:
            valid_thru = self.today + timedelta(days=_between_ints(r, 0, 364))
        elif draw < 0.065:
            valid_thru = self.today - timedelta(days=_between_ints(r, 1, 700))
        else:
            valid_thru = self.today + timedelta(days=_between_ints(r, 366, 5 * 365))
        rows.consents.append(self._consent(consumer_id, valid_thru, 30 * DAY, 900 * DAY))

    def _consent(self, consumer_id: int, valid_thru: date, low: int, high: int) -> Row:
        return {
            "id": self._id("consents"),
            "consumer_id": consumer_id,
            "valid_thru": valid_thru,
            "created_at": self._ago(low, high),
        }

    def _notices(self, consumer_id: int, rows: ConsumerRows) -> None:
        r = self.rng
        draw = r.random()
        if draw < 0.009:
            created = self._ago(60, 13 * DAY)
        elif draw < 0.29:
            created = self._ago(14 * DAY, 730 * DAY)
        else:
            return
        rows.notices.append(
            {
                "id": self._id("notices"),
                "consumer_id": consumer_id,
                "kind": NoticeKind.NOD,
                "notice_date": created.astimezone(self.zone).date(),
                "created_at": created,
            }
        )

    def _flags(self, consumer_id: int, age: int, rows: ConsumerRows) -> None:
        r = self.rng
        if r.random() < 0.026:
            rows.flags.append(self._flag(consumer_id, FlagKind.ACTION_REQUESTED, 0.62))
        if r.random() < 0.016:
            rows.flags.append(self._flag(consumer_id, FlagKind.ENROLLMENT_UPDATE_PENDING, 0.65))
        if 64 <= age < 67 and r.random() < 0.2:
            rows.flags.append(self._flag(consumer_id, FlagKind.MEDICARE_AGED_OUT, 0.7))

    def _flag(self, consumer_id: int, kind: FlagKind, open_share: float) -> Row:
        raised = self._ago(3600, 120 * DAY)
        resolved = None if self.rng.random() < open_share else self._between(raised, self.as_of)
        return {
            "id": self._id("consumer_flags"),
            "consumer_id": consumer_id,
            "kind": kind,
            "detail": _pick(self.rng, names.FLAG_DETAILS[kind.value]),
            "raised_at": raised,
            "resolved_at": resolved,
        }
