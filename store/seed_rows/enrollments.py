"""Synthetic enrollments: Medi-Cal managed care, or a Covered California health plan with
premiums and subsidies priced from age, household and income, and a dental plan for some."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from store import names
from store.models import Coverage, EnrollmentStatus, Program
from store.seed_rows.draws import Weighted, between_ints, pick
from store.seed_rows.maker import DAY, ConsumerRows, Row, RowMaker

# Chance that a canceled or terminated enrollment changed status in the last 14 days,
# i.e. inside the one-time topics' lookback.
RECENT_CHANGE = 0.12

_HEALTH_CARRIER = Weighted(names.HEALTH_CARRIERS, [carrier[3] for carrier in names.HEALTH_CARRIERS])
_TIER = Weighted(names.METAL_TIERS, [tier[1] for tier in names.METAL_TIERS])
_STATUSES = (
    EnrollmentStatus.EFFECTUATED,
    EnrollmentStatus.PENDING,
    EnrollmentStatus.CANCELED,
    EnrollmentStatus.TERMINATED,
)
_HEALTH_STATUS = Weighted(_STATUSES, [84, 6, 4, 6])
_DENTAL_STATUS = Weighted(_STATUSES, [90, 5, 2, 3])
_MEDI_CAL_ENROLLMENT = Weighted(_STATUSES, [92, 3, 0, 5])


class EnrollmentMaker(RowMaker):
    """Makes a consumer's enrollments."""

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
        return changed - timedelta(seconds=between_ints(self.rng, 10 * DAY, 200 * DAY)), changed

    def _enrollment_dates(self, status: EnrollmentStatus, changed: datetime) -> tuple[date, date]:
        year = self.today.year
        if status is EnrollmentStatus.PENDING:
            month = self.today.month % 12 + 1
            start = date(year + (month == 1), month, 1)
            return start, date(start.year, 12, 31)
        local = changed.astimezone(self.zone).date()
        start = date(local.year, between_ints(self.rng, 1, local.month + 1), 1)
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
            rows.enrollments.append(self._medi_cal_enrollment(consumer_id, program))
            return
        if r.random() < 0.96:
            rows.enrollments.append(
                self._health_enrollment(consumer_id, program, age, household, fpl, income_cents)
            )
        if r.random() < 0.3:
            rows.enrollments.append(self._dental_enrollment(consumer_id, program, household))

    def _medi_cal_enrollment(self, consumer_id: int, program: Program) -> Row:
        r = self.rng
        status = _MEDI_CAL_ENROLLMENT.pick(r)
        return self._enrollment(
            consumer_id,
            program,
            Coverage.HEALTH,
            status,
            pick(r, names.MEDI_CAL_PLANS),
            "Medi-Cal Managed Care",
            None,
            None,
            0,
            None,
        )

    def _health_enrollment(
        self, consumer_id: int, program: Program, age: int, household: int, fpl: int, income_cents: int
    ) -> Row:
        """A Covered California health plan, its premium subsidized (APTC) by income."""
        r = self.rng
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
        return self._enrollment(
            consumer_id,
            program,
            Coverage.HEALTH,
            status,
            carrier,
            f"{brand} {tier} {pick(r, networks)}",
            tier,
            gross,
            aptc,
            csr,
        )

    def _dental_enrollment(self, consumer_id: int, program: Program, household: int) -> Row:
        r = self.rng
        carrier, networks = pick(r, names.DENTAL_CARRIERS)
        status = _DENTAL_STATUS.pick(r)
        gross = between_ints(r, 1_500, 6_500) * min(household, 4)
        return self._enrollment(
            consumer_id,
            program,
            Coverage.DENTAL,
            status,
            carrier,
            f"{carrier} {pick(r, networks)}",
            None,
            gross,
            0,
            None,
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
