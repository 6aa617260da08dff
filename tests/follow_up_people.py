"""A book with follow-ups for the `/bob followups` and follow-up export tests.

Sunrise: Ana (Agent Level 1) holds consumers with a DMI overdue, an SVI due in 3 days, a
document due in 40 days, a DMI cleared and one long expired; Lee (Agent Level 2) one DMI due
in 10 days, on a consumer also pending with Ana; Ana lost one consumer ten days ago (with a
DMI still open) and another in 2020. Max manages Sunrise. Moonrise: Omar (manager) and Olga
(agent) with one DMI due tomorrow. Today is Monday 2026-11-23 in Los Angeles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from store.models import Delegation, DelegationStatus, FollowUp, Role
from store.models.follow_ups import FollowUpKind, FollowUpSource, FollowUpStatus
from tests.factories import Book

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
SLACK_IDS = {"ana": "U0ANA", "lee": "U0LEE", "max": "U0MAX", "omar": "U0OMAR", "olga": "U0OLGA"}
SECRET_NAME = "Zelda Quintero"

_refs = count(1)


def follow_up(
    sessions: sessionmaker[Session],
    consumer_id: int,
    kind: FollowUpKind,
    due_on: date,
    status: FollowUpStatus = FollowUpStatus.OPEN,
    needed: str = "Proof of income",
) -> int:
    """Insert one follow-up row directly, as an importer would leave it."""
    with sessions() as session, session.begin():
        row = FollowUp(
            consumer_id=consumer_id,
            kind=kind,
            needed=needed,
            due_on=due_on,
            status=status,
            source=FollowUpSource.HEALTHSHERPA,
            external_ref=f"HS-{next(_refs)}",
            created_at=NOW - timedelta(days=60),
            resolved_at=NOW - timedelta(days=1)
            if status not in (FollowUpStatus.OPEN, FollowUpStatus.SUBMITTED)
            else None,
        )
        session.add(row)
        session.flush()
        return row.id


@dataclass(frozen=True)
class FollowUpBook:
    ids: dict[str, int]
    consumers: dict[str, int]


def build_follow_up_book(book: Book, sessions: sessionmaker[Session]) -> FollowUpBook:
    sunrise = book.agency()
    moonrise = book.agency(code="moonrise", name="Moonrise Insurance")
    ids = {
        "ana": book.enroller(
            sunrise, "Ana", "Agent", license_number="0A11111", slack_user_id=SLACK_IDS["ana"]
        ),
        "lee": book.enroller(
            sunrise,
            "Lee",
            "Levelto",
            role=Role.AGENT_L2,
            license_number="0A22222",
            slack_user_id=SLACK_IDS["lee"],
        ),
        "max": book.enroller(
            sunrise,
            "Max",
            "Manager",
            role=Role.AGENCY_MANAGER,
            license_number="0A33333",
            slack_user_id=SLACK_IDS["max"],
        ),
        "omar": book.enroller(
            moonrise,
            "Omar",
            "Other",
            role=Role.AGENCY_MANAGER,
            license_number="0B11111",
            slack_user_id=SLACK_IDS["omar"],
        ),
        "olga": book.enroller(
            moonrise,
            "Olga",
            "Otherlevel",
            role=Role.AGENT_L2,
            license_number="0B22222",
            slack_user_id=SLACK_IDS["olga"],
        ),
    }
    first, last = SECRET_NAME.split()
    zelda = book.consumer(ids["ana"], case_number="CASE-ZELDA", first_name=first, last_name=last)
    soon = book.consumer(ids["ana"], case_number="CASE-SOON")
    shared = book.consumer(ids["lee"], case_number="CASE-SHARED")
    book.delegate(shared, ids["ana"], DelegationStatus.PENDING)
    gone = book.consumer(ids["ana"], DelegationStatus.REMOVED, case_number="CASE-GONE")
    removed = NOW - timedelta(days=10)
    with sessions() as session, session.begin():
        session.execute(
            update(Delegation)
            .where(Delegation.consumer_id == gone)
            .values(status_changed_at=removed, removed_at=removed)
        )
    book.consumer(ids["ana"], DelegationStatus.REMOVED, case_number="CASE-LONG-GONE")
    moon = book.consumer(ids["olga"], case_number="CASE-MOON")
    follow_up(sessions, zelda, FollowUpKind.DMI, TODAY - timedelta(days=2))
    follow_up(
        sessions,
        soon,
        FollowUpKind.SVI,
        TODAY + timedelta(days=3),
        FollowUpStatus.SUBMITTED,
        "SEP eligibility",
    )
    follow_up(sessions, soon, FollowUpKind.DOCUMENT, TODAY + timedelta(days=40), needed="Citizenship")
    follow_up(sessions, zelda, FollowUpKind.DMI, TODAY + timedelta(days=5), FollowUpStatus.CLEARED)
    follow_up(sessions, zelda, FollowUpKind.SVI, TODAY - timedelta(days=90), FollowUpStatus.EXPIRED)
    follow_up(sessions, shared, FollowUpKind.DMI, TODAY + timedelta(days=10), needed="Immigration status")
    follow_up(sessions, gone, FollowUpKind.DMI, TODAY + timedelta(days=4))
    follow_up(sessions, moon, FollowUpKind.DMI, TODAY + timedelta(days=1))
    consumers = {"zelda": zelda, "soon": soon, "shared": shared, "gone": gone, "moon": moon}
    return FollowUpBook(ids, consumers)
