"""Synthetic facts on a consumer's case: consents, notices of determination and open flags."""

from __future__ import annotations

from datetime import date, timedelta

from store import names
from store.models import FlagKind, NoticeKind
from store.seed_rows.draws import between_ints, pick
from store.seed_rows.maker import DAY, ConsumerRows, Row, RowMaker


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
