"""Synthetic consumers: who they are, where they live, their household's income and program.

The mix of situations is tuned so that, on a business date starting at ``as_of``, about 6-9%
of consumers put an alert into the Daily Summary (1M consumers, 10k agents: 60-90k alerts).
"""

from __future__ import annotations

from datetime import timedelta

from store import names
from store.models import Program
from store.seed_rows.case_facts import CaseFactMaker
from store.seed_rows.delegations import DelegationMaker
from store.seed_rows.draws import Weighted, below, between_ints, pick
from store.seed_rows.enrollments import EnrollmentMaker
from store.seed_rows.maker import DAY, LANGUAGE, PLACE, ConsumerRows, Row
from store.seed_rows.numbers import case_number
from store.seed_rows.staff import Staff

# 2025 federal poverty guideline (48 states), which prices plan year 2026 subsidies, in dollars.
FPL_BASE, FPL_PER_PERSON = 15_650, 5_500

_PROGRAM = Weighted((Program.COVERED_CALIFORNIA, Program.MEDI_CAL, Program.MIXED_HOUSEHOLD), [68, 22, 10])
_HOUSEHOLD = Weighted(range(1, 7), [28, 27, 17, 15, 8, 5])
_APPLICATION = Weighted(*zip(*names.APPLICATION_STATUSES, strict=True))
_ELIGIBILITY = Weighted(*zip(*names.ELIGIBILITY_STATUSES, strict=True))
_MEDI_CAL_STATUS = Weighted(*zip(*names.MEDI_CAL_STATUSES, strict=True))


class ConsumerMaker(DelegationMaker, EnrollmentMaker, CaseFactMaker):
    """Makes consumers with their cases."""

    def consumers(self, staff: Staff, count: int) -> ConsumerRows:
        """The next ``count`` consumers, each with delegations, enrollments, consents,
        notices and flags."""
        rows = ConsumerRows()
        for _ in range(count):
            self._consumer(staff, rows)
        return rows

    def _consumer(self, staff: Staff, rows: ConsumerRows) -> None:
        consumer_id = self._id("consumers")
        consumer, program, age, fpl = self._consumer_row(consumer_id)
        rows.consumers.append(consumer)
        holder = self._delegations(staff, consumer_id, consumer["created_at"], rows)
        if holder is not None and self.rng.random() < 0.05:
            self._crw_case(consumer_id, holder, rows)
        household, income_cents = consumer["household_size"], consumer["annual_income_cents"]
        self._enrollments(consumer_id, program, age, household, fpl, income_cents, rows)
        self._consents(consumer_id, rows)
        self._notices(consumer_id, rows)
        self._flags(consumer_id, age, rows)
        self._follow_ups(consumer_id, rows)

    def _consumer_row(self, consumer_id: int) -> tuple[Row, Program, int, int]:
        """The consumer's row, with the program, age and poverty-level percent that price their plans."""
        r = self.rng
        language = LANGUAGE.pick(r)
        first, last = self._name(language)
        # One in ten speaks English when writing another language, or Spanish when writing English.
        spoken = language if r.random() >= 0.1 else "Spanish" if language == "English" else "English"
        age_days = between_ints(r, 19 * 365, 82 * 365)
        city, county, zips, area_codes, _ = PLACE.pick(r)
        zip_code = pick(r, zips)
        household = _HOUSEHOLD.pick(r)
        program = _PROGRAM.pick(r)
        fpl, fpl_dollars, income_cents = self._income(program, household)
        created = self._ago(20 * DAY, 1500 * DAY)
        on_medi_cal = program is not Program.COVERED_CALIFORNIA
        consumer = {
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
            **self._address(city, county, zip_code),
            "household_size": household,
            "annual_income_cents": income_cents,
            "fpl_percent": income_cents // fpl_dollars,
            "application_status": _APPLICATION.pick(r),
            "eligibility_status": _ELIGIBILITY.pick(r),
            "medi_cal_status": (_MEDI_CAL_STATUS.pick(r) if on_medi_cal else None),
            "medi_cal_renewal_date": (
                self.today + timedelta(days=between_ints(r, 1, 366)) if on_medi_cal else None
            ),
            "created_at": created,
            "updated_at": self._between(created, self.as_of),
        }
        return consumer, program, age_days // 365, fpl

    def _income(self, program: Program, household: int) -> tuple[int, int, int]:
        """Percent of the poverty level (by program), the household's poverty level in dollars,
        and the annual income in cents."""
        r = self.rng
        if program is Program.MEDI_CAL:
            fpl = between_ints(r, 0, 139)
        elif program is Program.MIXED_HOUSEHOLD:
            fpl = between_ints(r, 100, 300)
        else:
            fpl = int(r.triangular(139, 650, 230))
        fpl_dollars = FPL_BASE + FPL_PER_PERSON * (household - 1)
        return fpl, fpl_dollars, fpl * fpl_dollars + below(r, fpl_dollars)

    def _address(self, city: str, county: str, zip_code: str) -> Row:
        r = self.rng
        return {
            "address_line1": f"{between_ints(r, 100, 20000)} {pick(r, names.STREETS)} "
            f"{pick(r, names.STREET_KINDS)}",
            "address_line2": (
                f"{pick(r, names.UNIT_KINDS)} {between_ints(r, 1, 350)}" if r.random() < 0.22 else None
            ),
            "city": city,
            "state": "CA",
            "zip_code": zip_code,
            "county": county,
            "mailing_address": (
                f"PO Box {between_ints(r, 100, 10000)}, {city}, CA {zip_code}" if r.random() < 0.06 else None
            ),
        }
