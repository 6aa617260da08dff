"""The run ledger as an operator reads it: each job's runs, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Agency, JobRun


@dataclass(frozen=True)
class RunEntry:
    """One row of `bob runs`: an agency's Daily Summary of one business date (``agency`` is
    None for a run from before runs were per agency, which covered every agency), a purge, or
    `bob serve`'s first start. ``ran_by`` is the process that last held the claim."""

    id: int
    job: str
    run_key: str
    agency: str | None
    state: str
    started_at: datetime
    finished_at: datetime | None
    digests: int | None
    attempts: int
    ran_by: str
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def recent_runs(session: Session, limit: int, job: str | None = None) -> list[RunEntry]:
    query = (
        select(JobRun, Agency.name)
        .outerjoin(Agency, Agency.id == JobRun.agency_id)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(limit)
    )
    if job:
        query = query.where(JobRun.job == job)
    return [
        RunEntry(
            run.id,
            run.job,
            run.run_key,
            agency,
            run.status.value,
            run.started_at,
            run.finished_at,
            (run.stats or {}).get("digests"),
            run.attempts,
            run.claimed_by,
            run.error,
        )
        for run, agency in session.execute(query)
    ]
