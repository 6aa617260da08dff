"""Whose Book of Business an export holds: one agent's, or the whole agency's ("All Agents").

Who may export what (as in the CalHEERS portal and HealthSherpa; the roles are in
:mod:`rules.access`):

* agents (level 1 and 2) export their own book: consumers delegated to them, active or
  pending; not when their agency prevents exports for downline agents;
* agency managers, admin staff level 2 and primary contacts export their own book, the
  whole agency ("All Agents") or one agent of their agency, found by exact full first and
  last name or license number; a partial name finds nobody;
* admin staff level 1 and support staff cannot export.

The scope also names the file and the workbook's first sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from exports.columns import agency_scope, agent_scope
from exports.errors import ExportRefused
from rules.access import AGENTS, Action, require
from rules.people import enrollers_named
from store.models import Agency, Enroller, ExportRecord, ExportScope

# What each way of asking for a book needs the requester's role to allow.
TARGETS = {
    "self": Action.EXPORT_OWN_BOOK,
    "agency": Action.EXPORT_AGENCY_BOOK,
    "agent": Action.EXPORT_AGENT_BOOK,
}


@dataclass(frozen=True)
class BookScope:
    kind: ExportScope
    agency: Agency
    subject: Enroller | None  # the agent whose book it is; None for the whole agency

    @property
    def label(self) -> str:
        if self.subject is None:
            return f"All Agents of {self.agency.name}"
        return self.subject.display_name

    @property
    def subject_id(self) -> int | None:
        return self.subject.id if self.subject is not None else None

    @property
    def filters(self) -> tuple[ColumnElement[bool], ...]:
        if self.subject is None:
            return agency_scope(self.agency.id)
        return agent_scope(self.subject.id)


def authorize(session: Session, requester: Enroller, target: str, agent_query: str | None) -> BookScope:
    """The book ``requester`` asks for with ``target``, if their role allows it."""
    if target not in TARGETS:
        raise ExportRefused(
            f"unknown export target {target[:20]!r}; "
            "use nothing (your own book), agency, or agent <full name or license number>",
            "bad_target",
        )
    agency = session.get_one(Agency, requester.agency_id)
    require_export_rights(requester, target, agency)
    if target == "agency":
        return BookScope(ExportScope.AGENCY, agency, None)
    if target == "agent":
        return BookScope(ExportScope.AGENT, agency, find_agent(session, agency.id, agent_query or ""))
    return BookScope(ExportScope.AGENT, agency, requester)


def require_export_rights(requester: Enroller, target: str, agency: Agency) -> None:
    """Raise unless the requester's role, and their agency's setting for agents, let them
    export a book of ``target``'s kind (see ``TARGETS``)."""
    cannot = ExportRefused(
        "your role cannot export the Book of Business; ask your agency manager", "role_cannot_export"
    )
    require(requester, Action.EXPORT_OWN_BOOK, cannot)
    only_own = ExportRefused(
        "agents can export only their own Book of Business; "
        "ask your agency manager for the agency's or another agent's",
        "agent_scope",
    )
    require(requester, TARGETS[target], only_own)
    if requester.role in AGENTS and agency.prevent_downline_exports:
        raise ExportRefused(
            "your agency has turned off Book of Business exports for agents; ask your agency manager",
            "downline_exports_prevented",
        )


def require_rights_still(session: Session, requester: Enroller, record: ExportRecord) -> None:
    """Raise unless the requester could still ask for this export today: in its agency, with
    the role (and the agency's setting for agents) its scope needs. Checked at every fetch,
    since a role, an agency setting or a move can change while the file waits."""
    if requester.agency_id != record.agency_id:
        raise ExportRefused(
            "you are no longer in the agency this export was made for; request a new one", "other_agency"
        )
    if record.scope == ExportScope.AGENCY:
        target = "agency"
    else:
        target = "self" if record.subject_enroller_id == requester.id else "agent"
    require_export_rights(requester, target, session.get_one(Agency, record.agency_id))


def not_linked() -> ExportRefused:
    """The refusal for a requester who is unknown or no longer active."""
    return ExportRefused(
        "you are not linked to an active enroller; link your account first", "unknown_requester"
    )


def find_agent(session: Session, agency_id: int, query: str) -> Enroller:
    """The one enroller of the agency with exactly this license number or full name.

    Names match whole and case-insensitively, extra spaces ignored; a partial name finds
    nobody, as in the portal. Two people of the same name must be told apart by license.
    """
    wanted = " ".join(query.split())
    if not wanted:
        raise ExportRefused(
            "say which agent: agent <first and last name> or agent <license number>", "no_agent"
        )
    matches = [enroller for enroller in enrollers_named(session, wanted) if enroller.agency_id == agency_id]
    if not matches:
        raise ExportRefused(
            "no agent with that full first and last name or license number in your agency; "
            "check the spelling (partial names do not match)",
            "no_agent",
        )
    if len(matches) > 1:
        licenses = ", ".join(agent.license_number for agent in matches)
        raise ExportRefused(
            f"{len(matches)} agents in your agency have that name; "
            f"ask again with the license number ({licenses})",
            "ambiguous_agent",
        )
    return matches[0]


def record_scope(session: Session, record: ExportRecord) -> BookScope:
    """The scope an export history row was planned for."""
    agency = session.get_one(Agency, record.agency_id)
    subject = None
    if record.subject_enroller_id is not None:
        subject = session.get_one(Enroller, record.subject_enroller_id)
    return BookScope(record.scope, agency, subject)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[A-Za-z0-9]+", text)) or "Unnamed"


def file_name(scope: BookScope, as_of: date) -> str:
    """``BookOfBusiness_Agency-Sunrise-Insurance_2026-11-20.xlsx`` or
    ``BookOfBusiness_Ana-Agent_0A12345_2026-11-20.xlsx``: whose book, as of when."""
    if scope.subject is None:
        who = f"Agency-{_slug(scope.agency.name)}"
    else:
        name = f"{scope.subject.first_name} {scope.subject.last_name}"
        who = f"{_slug(name)}_{_slug(scope.subject.license_number)}"
    return f"BookOfBusiness_{who}_{as_of.isoformat()}.xlsx"


def sheet_name(scope: BookScope, as_of: date) -> str:
    who = (
        scope.agency.name
        if scope.subject is None
        else (f"{scope.subject.first_name} {scope.subject.last_name}")
    )
    return f"{who[:20].strip()} {as_of.isoformat()}"
