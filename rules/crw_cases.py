"""Consumer Retention Workspace actions: tiles, case lists, notes, closing and transfers.

Who may do what (as in the Enroller Portal):
- an enroller works the CRW cases assigned to them: sees the consumer's contact details,
  documents interactions, closes a case with a resolution reason and the steps taken;
- an Agency Manager, Primary Contact or Admin Staff Level 2 sees every case and every
  enroller's activity in their agency, and transfers a case to an active Agent Level 2 of
  the same agency; they never see consumer contact details of a case that is not theirs.

A case outside the actor's reach is answered exactly like a case that does not exist, so the
replies cannot be used to probe other agencies. Every note, close and transfer, and every
refusal that touched authorization, is written to the audit log with a reason code (no PII).
Each function is one transaction; refusals are checked before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from rules.crw import RISK_LABELS, CrwTiles, crw_tiles
from store.db import transaction
from store.errors import Refused
from store.models import AuditEntry, Consumer, CrwCase, CrwNote, CrwStatus, Enroller, Role

RESOLUTION_REASONS: tuple[str, ...] = (
    "Renewed - same plan",
    "Renewed - new plan",
    "Moved to Medi-Cal",
    "Obtained other coverage",
    "Moved out of state",
    "Consumer declined",
    "Unable to contact",
    "Other",
)
MANAGER_ROLES = frozenset({Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT, Role.ADMIN_L2})
LIST_LIMIT = 50
NOTE_LIMIT = 4000


class CrwRefused(Refused):
    """The CRW action is not allowed or not possible."""


@dataclass(frozen=True)
class CrwCaseRow:
    """One case as a list shows it: safe for channels, no consumer PII."""

    case_number: str
    risk: int
    risk_label: str
    reason: str
    status: str
    age_days: int
    assignee: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_number": self.case_number,
            "risk": self.risk,
            "risk_label": self.risk_label,
            "reason": self.reason,
            "status": self.status,
            "age_days": self.age_days,
            "assignee": self.assignee,
        }


@dataclass(frozen=True)
class CrwCaseDetail(CrwCaseRow):
    """One case in full; ``contact`` is filled only for the assigned enroller."""

    plan_year: int
    opened_at: datetime
    closed_at: datetime | None
    resolution_reason: str | None
    resolution_steps: str | None
    contact: dict[str, str | None] | None
    notes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "plan_year": self.plan_year,
            "opened_at": self.opened_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "resolution_reason": self.resolution_reason,
            "resolution_steps": self.resolution_steps,
            "contact": self.contact,
            "notes": [{**note, "at": note["at"].isoformat()} for note in self.notes],
        }


@dataclass(frozen=True)
class EnrollerActivity:
    """One line of the manager's agency view."""

    enroller: str
    open_cases: int
    closed_cases: int
    average_resolution_days: float | None
    notes_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "enroller": self.enroller,
            "open_cases": self.open_cases,
            "closed_cases": self.closed_cases,
            "average_resolution_days": self.average_resolution_days,
            "notes_written": self.notes_written,
        }


@dataclass(frozen=True)
class TransferResult:
    case_number: str
    from_enroller: str
    to_enroller: str
    to_enroller_id: int
    to_slack_user_id: str | None


def display_name(first: str, last: str, license_number: str) -> str:
    return f"{first} {last} (License {license_number})"


def _age_days(opened_at: datetime, closed_at: datetime | None, now: datetime) -> int:
    """Whole days open: until closing for a closed case, until ``now`` otherwise."""
    return max(0, ((closed_at or now) - opened_at).days)


def _audit(
    session: Session,
    actor: Enroller | None,
    action: str,
    target: str,
    outcome: str,
    reason: str,
    at: datetime,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_slack_id=actor.slack_user_id if actor else None,
            action=action,
            target=target[:120],
            outcome=outcome,
            detail={"reason": reason},
            at=at,
        )
    )


def _refuse(
    session: Session, actor: Enroller | None, action: str, target: str, refusal: CrwRefused, at: datetime
) -> CrwRefused:
    """Audit the refusal in the current transaction; the caller raises it after commit."""
    _audit(session, actor, action, target, "refused", refusal.reason, at)
    return refusal


def _is_manager(actor: Enroller) -> bool:
    return actor.role in MANAGER_ROLES


def _actor(session: Session, actor_id: int) -> Enroller | None:
    actor = session.get(Enroller, actor_id)
    return actor if actor is not None and actor.active else None


def _not_linked() -> CrwRefused:
    return CrwRefused("you are not an active enroller; link your account first", "unknown_actor")


def _unknown_case(case_number: str) -> CrwRefused:
    return CrwRefused(
        f"no CRW case {case_number[:40]} in your book; check the number with `crw list`",
        "unknown_case",
    )


def _managers_only(what: str) -> CrwRefused:
    return CrwRefused(
        f"only an Agency Manager, Primary Contact or Admin Staff Level 2 can {what}",
        "not_manager",
    )


def _reachable_case(session: Session, actor: Enroller, case_number: str) -> CrwCase | None:
    """The case if the actor is its assignee or manages the assignee's agency, else None."""
    crw_case = session.scalars(select(CrwCase).where(CrwCase.case_number == case_number.strip())).first()
    if crw_case is None or crw_case.assigned_enroller_id == actor.id:
        return crw_case
    if not _is_manager(actor):
        return None
    assignee_agency = session.scalar(
        select(Enroller.agency_id).where(Enroller.id == crw_case.assigned_enroller_id)
    )
    return crw_case if assignee_agency == actor.agency_id else None


def _run(
    sessions: sessionmaker[Session], action: str, target: str, actor_id: int, now: datetime, work: Any
) -> Any:
    """Run ``work(session, actor)`` in one transaction; a CrwRefused it raises is audited and
    committed (nothing else was changed before the refusal) and then re-raised."""
    refusal: CrwRefused | None = None
    with transaction(sessions) as session:
        actor = _actor(session, actor_id)
        try:
            if actor is None:
                raise _not_linked()
            return work(session, actor)
        except CrwRefused as refused:
            refusal = _refuse(session, actor, action, target, refused, now)
    raise refusal


# --- tiles and lists ------------------------------------------------------------------------


def my_tiles(sessions: sessionmaker[Session], actor_id: int, now: datetime) -> CrwTiles:
    """The actor's own tiles: open, open by priority, aging, by reason, average resolution."""
    with sessions() as session:
        if _actor(session, actor_id) is None:
            raise _not_linked()
        return crw_tiles(session, now, "enroller", [actor_id]).get(actor_id, CrwTiles())


def agency_overview(
    sessions: sessionmaker[Session], actor_id: int, now: datetime
) -> tuple[CrwTiles, list[EnrollerActivity]]:
    """The agency's tiles and one activity line per enroller (managers only)."""

    def work(session: Session, actor: Enroller) -> tuple[CrwTiles, list[EnrollerActivity]]:
        if not _is_manager(actor):
            raise _managers_only("see the agency's CRW activity")
        tiles = crw_tiles(session, now, "agency", [actor.agency_id]).get(actor.agency_id, CrwTiles())
        return tiles, enroller_activity(session, actor.agency_id, now)

    result: tuple[CrwTiles, list[EnrollerActivity]] = _run(
        sessions, "crw.agency", "agency", actor_id, now, work
    )
    return result


def enroller_activity(session: Session, agency_id: int, now: datetime) -> list[EnrollerActivity]:
    """Every enroller of the agency who holds CRW cases or is an active agent, busiest first.

    The agency's enrollers are read once, their tiles come from one grouped query set, and
    notes written are one grouped count, so the cost does not grow with the number of cases.
    """
    has_cases = select(CrwCase.id).where(CrwCase.assigned_enroller_id == Enroller.id).exists()
    people = session.execute(
        select(Enroller.id, Enroller.first_name, Enroller.last_name, Enroller.license_number)
        .where(Enroller.agency_id == agency_id)
        .where(or_(has_cases, Enroller.active.is_(True) & Enroller.role.in_([Role.AGENT_L1, Role.AGENT_L2])))
    ).all()
    ids = [person.id for person in people]
    tiles = crw_tiles(session, now, "enroller", ids)
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


def case_rows_query(now: datetime) -> Select[*tuple[Any, ...]]:
    """Case number, risk, reason, status, times and assignee: every column a list shows."""
    return (
        select(
            CrwCase.case_number,
            CrwCase.risk,
            CrwCase.reason,
            CrwCase.status,
            CrwCase.opened_at,
            CrwCase.closed_at,
            Enroller.first_name,
            Enroller.last_name,
            Enroller.license_number,
        )
        .join(Enroller, Enroller.id == CrwCase.assigned_enroller_id)
        .where(CrwCase.opened_at <= now)
        .order_by(CrwCase.risk.desc(), CrwCase.opened_at, CrwCase.case_number)
    )


def case_row(row: Any, now: datetime) -> CrwCaseRow:
    return CrwCaseRow(
        row.case_number,
        row.risk,
        RISK_LABELS[row.risk],
        row.reason,
        str(row.status),
        _age_days(row.opened_at, row.closed_at, now),
        display_name(row.first_name, row.last_name, row.license_number),
    )


def list_cases(
    sessions: sessionmaker[Session],
    actor_id: int,
    now: datetime,
    *,
    risk: int | None = None,
    aging_days: int | None = None,
    include_closed: bool = False,
    agency: bool = False,
) -> list[CrwCaseRow]:
    """The actor's cases (or, for a manager with ``agency``, the agency's), riskiest and
    oldest first, at most 50. ``aging_days=N`` keeps open cases at least N days old."""
    if risk is not None and risk not in RISK_LABELS:
        raise CrwRefused("risk must be a number from 1 (Very Low) to 5 (Very High)", "bad_filter")
    if aging_days is not None and aging_days < 0:
        raise CrwRefused("aging must be a number of days, 0 or more", "bad_filter")

    def work(session: Session, actor: Enroller) -> list[CrwCaseRow]:
        query = case_rows_query(now).limit(LIST_LIMIT)
        if agency:
            if not _is_manager(actor):
                raise _managers_only("list every CRW case of the agency")
            query = query.where(Enroller.agency_id == actor.agency_id)
        else:
            query = query.where(CrwCase.assigned_enroller_id == actor.id)
        if risk is not None:
            query = query.where(CrwCase.risk == risk)
        if aging_days is not None:
            query = query.where(
                CrwCase.status != CrwStatus.CLOSED, CrwCase.opened_at <= now - timedelta(days=aging_days)
            )
        elif not include_closed:
            query = query.where(CrwCase.status != CrwStatus.CLOSED)
        return [case_row(row, now) for row in session.execute(query)]

    rows: list[CrwCaseRow] = _run(sessions, "crw.list", "agency" if agency else "own", actor_id, now, work)
    return rows


# --- one case -------------------------------------------------------------------------------


def show_case(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, now: datetime
) -> CrwCaseDetail:
    """One case with its notes; the consumer's contact details only for the assignee."""

    def work(session: Session, actor: Enroller) -> CrwCaseDetail:
        crw_case = _reachable_case(session, actor, case_number)
        if crw_case is None:
            raise _unknown_case(case_number)
        assignee = session.get(Enroller, crw_case.assigned_enroller_id)
        assert assignee is not None
        contact = None
        if crw_case.assigned_enroller_id == actor.id:
            consumer = session.get(Consumer, crw_case.consumer_id)
            assert consumer is not None
            contact = {
                "name": f"{consumer.first_name} {consumer.last_name}",
                "phone": consumer.primary_phone,
                "email": consumer.email,
                "preferred_language": consumer.spoken_language or consumer.written_language,
            }
        author = aliased(Enroller)
        notes = [
            {"at": at, "author": display_name(first, last, license_number), "text": text}
            for at, first, last, license_number, text in session.execute(
                select(CrwNote.at, author.first_name, author.last_name, author.license_number, CrwNote.text)
                .join(author, author.id == CrwNote.author_id)
                .where(CrwNote.crw_case_id == crw_case.id)
                .order_by(CrwNote.at.desc(), CrwNote.id.desc())
            )
        ]
        return CrwCaseDetail(
            crw_case.case_number,
            crw_case.risk,
            RISK_LABELS[crw_case.risk],
            crw_case.reason,
            str(crw_case.status),
            _age_days(crw_case.opened_at, crw_case.closed_at, now),
            assignee.display_name,
            crw_case.plan_year,
            crw_case.opened_at,
            crw_case.closed_at,
            crw_case.resolution_reason,
            crw_case.resolution_steps,
            contact,
            notes,
        )

    detail: CrwCaseDetail = _run(sessions, "crw.show", case_number, actor_id, now, work)
    return detail


def add_note(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, text: str, now: datetime
) -> None:
    """Document an interaction; the first note moves an open case to in progress."""
    text = text.strip()
    if not text:
        raise CrwRefused("write the note after the case number: `crw note <case> <text>`", "empty_note")
    if len(text) > NOTE_LIMIT:
        raise CrwRefused(f"a note holds at most {NOTE_LIMIT} characters", "note_too_long")

    def work(session: Session, actor: Enroller) -> None:
        crw_case = _reachable_case(session, actor, case_number)
        if crw_case is None:
            raise _unknown_case(case_number)
        if crw_case.status == CrwStatus.CLOSED:
            raise CrwRefused(
                f"CRW case {crw_case.case_number} is closed; notes go on open cases", "case_closed"
            )
        session.add(CrwNote(crw_case_id=crw_case.id, author_id=actor.id, at=now, text=text))
        session.execute(
            update(CrwCase)
            .where(CrwCase.id == crw_case.id, CrwCase.status == CrwStatus.OPEN)
            .values(status=CrwStatus.IN_PROGRESS)
        )
        _audit(session, actor, "crw.note", crw_case.case_number, "ok", "noted", now)

    _run(sessions, "crw.note", case_number, actor_id, now, work)


def match_resolution_reason(value: str) -> str | None:
    """The listed resolution reason ``value`` names (any letter case), or None."""
    wanted = " ".join(value.split()).casefold()
    return next((r for r in RESOLUTION_REASONS if r.casefold() == wanted), None)


def close_case(
    sessions: sessionmaker[Session],
    actor_id: int,
    case_number: str,
    resolution_reason: str,
    steps: str,
    now: datetime,
) -> None:
    """Close a case; the resolution reason (one of RESOLUTION_REASONS) and the steps taken
    are both required, as in the portal."""

    def work(session: Session, actor: Enroller) -> None:
        crw_case = _reachable_case(session, actor, case_number)
        if crw_case is None:
            raise _unknown_case(case_number)
        if crw_case.status == CrwStatus.CLOSED:
            raise CrwRefused(f"CRW case {crw_case.case_number} is closed already", "already_closed")
        reason = match_resolution_reason(resolution_reason or "")
        if reason is None or not (steps or "").strip():
            raise CrwRefused(
                "closing a case needs a resolution reason and the steps taken; reasons: "
                + "; ".join(RESOLUTION_REASONS),
                "missing_resolution",
            )
        session.execute(
            update(CrwCase)
            .where(CrwCase.id == crw_case.id)
            .values(
                status=CrwStatus.CLOSED,
                closed_at=now,
                resolution_reason=reason,
                resolution_steps=steps.strip(),
            )
        )
        _audit(session, actor, "crw.close", crw_case.case_number, "ok", "closed", now)

    _run(sessions, "crw.close", case_number, actor_id, now, work)


# --- transfers ------------------------------------------------------------------------------


def _transfer_target(session: Session, actor: Enroller, to: str) -> Enroller:
    """The one enroller of the actor's agency named ``to`` (full name or license number)."""
    wanted = " ".join(to.split())
    named = or_(
        func.lower(Enroller.license_number) == wanted.lower(),
        func.lower(Enroller.first_name + " " + Enroller.last_name) == wanted.lower(),
    )
    matches = session.scalars(select(Enroller).where(named)).all()
    mine = [m for m in matches if m.agency_id == actor.agency_id]
    if not mine:
        raise CrwRefused(
            f"no agent {wanted[:60]!r} in your agency; give the full name or license number "
            "of an Agent Level 2 of your agency",
            "other_agency" if matches else "unknown_agent",
        )
    if len(mine) > 1:
        raise CrwRefused(
            f"{len(mine)} people in your agency are named {wanted[:60]!r}; give the license number instead",
            "ambiguous_agent",
        )
    target = mine[0]
    if not target.active:
        raise CrwRefused(
            f"{target.display_name} is not active; choose an active Agent Level 2", "inactive_agent"
        )
    if target.role != Role.AGENT_L2:
        raise CrwRefused(
            f"{target.display_name} is not an Agent Level 2; CRW cases can only be "
            "transferred to an Agent Level 2 of your agency",
            "not_level_2",
        )
    return target


def transfer_case(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, to: str, now: datetime
) -> TransferResult:
    """Move a case to another active Agent Level 2 of the same agency (managers only)."""

    def work(session: Session, actor: Enroller) -> TransferResult:
        if not _is_manager(actor):
            raise _managers_only("transfer CRW cases")
        crw_case = _reachable_case(session, actor, case_number)
        if crw_case is None:
            raise _unknown_case(case_number)
        if crw_case.status == CrwStatus.CLOSED:
            raise CrwRefused(
                f"CRW case {crw_case.case_number} is closed; it cannot be transferred", "case_closed"
            )
        target = _transfer_target(session, actor, to)
        if target.id == crw_case.assigned_enroller_id:
            raise CrwRefused(
                f"CRW case {crw_case.case_number} is already assigned to {target.display_name}",
                "same_assignee",
            )
        previous = session.get(Enroller, crw_case.assigned_enroller_id)
        assert previous is not None
        session.execute(
            update(CrwCase)
            .where(CrwCase.id == crw_case.id)
            .values(assigned_enroller_id=target.id, assigned_at=now)
        )
        session.add(
            AuditEntry(
                actor_id=actor.id,
                actor_slack_id=actor.slack_user_id,
                action="crw.transfer",
                target=crw_case.case_number,
                outcome="ok",
                detail={
                    "reason": "transferred",
                    "from_enroller_id": previous.id,
                    "to_enroller_id": target.id,
                },
                at=now,
            )
        )
        return TransferResult(
            crw_case.case_number, previous.display_name, target.display_name, target.id, target.slack_user_id
        )

    result: TransferResult = _run(sessions, "crw.transfer", case_number, actor_id, now, work)
    return result
