"""Which CRW cases an enroller can reach, and how a CRW action runs.

Who may do what (as in the Enroller Portal):
- an enroller works the CRW cases assigned to them: sees the consumer's contact details,
  documents interactions, closes a case with a resolution reason and the steps taken;
- an Agency Manager, Primary Contact or Admin Staff Level 2 sees every case and every
  enroller's activity in their agency, and transfers a case to an active Agent Level 2 of
  the same agency; they never see consumer contact details of a case that is not theirs.

A case outside the actor's reach is answered exactly like a case that does not exist, so the
replies cannot be used to probe other agencies. Every note, close and transfer, and every
refusal that touched authorization, is written to the audit log with a reason code (no PII).
Each action is one transaction; refusals are checked before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rules.access import Action, Attempt, act, may
from store.control_characters import has_control_character
from store.errors import Refused
from store.models import Consumer, CrwCase, Enroller

T = TypeVar("T")


class CrwRefused(Refused):
    """The CRW action is not allowed or not possible."""


def not_linked() -> CrwRefused:
    return CrwRefused("you are not an active enroller; link your account first", "unknown_actor")


def unknown_case(case_number: str) -> CrwRefused:
    return CrwRefused(
        f"no CRW case {case_number[:40]} in your book; check the number with `crw list`",
        "unknown_case",
    )


def managers_only(what: str) -> CrwRefused:
    return CrwRefused(
        f"only an Agency Manager, Primary Contact or Admin Staff Level 2 can {what}",
        "not_manager",
    )


def find_case(session: Session, number: str) -> CrwCase | None:
    """The CRW case with this number in any letter case (``crw-7000000567``), or else the
    newest CRW case of the consumer with this case number: the bare number digests print
    in their alerts (``7000000567``)."""
    typed = number.strip()
    if has_control_character(typed):  # no case number holds one (PostgreSQL refuses a NUL)
        return None
    spellings = {typed, typed.upper()}
    crw_case = session.scalars(select(CrwCase).where(CrwCase.case_number.in_(spellings))).first()
    if crw_case is not None:
        return crw_case
    of_consumer = (
        select(CrwCase)
        .join(Consumer, Consumer.id == CrwCase.consumer_id)
        .where(Consumer.case_number.in_(spellings))
        .order_by(CrwCase.plan_year.desc(), CrwCase.id.desc())
    )
    return session.scalars(of_consumer).first()


def reachable_case(session: Session, actor: Enroller, case_number: str) -> CrwCase:
    """The case if the actor is its assignee or may work the assignee's agency's cases;
    otherwise the refusal a case that does not exist gets."""
    crw_case = find_case(session, case_number)
    if crw_case is None:
        raise unknown_case(case_number)
    if crw_case.assigned_enroller_id == actor.id:
        return crw_case
    assignee_agency = session.scalar(
        select(Enroller.agency_id).where(Enroller.id == crw_case.assigned_enroller_id)
    )
    if not may(actor, Action.WORK_AGENCY_CRW_CASES) or assignee_agency != actor.agency_id:
        raise unknown_case(case_number)
    return crw_case


def run_crw_action(
    sessions: sessionmaker[Session],
    action: str,
    target: str,
    actor_id: int,
    now: datetime,
    work: Callable[[Session, Enroller], T],
) -> T:
    """Run ``work(session, actor)`` as one audited action (see :func:`rules.access.act`)."""
    return act(sessions, actor_id, Attempt(action, target, now), work, not_linked())
