"""Synthetic facts on a consumer's case: consents, notices of determination, open flags and
follow-ups with due dates."""

from __future__ import annotations

from datetime import date, timedelta

from store import names
from store.models import FlagKind, FollowUpKind, FollowUpSource, FollowUpStatus, NoticeKind
from store.seed_rows.draws import Weighted, below, between_ints, pick
from store.seed_rows.maker import DAY, ConsumerRows, Row, RowMaker
from store.zones import local_midnight

FOLLOW_UP_SHARE = 0.2  # follow-ups per consumer, as HealthSherpa's DMI and SVI exports show
_FOLLOW_UP_KIND = Weighted((FollowUpKind.DMI, FollowUpKind.SVI, FollowUpKind.DOCUMENT), [65, 25, 10])
_FOLLOW_UP_SOURCE = Weighted(
    (FollowUpSource.HEALTHSHERPA, FollowUpSource.CALHEERS, FollowUpSource.BOB_FILE), [50, 40, 10]
)
_NEEDED = {
    FollowUpKind.DMI: (
        "Proof of income", "Proof of citizenship", "Proof of lawful presence",
        "Proof of California residency", "Social Security number", "Proof of incarceration status",
    ),
    FollowUpKind.SVI: (
        "Proof of loss of coverage", "Proof of move", "Proof of marriage", "Proof of birth or adoption",
    ),
    FollowUpKind.DOCUMENT: ("Signed application", "Proof of minimum essential coverage", "Tax filing"),
}  # fmt: skip
# Outstanding follow-ups whose due date has passed are few: most get cleared or expire.
_PAST_STATUS = Weighted(
    (FollowUpStatus.CLEARED, FollowUpStatus.EXPIRED, FollowUpStatus.OPEN, FollowUpStatus.SUBMITTED),
    [55, 25, 10, 10],
)
_FUTURE_STATUS = Weighted(
    (FollowUpStatus.OPEN, FollowUpStatus.SUBMITTED, FollowUpStatus.CLEARED), [65, 25, 10]
)


class CaseFactMaker(RowMaker):
    """Makes a consumer's consents, notices and flags."""

    def _consents(self, consumer_id: int, rows: ConsumerRows) -> None:
        r = self.rng
        if r.random() >= 0.88:
            return
        if r.random() < 0.3:
            # An earlier consent that has run out; only the latest one counts.
            expired = self.today - timedelta(days=between_ints(r, 30, 900))
            rows.consents.append(self._consent(consumer_id, expired, 900 * DAY, 2500 * DAY))
        draw = r.random()
        if draw < 0.025:
            valid_thru = self.today + timedelta(days=between_ints(r, 0, 364))
        elif draw < 0.065:
            valid_thru = self.today - timedelta(days=between_ints(r, 1, 700))
        else:
            valid_thru = self.today + timedelta(days=between_ints(r, 366, 5 * 365))
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
            "detail": pick(self.rng, names.FLAG_DETAILS[kind.value]),
            "raised_at": raised,
            "resolved_at": resolved,
        }

    def _follow_ups(self, consumer_id: int, rows: ConsumerRows) -> None:
        """About one consumer in five has a follow-up, due from two months ago to three
        months ahead (the span of HealthSherpa's exports), raised 30 (SVI) or 90 days before."""
        r = self.follow_up_rng
        if r.random() >= FOLLOW_UP_SHARE:
            return
        kind = _FOLLOW_UP_KIND.pick(r)
        due = self.today + timedelta(days=between_ints(r, -60, 91))
        window = 30 if kind is FollowUpKind.SVI else 90
        raised = local_midnight(due - timedelta(days=window), self.zone)
        raised += timedelta(seconds=between_ints(r, 0, 9 * 3600))
        created = min(raised, self.as_of - timedelta(hours=1))
        status = (_PAST_STATUS if due < self.today else _FUTURE_STATUS).pick(r)
        changed, resolved = created, None
        if status is FollowUpStatus.EXPIRED:
            changed = resolved = min(local_midnight(due + timedelta(days=1), self.zone), self.as_of)
        elif status in (FollowUpStatus.CLEARED, FollowUpStatus.SUBMITTED):
            changed = created + timedelta(
                seconds=below(r, max(int((self.as_of - created).total_seconds()), 1))
            )
            resolved = changed if status is FollowUpStatus.CLEARED else None
        follow_up_id = self._id("follow_ups")
        rows.follow_ups.append(
            {
                "id": follow_up_id,
                "consumer_id": consumer_id,
                "kind": kind,
                "needed": pick(r, _NEEDED[kind]),
                "due_on": due,
                "status": status,
                "source": _FOLLOW_UP_SOURCE.pick(r),
                "external_ref": f"seed-{follow_up_id}",
                "created_at": created,
                "status_changed_at": changed,
                "resolved_at": resolved,
            }
        )
