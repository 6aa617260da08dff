"""Who holds a synthetic consumer's case: delegations to agents, some moved to a colleague,
and the CRW renewal case assigned to the holder."""

from __future__ import annotations

from datetime import datetime, timedelta

from store import names
from store.models import CrwStatus, DelegationStatus
from store.seed_rows.draws import Weighted, pick
from store.seed_rows.maker import DAY, ConsumerRows, Row, RowMaker
from store.seed_rows.numbers import crw_case_number
from store.seed_rows.staff import Agent, Staff

_DELEGATION = Weighted(
    (DelegationStatus.ACTIVE, DelegationStatus.PENDING, DelegationStatus.REMOVED), [93, 4, 3]
)
_CRW_REASON = Weighted(*zip(*names.CRW_REASONS, strict=True))
_CRW_RISK = Weighted(range(1, 6), [15, 25, 30, 20, 10])
_CRW_STATUS = Weighted((CrwStatus.OPEN, CrwStatus.IN_PROGRESS, CrwStatus.CLOSED), [45, 25, 30])


class DelegationMaker(RowMaker):
    """Makes a consumer's delegations and CRW case."""

    def _delegations(
        self, staff: Staff, consumer_id: int, created: datetime, rows: ConsumerRows
    ) -> Agent | None:
        """Delegate the consumer; returns the agent holding the active delegation, if any."""
        r = self.rng
        agent = staff.agents.pick(r)
        status = _DELEGATION.pick(r)
        delegated = self._between(created, self.as_of)
        removed_at = None
        if status is DelegationStatus.REMOVED:
            removed_at = self._between(delegated, self.as_of)
        rows.delegations.append(self._delegation(consumer_id, agent, status, delegated, removed_at))
        if removed_at is not None:
            self._removal_history(rows.delegations[-1], delegated, removed_at, rows)
        colleagues = staff.agents_by_agency[agent.agency_id]
        if removed_at is not None and len(colleagues) > 1 and r.random() < 0.6:
            # The case moved to a colleague: the old delegation stays on file as removed.
            successor = pick(r, [a for a in colleagues if a.id != agent.id])
            rows.delegations.append(
                self._delegation(consumer_id, successor, DelegationStatus.ACTIVE, removed_at, None)
            )
            return successor
        return agent if status is DelegationStatus.ACTIVE else None

    def _delegation(
        self,
        consumer_id: int,
        agent: Agent,
        status: DelegationStatus,
        delegated: datetime,
        removed_at: datetime | None,
    ) -> Row:
        return {
            "id": self._id("delegations"),
            "consumer_id": consumer_id,
            "enroller_id": agent.id,
            "status": status,
            "delegated_on": delegated.astimezone(self.zone).date(),
            "created_at": delegated,
            "removed_at": removed_at,
            "status_changed_at": removed_at or delegated,
        }

    def _removal_history(
        self, delegation: Row, delegated: datetime, removed_at: datetime, rows: ConsumerRows
    ) -> None:
        """A removed delegation was active until it was removed: its two history periods, so
        "Delegation Removed" sees the case leave the agent's book (the history sync opens
        only a first period, in the state the delegation has now)."""
        fixed = {k: delegation[k] for k in ("consumer_id", "enroller_id")}
        fixed["delegation_id"] = delegation["id"]
        rows.delegation_history += [
            {"id": self._id("delegation_history"), **fixed, "status": DelegationStatus.ACTIVE,
             "valid_from": delegated, "valid_to": removed_at},
            {"id": self._id("delegation_history"), **fixed, "status": DelegationStatus.REMOVED,
             "valid_from": removed_at, "valid_to": None},
        ]  # fmt: skip

    def _crw_case(self, consumer_id: int, agent: Agent, rows: ConsumerRows) -> None:
        """A renewal case in the Consumer Retention Workspace, opened in the last 90 days."""
        r = self.rng
        status = _CRW_STATUS.pick(r)
        opened = self._ago(60, 90 * DAY)
        assigned = self._between(opened, min(opened + timedelta(days=3), self.as_of))
        closed_at = self._between(assigned, self.as_of) if status is CrwStatus.CLOSED else None
        resolution = pick(r, names.CRW_RESOLUTIONS) if closed_at else (None, None)
        rows.crw_cases.append(
            {
                "id": self._id("crw_cases"),
                "case_number": crw_case_number(consumer_id),
                "consumer_id": consumer_id,
                "plan_year": self.today.year + 1,
                "risk": _CRW_RISK.pick(r),
                "reason": _CRW_REASON.pick(r),
                "status": status,
                "assigned_enroller_id": agent.id,
                "assigned_at": assigned,
                "opened_at": opened,
                "closed_at": closed_at,
                "resolution_reason": resolution[0],
                "resolution_steps": resolution[1],
            }
        )
