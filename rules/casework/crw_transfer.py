"""Transferring a CRW case: a manager moves it to an active Agent Level 2 of the same agency.

The transfer and every refusal are audited (case number and enroller ids, no PII); the
result names the new assignee so the caller can tell them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, audit, may, require, roles_allowed
from rules.casework.crw_reach import CrwRefused, managers_only, reachable_case, run_crw_action
from rules.people import enrollers_named
from store.models import CrwCase, CrwStatus, Enroller


@dataclass(frozen=True)
class TransferResult:
    case_number: str
    from_enroller: str
    to_enroller: str
    to_enroller_id: int
    to_slack_user_id: str | None


def _transfer_target(session: Session, actor: Enroller, to: str) -> Enroller:
    """The one enroller of the actor's agency named ``to`` (full name or license number)."""
    wanted = " ".join(to.split())
    matches = enrollers_named(session, wanted)
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
    if not may(target, Action.RECEIVE_CRW_CASE):
        raise CrwRefused(
            f"{target.display_name} is not an Agent Level 2; CRW cases can only be "
            "transferred to an Agent Level 2 of your agency",
            "not_level_2",
        )
    return target


def _transferable_case(session: Session, actor: Enroller, case_number: str) -> CrwCase:
    require(actor, Action.TRANSFER_CRW_CASE, managers_only("transfer CRW cases"))
    crw_case = reachable_case(session, actor, case_number)
    if crw_case.status == CrwStatus.CLOSED:
        raise CrwRefused(
            f"CRW case {crw_case.case_number} is closed; it cannot be transferred", "case_closed"
        )
    return crw_case


def transfer_case(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, to: str, now: datetime
) -> TransferResult:
    """Move a case to another active Agent Level 2 of the same agency (managers only)."""

    def work(session: Session, actor: Enroller) -> TransferResult:
        crw_case = _transferable_case(session, actor, case_number)
        target = _transfer_target(session, actor, to)
        if target.id == crw_case.assigned_enroller_id:
            raise CrwRefused(
                f"CRW case {crw_case.case_number} is already assigned to {target.display_name}",
                "same_assignee",
            )
        previous = session.get_one(Enroller, crw_case.assigned_enroller_id)
        session.execute(
            update(CrwCase)
            .where(CrwCase.id == crw_case.id)
            .values(assigned_enroller_id=target.id, assigned_at=now)
        )
        moved = {"reason": "transferred", "from_enroller_id": previous.id, "to_enroller_id": target.id}
        audit(session, actor, "crw.transfer", crw_case.case_number, "ok", now, moved)
        return TransferResult(
            crw_case.case_number, previous.display_name, target.display_name, target.id, target.slack_user_id
        )

    return run_crw_action(sessions, "crw.transfer", case_number, actor_id, now, work)


@dataclass(frozen=True)
class TransferChoice:
    license_number: str
    name: str


def transfer_choices(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, now: datetime
) -> list[TransferChoice]:
    """Who a manager may move the case to: the active Agent Level 2s of their agency but its
    assignee (the transfer form's list). Refused, and audited, as a transfer would be."""

    def work(session: Session, actor: Enroller) -> list[TransferChoice]:
        crw_case = _transferable_case(session, actor, case_number)
        eligible = session.scalars(
            select(Enroller)
            .where(
                Enroller.agency_id == actor.agency_id,
                Enroller.active.is_(True),
                Enroller.role.in_(roles_allowed(Action.RECEIVE_CRW_CASE)),
                Enroller.id != crw_case.assigned_enroller_id,
            )
            .order_by(Enroller.last_name, Enroller.first_name, Enroller.id)
        )
        return [TransferChoice(e.license_number, e.display_name) for e in eligible]

    return run_crw_action(sessions, "crw.transfer", case_number, actor_id, now, work)
