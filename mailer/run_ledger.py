"""The run ledger: claim a (job, run key), or a (job, run key, agency), by INSERT before doing
the work.

Exactly one process wins a claim. A claim whose lease ran out (its process died) can be
taken over; a finished run is never run again. The work itself must be idempotent, so a
takeover after a crash redoes only what was not yet committed.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import column, exists, func, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.db import insert_ignoring_duplicates
from store.models import JobRun, RunStatus, utcnow
from store.workers import worker_id

# The row that remembers when `bob serve` first started on this database.
SERVE_JOB, FIRST_START = "serve", "first_start"


def _died_here(holder: str) -> bool:
    """True when ``holder`` was a process on this host that no longer exists: its claim can
    be taken over at once instead of waiting for the lease to run out."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def finished(factory: sessionmaker[Session], job: str, run_key: str) -> bool:
    """Whether the run is done for the whole deployment: its agency-less row is done (a run
    from before per-agency runs), or every agency's row is. A done run is never claimed again,
    so a caller can answer at once. One read of the tables' columns: it loads no other model,
    configures no mapper and flushes nothing (a claim that loses costs an INSERT, its rollback
    and an UPDATE, after the ORM has imported and configured every model)."""
    runs, agencies = JobRun.__table__, table("agencies", column("id"))
    done = (runs.c.job == job) & (runs.c.run_key == run_key) & (runs.c.status == RunStatus.DONE)
    whole = exists().where(done, runs.c.agency_id.is_(None))
    undone = exists().where(
        agencies.c.id.not_in(select(runs.c.agency_id).where(done, runs.c.agency_id.is_not(None)))
    )
    with factory() as session:
        return bool(session.scalar(select(whole | (exists().select_from(agencies) & ~undone))))


def claim(
    factory: sessionmaker[Session], job: str, run_key: str, lease: timedelta, now: datetime | None = None
) -> JobRun | None:
    """Claim the run done once for the whole deployment (no agency); returns its row, or None
    when it is done or another live process holds it."""
    now = now or utcnow()
    me = worker_id()
    whole = (JobRun.job == job) & (JobRun.run_key == run_key) & JobRun.agency_id.is_(None)
    try:
        with factory() as session, session.begin():
            run = JobRun(
                job=job,
                run_key=run_key,
                status=RunStatus.RUNNING,
                claimed_by=me,
                lease_until=now + lease,
                started_at=now,
                stats={},
            )
            session.add(run)
        return run
    except IntegrityError:
        pass
    with factory() as session, session.begin():
        holder = session.scalar(select(JobRun.claimed_by).where(whole))
        stale = (JobRun.lease_until < now) | (JobRun.status == RunStatus.FAILED)
        if holder and _died_here(holder):
            stale = stale | (JobRun.claimed_by == holder)
        taken = session.execute(
            update(JobRun)
            .where(whole, JobRun.status != RunStatus.DONE, stale)
            .values(
                claimed_by=me,
                lease_until=now + lease,
                status=RunStatus.RUNNING,
                attempts=JobRun.attempts + 1,
                error=None,
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.scalars(select(JobRun).where(whole)).one()


def claim_agencies(
    factory: sessionmaker[Session],
    job: str,
    run_key: str,
    agency_ids: Collection[int],
    lease: timedelta,
    now: datetime | None = None,
) -> list[JobRun]:
    """Claim the run of each of ``agency_ids`` in two statements; returns the rows won, which
    leave out agencies whose run is done or held by another live process. A row without an
    agency (a run from before runs were per agency) is every agency's run while it is done
    or its lease lasts."""
    now = now or utcnow()
    me = worker_id()
    wanted = sorted(set(agency_ids))
    if not wanted:
        return []
    mine = (JobRun.job == job) & (JobRun.run_key == run_key)
    with factory() as session, session.begin():
        live = (JobRun.status == RunStatus.RUNNING) & (JobRun.lease_until >= now)
        whole = mine & JobRun.agency_id.is_(None) & ((JobRun.status == RunStatus.DONE) | live)
        if session.scalar(select(JobRun.id).where(whole)):
            return []
        rows = [
            {
                "job": job,
                "run_key": run_key,
                "agency_id": agency_id,
                "status": RunStatus.RUNNING,
                "claimed_by": me,
                "lease_until": now + lease,
                "attempts": 1,
                "started_at": now,
                "stats": {},
            }
            for agency_id in wanted
        ]
        insert = insert_ignoring_duplicates(session, JobRun).values(rows).on_conflict_do_nothing()
        won = set(session.scalars(insert.returning(JobRun.id)))
    with factory() as session, session.begin():
        others = (
            mine & JobRun.agency_id.in_(wanted) & (JobRun.status != RunStatus.DONE) & JobRun.id.not_in(won)
        )
        holders = set(session.scalars(select(JobRun.claimed_by).where(others).distinct()))
        stale = (JobRun.lease_until < now) | (JobRun.status == RunStatus.FAILED)
        dead = [holder for holder in holders if _died_here(holder)]
        if dead:
            stale = stale | JobRun.claimed_by.in_(dead)
        taken = (
            update(JobRun)
            .where(others, stale)
            .values(
                claimed_by=me,
                lease_until=now + lease,
                status=RunStatus.RUNNING,
                attempts=JobRun.attempts + 1,
                error=None,
            )
            .returning(JobRun.id)
        )
        won |= set(session.scalars(taken))
        return list(session.scalars(select(JobRun).where(JobRun.id.in_(won)).order_by(JobRun.agency_id)))


def save_progress(session: Session, run: JobRun, stats: dict[str, Any], lease: timedelta) -> None:
    """Record how far the run got and extend its lease, in the transaction of the work done."""
    session.execute(
        update(JobRun).where(JobRun.id == run.id).values(stats=dict(stats), lease_until=utcnow() + lease)
    )


def extend_leases(session: Session, runs: Collection[JobRun], lease: timedelta) -> None:
    """Keep ``runs`` claimed for another ``lease``, in the transaction of the work done."""
    session.execute(
        update(JobRun).where(JobRun.id.in_([run.id for run in runs])).values(lease_until=utcnow() + lease)
    )


def finish(
    factory: sessionmaker[Session], run: JobRun, stats: dict[str, Any], error: str | None = None
) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(JobRun)
            .where(JobRun.id == run.id)
            .values(
                status=RunStatus.FAILED if error else RunStatus.DONE,
                finished_at=utcnow(),
                stats=stats,
                error=error[:500] if error else None,
            )
        )


def record_first_start(factory: sessionmaker[Session], now: datetime) -> None:
    """Note ``now`` as the first time `bob serve` started on this database; later starts keep
    the first one."""
    row = {
        "job": SERVE_JOB,
        "run_key": FIRST_START,
        "status": RunStatus.DONE,
        "claimed_by": worker_id(),
        "lease_until": now,
        "attempts": 1,
        "started_at": now,
        "finished_at": now,
        "stats": {},
    }
    with factory() as session, session.begin():
        session.execute(insert_ignoring_duplicates(session, JobRun).on_conflict_do_nothing(), [row])


def first_recorded(factory: sessionmaker[Session], job: str) -> datetime | None:
    """When this database first saw ``job`` run or `bob serve` start, whichever came first."""
    with factory() as session:
        return session.scalar(select(func.min(JobRun.started_at)).where(JobRun.job.in_((job, SERVE_JOB))))
