"""What a source row says about one consumer case, in bob's terms, and the import's tally.

A mapping (CalHEERS, HealthSherpa, bob's own files) turns each source row into a
:class:`CaseRecord`. Only what the row *knows* is set: a field absent from the record is
unknown (a masked cell, a column the file lacks) and is never overwritten; a field present
with ``None`` is known to be empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from store.models import Coverage, DelegationStatus, FlagKind, NoticeKind


@dataclass
class Reject:
    """A row that was not loaded: where it is and why, never what it held."""

    row: int
    column: str
    reason: str


@dataclass
class EnrollmentFacts:
    """One enrollment, keyed by (consumer, plan year, coverage)."""

    plan_year: int
    coverage: Coverage
    fields: dict[str, Any] = field(default_factory=dict)
    # Fields the row gives only for an enrollment it creates (a stored one keeps its own).
    new_only: dict[str, Any] = field(default_factory=dict)
    # When it was submitted, its status began and its binder was paid, where the file says.
    submitted_at: date | datetime | None = None
    status_since: date | datetime | None = None
    binder_paid_at: date | datetime | None = None


@dataclass
class DelegationFacts:
    """The consumer is delegated to the enroller with this license number."""

    row: int
    license_number: str
    status: DelegationStatus
    delegated_on: date | None = None
    knows_date: bool = True
    status_since: date | datetime | None = None


@dataclass
class FlagCount:
    """How many open flags of ``kind`` the source counts; ``detail`` narrows the flags the
    count speaks for (None: all of that kind)."""

    kind: FlagKind
    open_count: int
    detail: str | None = None
    raise_detail: str | None = None


@dataclass
class FlagFacts:
    """One flag row of bob's own files, keyed by (consumer, kind, raised date, detail)."""

    kind: FlagKind
    raised_on: date
    detail: str | None
    resolved_on: date | None


@dataclass
class CaseRecord:
    row: int
    case_number: str
    consumer: dict[str, Any] = field(default_factory=dict)
    may_create: bool = True
    enrollments: list[EnrollmentFacts] = field(default_factory=list)
    delegations: list[DelegationFacts] = field(default_factory=list)
    # The delegations listed are all the case has in their agency: any other one there ended.
    delegations_complete: bool = False
    consent_valid_thru: date | None = None
    consent_received_at: date | datetime | None = None
    notices: list[tuple[NoticeKind, date]] = field(default_factory=list)
    flag_counts: list[FlagCount] = field(default_factory=list)
    flags: list[FlagFacts] = field(default_factory=list)

    def dated_facts(self) -> Iterator[tuple[str, date | datetime | None]]:
        """Every date the record gives a fact, by the column it came from: none may be after
        the import's as-of."""
        for facts in self.enrollments:
            yield from (
                ("submitted_at", facts.submitted_at), ("status_since", facts.status_since),
                ("binder_paid_at", facts.binder_paid_at),
            )  # fmt: skip
        for delegation in self.delegations:
            yield ("status_since", delegation.status_since)
            yield ("delegated_on", delegation.delegated_on)
        yield ("received_at", self.consent_received_at)
        yield from (("notice_date", day) for _, day in self.notices)
        for flag in self.flags:
            yield from (("raised_on", flag.raised_on), ("resolved_on", flag.resolved_on))


@dataclass
class ImportSummary:
    """Rows created, updated, unchanged and rejected, with where the rejects went."""

    source: str
    counts: Counter[str] = field(default_factory=Counter)
    rejects_path: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    as_of: str | None = None  # which as-of stamped the facts the file does not date

    @property
    def created(self) -> int:
        return self.counts["created"]

    @property
    def updated(self) -> int:
        return self.counts["updated"]

    @property
    def unchanged(self) -> int:
        return self.counts["unchanged"]

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def line(self) -> str:
        text = (
            f"{self.source}: {self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        if self.rejects_path:
            text += f" (reasons in {self.rejects_path})"
        if self.as_of:
            text += f"; {self.as_of}"
        return text
