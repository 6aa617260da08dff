"""Reading CRW cases: the actor's tiles, the agency's activity, case lists and one case.

Lists hold no consumer PII; one case shows the consumer's contact details to its assignee
only. Reads change nothing; a refused read is audited (see :func:`rules.access.act`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from rules.access import AGENTS, Action, require
from rules.casework.crw_reach import CrwRefused, managers_only, reachable_case, run_crw_action
from rules.casework.crw_rows import (
    CrwCaseDetail,
    CrwCaseRow,
    EnrollerActivity,
    age_days,
    case_row,
    case_rows_query,
)
from rules.crw import RISK_LABELS, CrwTiles, crw_tiles
from store.models import Consumer, CrwCase, CrwNote, CrwStatus, Enroller
from store.models.people import display_name

LIST_LIMIT = 50


def my_tiles(sessions: sessionmaker[Session], actor_id: int, now: datetime) -> CrwTiles:
    """The actor's own tiles: open, open by priority, aging, by reason, average resolution."""

    def work(session: Session, actor: Enroller) -> CrwTiles:
        return crw_tiles(session, now, "enroller", [actor.id]).get(actor.id, CrwTiles())

    return run_crw_action(sessions, "crw.tiles", "own", actor_id, now, work)


def agency_overview(
    sessions: sessionmaker[Session], actor_id: int, now: datetime
) -> tuple[CrwTiles, list[EnrollerActivity]]:
    """The agency's tiles and one activity line per enroller (managers only)."""

    def work(session: Session, actor: Enroller) -> tuple[CrwTiles, list[EnrollerActivity]]:
        require(actor, Action.WORK_AGENCY_CRW_CASES, managers_only("see the agency's CRW activity"))
        tiles = crw_tiles(session, now, "agency", [actor.agency_id]).get(actor.agency_id, CrwTiles())
        return tiles, enroller_activity(session, actor.agency_id, now)

    return run_crw_action(sessions, "crw.agency", "agency", actor_id, now, work)


def enroller_activity(session: Session, agency_id: int, now: datetime) -> list[EnrollerActivity]:
    """Every enroller of the agency who holds CRW cases or is an active agent, busiest first.

    The agency's enrollers are read once, their tiles come from one grouped query set, and
    notes written are one grouped count, so the cost does not grow with the number of cases.
    """
    has_cases = select(CrwCase.id).where(CrwCase.assigned_enroller_id == Enroller.id).exists()
    people = session.execute(
        select(Enroller.id, Enroller.first_name, Enroller.last_name, Enroller.license_number)
        .where(Enroller.agency_id == agency_id)
        .where(or_(has_cases, Enroller.active.is_(True) & Enroller.role.in_(AGENTS)))
    ).all()
    tiles = crw_tiles(session, now, "enroller", [person.id for person in people])
    notes = dict(
        session.execute(  # type: ignore[arg-type]
            select(CrwNote.author_id, func.count())
            .join(Enroller, Enroller.id == CrwNote.author_id)
            .where(Enroller.agency_id == agency_id, CrwNote.at <= now)
            .group_by(CrwNote.author_id)
        ).all()
    )
    lines = []
    for person in people:
        tile = tiles.get(person.id, CrwTiles())
        lines.append(
            EnrollerActivity(
                display_name(person.first_name, person.last_name, person.license_number),
                tile.open_cases,
                tile.closed_cases,
                tile.average_resolution_days,
                notes.get(person.id, 0),
            )
        )
    lines.sort(key=lambda line: (-line.open_cases, -line.closed_cases, line.enroller))
    return lines


def _filtered(
    query: Select[Any], now: datetime, risk: int | None, aging_days: int | None, include_closed: bool
) -> Select[Any]:
    if risk is not None:
        query = query.where(CrwCase.risk == risk)
    if aging_days is not None:
        return query.where(
            CrwCase.status != CrwStatus.CLOSED, CrwCase.opened_at <= now - timedelta(days=aging_days)
        )
    if not include_closed:
        return query.where(CrwCase.status != CrwStatus.CLOSED)
    return query


def list_cases(
    sessions: sessionmaker[Session],
    actor_id: int,
    now: datetime,
    *,
    risk: int | None = None,
    aging_days: int | None = None,
    include_closed: bool = False,
    agency: bool = False,
    offset: int = 0,
    limit: int = LIST_LIMIT,
) -> list[CrwCaseRow]:
    """The actor's cases (or, for a manager with ``agency``, the agency's), riskiest and
    oldest first, at most ``limit`` (50) after skipping ``offset`` (a page of a list).
    ``aging_days=N`` keeps open cases at least N days old."""
    if risk is not None and risk not in RISK_LABELS:
        raise CrwRefused("risk must be a number from 1 (Very Low) to 5 (Very High)", "bad_filter")
    if aging_days is not None and aging_days < 0:
        raise CrwRefused("aging must be a number of days, 0 or more", "bad_filter")

    def work(session: Session, actor: Enroller) -> list[CrwCaseRow]:
        query = case_rows_query(now).offset(offset).limit(min(limit, LIST_LIMIT))
        if agency:
            require(actor, Action.WORK_AGENCY_CRW_CASES, managers_only("list every CRW case of the agency"))
            query = query.where(Enroller.agency_id == actor.agency_id)
        else:
            query = query.where(CrwCase.assigned_enroller_id == actor.id)
        query = _filtered(query, now, risk, aging_days, include_closed)
        return [case_row(row, now) for row in session.execute(query)]

    return run_crw_action(sessions, "crw.list", "agency" if agency else "own", actor_id, now, work)


def _contact(session: Session, crw_case: CrwCase) -> dict[str, str | None]:
    consumer = session.get_one(Consumer, crw_case.consumer_id)
    return {
        "name": f"{consumer.first_name} {consumer.last_name}",
        "phone": consumer.primary_phone,
        "email": consumer.email,
        "preferred_language": consumer.spoken_language or consumer.written_language,
    }


def _notes(session: Session, crw_case: CrwCase) -> list[dict[str, Any]]:
    """The case's notes, newest first, each with its author's name and license."""
    author = aliased(Enroller)
    return [
        {"at": at, "author": display_name(first, last, license_number), "text": text}
        for at, first, last, license_number, text in session.execute(
            select(CrwNote.at, author.first_name, author.last_name, author.license_number, CrwNote.text)
            .join(author, author.id == CrwNote.author_id)
            .where(CrwNote.crw_case_id == crw_case.id)
            .order_by(CrwNote.at.desc(), CrwNote.id.desc())
        )
    ]


def show_case(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, now: datetime
) -> CrwCaseDetail:
    """One case with its notes; the consumer's contact details only for the assignee."""

    def work(session: Session, actor: Enroller) -> CrwCaseDetail:
        crw_case = reachable_case(session, actor, case_number)
        assignee = session.get_one(Enroller, crw_case.assigned_enroller_id)
        mine = crw_case.assigned_enroller_id == actor.id
        return CrwCaseDetail(
            crw_case.case_number,
            crw_case.risk,
            RISK_LABELS[crw_case.risk],
            crw_case.reason,
            str(crw_case.status),
            age_days(crw_case.opened_at, crw_case.closed_at, now),
            assignee.display_name,
            crw_case.plan_year,
            crw_case.opened_at,
            crw_case.closed_at,
            crw_case.resolution_reason,
            crw_case.resolution_steps,
            _contact(session, crw_case) if mine else None,
            _notes(session, crw_case),
        )

    return run_crw_action(sessions, "crw.show", case_number, actor_id, now, work)
