"""The database queues every entity whose tracked state is written, whoever writes it, so a
sync of the whole book reads the few entities written since instead of the whole book, and
still misses no change made outside bob's own writers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text, update

from store.history import record_history
from store.models import (
    Delegation,
    DelegationStatus,
    Enroller,
    EnrollerPeriod,
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    HistoryChange,
)

PAID = datetime(2026, 3, 4, 17, tzinfo=UTC)
# A writer that does not sync the history: raw SQL, as an operator might.
RAW_ENROLLMENT = text(
    "INSERT INTO enrollments (consumer_id, plan_year, program, coverage, status, "
    "binder_paid, status_changed_at, binder_changed_at, created_at) VALUES "
    "(:c, 2026, 'Covered California', 'health', 'pending', false, :at, :at, :at)"
)


def queued(sessions) -> list[tuple[str, int]]:
    with sessions() as s:
        return sorted(
            (row.kind, row.entity_id)
            for row in s.execute(select(HistoryChange.kind, HistoryChange.entity_id))
        )


def test_inserts_are_queued_and_a_sync_takes_the_queue(book, sessions):
    sunrise = book.agency()
    ana = book.enroller(sunrise, "Ana", "Agent")
    consumer = book.consumer(ana)  # the factory syncs as it goes: nothing is left queued
    assert queued(sessions) == []
    with sessions.begin() as s:  # a writer that does not sync: raw SQL, as an operator might
        s.execute(
            RAW_ENROLLMENT,
            {"c": consumer, "at": PAID},
        )
    (kind, enrollment), *more = queued(sessions)
    assert (kind, more) == ("enrollments", [])
    with sessions.begin() as s:
        assert record_history(s) == 1
    assert queued(sessions) == []
    with sessions() as s:
        period = s.execute(select(EnrollmentPeriod).where(EnrollmentPeriod.enrollment_id == enrollment))
        assert [(p.status, p.binder_paid) for p in period.scalars()] == [(EnrollmentStatus.PENDING, False)]


def test_a_state_change_is_queued_and_an_update_that_changes_no_state_is_not(book, sessions):
    sunrise = book.agency()
    ana = book.enroller(sunrise, "Ana", "Agent")
    consumer = book.consumer(ana)
    enrollment = book.enrollment(consumer, EnrollmentStatus.PENDING, binder_paid=False)
    with sessions.begin() as s:
        s.execute(update(Enrollment).where(Enrollment.id == enrollment).values(plan_name="Gold 80"))
        s.execute(update(Enrollment).where(Enrollment.id == enrollment).values(binder_paid=False))
        s.execute(update(Enroller).where(Enroller.id == ana).values(first_name="Anna"))
    assert queued(sessions) == []
    with sessions.begin() as s:
        s.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment)
            .values(binder_paid=True, binder_changed_at=PAID)
        )
        s.execute(update(Enroller).where(Enroller.id == ana).values(active=False, active_changed_at=PAID))
        s.execute(
            update(Delegation)
            .where(Delegation.consumer_id == consumer)
            .values(status=DelegationStatus.REMOVED, status_changed_at=PAID)
        )
    assert [kind for kind, _ in queued(sessions)] == ["delegations", "enrollers", "enrollments"]
    with sessions.begin() as s:
        assert record_history(s) == 3
        assert record_history(s) == 0
    with sessions() as s:
        open_binder = select(EnrollmentPeriod.binder_paid).where(
            EnrollmentPeriod.enrollment_id == enrollment, EnrollmentPeriod.valid_to.is_(None)
        )
        assert s.scalar(open_binder) is True
        open_active = select(EnrollerPeriod.active).where(
            EnrollerPeriod.enroller_id == ana, EnrollerPeriod.valid_to.is_(None)
        )
        assert s.scalar(open_active) is False


def test_a_sync_rolled_back_leaves_the_queue_as_it_was(book, sessions):
    sunrise = book.agency()
    ana = book.enroller(sunrise, "Ana", "Agent")
    enrollment = book.enrollment(book.consumer(ana), EnrollmentStatus.PENDING, binder_paid=False)
    with sessions.begin() as s:
        s.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment)
            .values(status=EnrollmentStatus.EFFECTUATED, status_changed_at=PAID)
        )
    with sessions() as s:
        assert record_history(s) == 1
        s.rollback()
    assert queued(sessions) == [("enrollments", enrollment)]
    with sessions.begin() as s:
        assert record_history(s) == 1
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(HistoryChange)) == 0


def test_every_tracked_table_keeps_its_two_triggers_after_the_last_migration(engine):
    """A SQLite batch migration rebuilds a table and drops its triggers without a word: a
    later migration that alters one of these tables must create them again, or the queue
    would silently stop filling."""
    if engine.dialect.name == "postgresql":
        names = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        names = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with engine.connect() as conn:
        found = set(conn.scalars(text(names)))
    expected = {
        f"{table}_history_{when}"
        for table in ("enrollments", "delegations", "enrollers")
        for when in ("added", "changed")
    }
    assert expected <= found


def test_a_queue_larger_than_a_batch_is_taken_batch_by_batch(book, sessions, monkeypatch):
    import store.history

    monkeypatch.setattr(store.history, "_BATCH", 2)
    sunrise = book.agency()
    ana = book.enroller(sunrise, "Ana", "Agent")
    consumer = book.consumer(ana)
    with sessions.begin() as s:
        for _ in range(5):
            s.execute(
                RAW_ENROLLMENT,
                {"c": consumer, "at": PAID},
            )
    assert len(queued(sessions)) == 5
    with sessions.begin() as s:
        assert record_history(s) == 5
    assert queued(sessions) == []
