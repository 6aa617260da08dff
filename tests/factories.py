"""Hand-built books for tests: named people, synthetic consumers, explicit timestamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy.orm import Session, sessionmaker

from store.history import record_history
from store.models import (
    Agency,
    Consent,
    Consumer,
    ConsumerFlag,
    Coverage,
    CrwCase,
    CrwStatus,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
    FollowUp,
    FollowUpKind,
    FollowUpSource,
    FollowUpStatus,
    Notice,
    NoticeKind,
    Program,
    Role,
)
from store.zones import DEFAULT_TIME_ZONE

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Book:
    """Adds rows through one session factory and remembers their ids."""

    sessions: sessionmaker[Session]
    _seq: count = field(default_factory=lambda: count(1))

    def _add(self, obj: object) -> int:
        """Add one row, and its first history period, in one transaction as importers do."""
        with self.sessions() as session, session.begin():
            session.add(obj)
            session.flush()
            record_history(session)
            return int(obj.id)  # type: ignore[attr-defined]

    def agency(
        self,
        code: str = "sunrise",
        name: str = "Sunrise Insurance",
        tz: str = DEFAULT_TIME_ZONE,
        **kw: object,
    ) -> int:
        return self._add(Agency(code=code, name=name, time_zone=tz, **kw))

    def enroller(
        self, agency_id: int, first: str, last: str, role: Role = Role.AGENT_L1, **kw: object
    ) -> int:
        n = next(self._seq)
        kw.setdefault("license_number", f"0A{n:05d}")
        kw.setdefault("email", f"{first}.{last}@agency.test".lower())
        kw.setdefault("created_at", LONG_AGO)  # on staff long before any date a test runs
        return self._add(Enroller(agency_id=agency_id, first_name=first, last_name=last, role=role, **kw))

    def consumer(
        self, enroller_id: int | None = None, status: DelegationStatus = DelegationStatus.ACTIVE, **kw: object
    ) -> int:
        n = next(self._seq)
        kw.setdefault("case_number", f"CASE{n:07d}")
        kw.setdefault("first_name", f"Pat{n}")
        kw.setdefault("last_name", "Consumer")
        kw.setdefault("primary_phone", f"(916) 555-{n:04d}")
        kw.setdefault("email", f"pat{n}@consumer.test")
        kw.setdefault("ssn", f"900-00-{n:04d}")
        kw.setdefault("date_of_birth", date(1980, 1, 1))
        kw.setdefault("annual_income_cents", 4_500_000 + n)
        consumer_id = self._add(Consumer(**kw))
        if enroller_id is not None:
            self.delegate(consumer_id, enroller_id, status)
        return consumer_id

    def delegate(
        self, consumer_id: int, enroller_id: int, status: DelegationStatus = DelegationStatus.ACTIVE
    ) -> int:
        return self._add(
            Delegation(
                consumer_id=consumer_id,
                enroller_id=enroller_id,
                status=status,
                delegated_on=date(2025, 10, 1),
                created_at=LONG_AGO,
            )
        )

    def enrollment(
        self,
        consumer_id: int,
        status: EnrollmentStatus = EnrollmentStatus.EFFECTUATED,
        at: datetime = LONG_AGO,
        binder_paid: bool = True,
        **kw: object,
    ) -> int:
        kw.setdefault("plan_year", 2026)
        kw.setdefault("program", Program.COVERED_CALIFORNIA)
        kw.setdefault("coverage", Coverage.HEALTH)
        return self._add(
            Enrollment(
                consumer_id=consumer_id,
                status=status,
                binder_paid=binder_paid,
                created_at=at,
                status_changed_at=at,
                **kw,
            )
        )

    def consent(self, consumer_id: int, valid_thru: date, at: datetime = LONG_AGO) -> int:
        return self._add(Consent(consumer_id=consumer_id, valid_thru=valid_thru, created_at=at))

    def notice(self, consumer_id: int, at: datetime) -> int:
        return self._add(
            Notice(consumer_id=consumer_id, kind=NoticeKind.NOD, notice_date=at.date(), created_at=at)
        )

    def flag(
        self, consumer_id: int, kind: FlagKind, raised: datetime, resolved: datetime | None = None
    ) -> int:
        return self._add(
            ConsumerFlag(consumer_id=consumer_id, kind=kind, raised_at=raised, resolved_at=resolved)
        )

    def follow_up(
        self,
        consumer_id: int,
        due_on: date,
        raised: datetime,
        kind: FollowUpKind = FollowUpKind.DMI,
        needed: str = "Proof of income",
        **kw: object,
    ) -> int:
        n = next(self._seq)
        kw.setdefault("status", FollowUpStatus.OPEN)
        kw.setdefault("source", FollowUpSource.BOB_FILE)
        kw.setdefault("external_ref", f"FU{n}")
        return self._add(
            FollowUp(
                consumer_id=consumer_id,
                kind=kind,
                needed=needed,
                due_on=due_on,
                created_at=raised,
                status_changed_at=raised,
                **kw,
            )  # fmt: skip
        )

    def crw_case(
        self,
        consumer_id: int,
        assignee_id: int,
        opened: datetime,
        risk: int = 3,
        reason: str = "Premium increase",
        closed: datetime | None = None,
        **kw: object,
    ) -> int:
        n = next(self._seq)
        kw.setdefault("case_number", f"CRW-{n:06d}")
        kw.setdefault("plan_year", 2026)
        kw.setdefault("assigned_at", opened)
        if closed is not None:
            kw.setdefault("resolution_reason", "Renewed - same plan")
            kw.setdefault("resolution_steps", "Called and renewed.")
        return self._add(
            CrwCase(
                consumer_id=consumer_id,
                assigned_enroller_id=assignee_id,
                opened_at=opened,
                risk=risk,
                reason=reason,
                closed_at=closed,
                status=CrwStatus.CLOSED if closed else CrwStatus.OPEN,
                **kw,
            )
        )
