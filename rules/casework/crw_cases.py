"""Working a CRW case: documenting an interaction and closing it with its resolution.

The assignee works their own cases; a manager of the assignee's agency may too (see
:mod:`rules.casework.crw_reach`). Every note and close is audited with a reason code, no PII.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from rules.access import audit
from rules.casework.crw_reach import CrwRefused, reachable_case, run_crw_action
from rules.crw_words import RESOLUTION_REASONS
from store.control_characters import has_control_character
from store.models import CrwCase, CrwNote, CrwStatus, Enroller

NOTE_LIMIT = 4000


def plain_text(text: str, what: str) -> None:
    """Refuse ``text`` (a note, the steps taken) holding a control character other than
    tab or a line break; see :mod:`store.control_characters`."""
    if has_control_character(text, multiline=True):
        raise CrwRefused(
            f"{what} contains a control character (such as NUL); type it again as plain text",
            "control_character",
        )


def add_note(
    sessions: sessionmaker[Session], actor_id: int, case_number: str, text: str, now: datetime
) -> str:
    """Document an interaction; the first note moves an open case to in progress. Returns
    the case's number as stored."""
    text = text.strip()
    if not text:
        raise CrwRefused("write the note after the case number: `crw note <case> <text>`", "empty_note")
    if len(text) > NOTE_LIMIT:
        raise CrwRefused(f"a note holds at most {NOTE_LIMIT} characters", "note_too_long")
    plain_text(text, "the note")

    def work(session: Session, actor: Enroller) -> str:
        crw_case = reachable_case(session, actor, case_number)
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
        audit(session, actor, "crw.note", crw_case.case_number, "ok", now, {"reason": "noted"})
        return crw_case.case_number

    return run_crw_action(sessions, "crw.note", case_number, actor_id, now, work)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def listed_resolution(value: str) -> str:
    """The listed reason ``value`` names: whole, or by its first words, in any case and with
    any punctuation (``renewed-same-plan``); a refusal says what was wrong with it."""
    wanted = _words(value)
    candidates = [r for r in RESOLUTION_REASONS if _words(r) == wanted] or [
        r for r in RESOLUTION_REASONS if wanted and _words(r).startswith(wanted)
    ]
    if len(candidates) == 1:
        return candidates[0]
    given = value.strip()[:40]
    if candidates:
        problem = f"the resolution reason {given!r} could be any of: {'; '.join(candidates)}; say which"
    else:
        problem = (
            f"{given!r} is not a resolution reason" if wanted else "closing a case needs a resolution reason"
        )
        problem += "; reasons: " + "; ".join(RESOLUTION_REASONS)
    raise CrwRefused(problem, "missing_resolution")


def close_case(
    sessions: sessionmaker[Session],
    actor_id: int,
    case_number: str,
    resolution_reason: str,
    steps: str,
    now: datetime,
) -> str:
    """Close a case; the resolution reason (one of RESOLUTION_REASONS, see
    :func:`listed_resolution`) and the steps taken are both required, as in the portal.
    Returns the case's number as stored."""
    plain_text(steps or "", "the steps taken")

    def work(session: Session, actor: Enroller) -> str:
        crw_case = reachable_case(session, actor, case_number)
        if crw_case.status == CrwStatus.CLOSED:
            raise CrwRefused(f"CRW case {crw_case.case_number} is closed already", "already_closed")
        reason = listed_resolution(resolution_reason or "")
        if not (steps or "").strip():
            raise CrwRefused(
                f"closing a case as {reason!r} needs the steps taken to resolve it", "missing_resolution"
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
        audit(session, actor, "crw.close", crw_case.case_number, "ok", now, {"reason": "closed"})
        return crw_case.case_number

    return run_crw_action(sessions, "crw.close", case_number, actor_id, now, work)
