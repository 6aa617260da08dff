"""Who may do what, and the audit log that records every try.

One helper writes an audit entry (:func:`audit`), and one pattern runs an action whose
refusal must be remembered (:func:`audit_refusals`, :func:`act`): the refusal is written to
the audit log, committed, and only then raised, so a refused attempt leaves a trace even
though nothing else changes. Audit entries hold ids, reason codes and counts, never PII.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.errors import Refused
from store.models import AuditEntry, Enroller

T = TypeVar("T")


def audit(
    session: Session,
    actor: Enroller | int | None,
    action: str,
    target: str | None,
    outcome: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    *,
    slack_user_id: str | None = None,
) -> None:
    """Record that ``actor`` (an enroller, an enroller's id, or nobody known) tried ``action``
    on ``target`` and how it ended. ``slack_user_id`` names the Slack user who asked when it
    is not the actor's own (a link attempt). ``detail`` must hold no PII."""
    actor_id = actor.id if isinstance(actor, Enroller) else actor
    if slack_user_id is None and isinstance(actor, Enroller):
        slack_user_id = actor.slack_user_id
    session.add(
        AuditEntry(
            actor_id=actor_id,
            actor_slack_id=slack_user_id,
            action=action,
            target=target[:120] if target is not None else None,
            outcome=outcome,
            detail=detail,
            at=at,
        )
    )


@dataclass
class Attempt:
    """One try at an action, as the audit log will record it; the action fills in who is
    asking and what the target is as it learns them."""

    action: str
    target: str
    at: datetime
    actor: Enroller | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def record(self, session: Session, outcome: str, detail: dict[str, Any] | None = None) -> None:
        audit(session, self.actor, self.action, self.target, outcome, self.at, detail)


def audit_refusals(sessions: sessionmaker[Session], attempt: Attempt, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction. A :class:`Refused` it raises is audited (outcome
    ``refused``, its reason code plus ``attempt.detail``), committed, then raised.

    ``work`` must refuse before it changes anything: the refusal is committed together with
    whatever was done before it.
    """
    refusal: Refused | None = None
    with transaction(sessions) as session:
        try:
            return work(session)
        except Refused as refused:
            attempt.record(session, "refused", {"reason": refused.reason, **attempt.detail})
            refusal = refused
    raise refusal


def act(
    sessions: sessionmaker[Session],
    actor_id: int,
    attempt: Attempt,
    work: Callable[[Session, Enroller], T],
    not_linked: Refused,
) -> T:
    """Run ``work(session, actor)`` as the active enroller ``actor_id``, as
    :func:`audit_refusals` does; an unknown or inactive enroller gets ``not_linked``."""

    def as_actor(session: Session) -> T:
        attempt.actor = session.get(Enroller, actor_id)
        if attempt.actor is None or not attempt.actor.active:
            raise not_linked
        return work(session, attempt.actor)

    return audit_refusals(sessions, attempt, as_actor)
