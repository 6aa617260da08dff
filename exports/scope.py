"""Whose book an export holds: one agent's, or the whole agency's ("All Agents").

Who may export what (as in the CalHEERS portal and HealthSherpa; the roles are in
:mod:`rules.access`, and which action each kind of export needs at each reach is the
kind's own row in :mod:`exports.kinds`). For the Book of Business:

* agents (level 1 and 2) export their own book: consumers delegated to them, active or
  pending; not when their agency prevents exports for downline agents;
* agency managers, admin staff level 2 and primary contacts export their own book, the
  whole agency ("All Agents") or one agent of their agency, found by exact full first and
  last name or license number; a partial name finds nobody;
* admin staff level 1 and support staff cannot export.

Follow-ups and delegations at risk follow the same rules for their own book and the
agency's; the roster of enrollers is the managers' alone. The scope also names the file
and the workbook's first sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from exports.columns import agency_scope, agent_scope
from exports.errors import ExportRefused
from exports.kinds import BOOK, EXPORT_KINDS, ExportKind, export_kind
from rules.access import AGENTS, require
from rules.people import enrollers_named
from store.models import Agency, Enroller, ExportRecord, ExportScope


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


def authorize(
    session: Session, requester: Enroller, target: str, agent_query: str | None, kind: ExportKind = BOOK
) -> BookScope:
    """The book ``requester`` asks for with ``target``, if their role allows it for ``kind``."""
    if target not in kind.targets:
        raise ExportRefused(f"unknown export target {target[:20]!r}; {_target_words(kind)}", "bad_target")
    agency = session.get_one(Agency, requester.agency_id)
    require_export_rights(requester, target, agency, kind)
    if target == "agency":
        return BookScope(ExportScope.AGENCY, agency, None)
    if target == "agent":
        return BookScope(ExportScope.AGENT, agency, find_agent(session, agency.id, agent_query or ""))
    return BookScope(ExportScope.AGENT, agency, requester)


_TARGET_WORDS = {
    "self": "nothing (your own book)",
    "agency": "agency",
    "agent": "agent <full name or license number>",
}


def _target_words(kind: ExportKind) -> str:
    words = [_TARGET_WORDS[target] for target in kind.targets]
    return "use " + (", ".join(words[:-1]) + ", or " + words[-1] if len(words) > 1 else words[0])


def require_export_rights(requester: Enroller, target: str, agency: Agency, kind: ExportKind = BOOK) -> None:
    """Raise unless the requester's role, and their agency's setting for agents, let them
    export ``kind`` at ``target``'s reach (the kind's ``targets``): a role that cannot
    export the kind at all is told so first."""
    cannot = ExportRefused(
        f"your role cannot export {kind.what}; ask your agency manager", "role_cannot_export"
    )
    require(requester, kind.targets.get("self", kind.targets[target]), cannot)
    only_own = ExportRefused(
        f"agents can export only their own {kind.named}; "
        "ask your agency manager for the agency's"
        + (" or another agent's" if "agent" in kind.targets else ""),
        "agent_scope",
    )
    require(requester, kind.targets[target], only_own)
    if requester.role in AGENTS and agency.prevent_downline_exports:
        raise ExportRefused(
            "your agency has turned off Book of Business exports for agents"
            + ("" if kind is BOOK else f", {kind.what} included")
            + "; ask your agency manager",
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
    kind = export_kind(record.kind)
    require_export_rights(requester, target, session.get_one(Agency, record.agency_id), kind)


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


def record_label(session: Session, record: ExportRecord) -> str:
    """What an export history line calls the export: whose book, and what of it when it is
    not the Book of Business ("DMI follow-ups: All Agents of Sunrise Insurance")."""
    label = record_scope(session, record).label
    kind = EXPORT_KINDS.get(record.kind, BOOK)
    return label if kind is BOOK else f"{kind.title}: {label}"


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[A-Za-z0-9]+", text)) or "Unnamed"


def file_name(scope: BookScope, as_of: date, kind: ExportKind = BOOK) -> str:
    """``BookOfBusiness_Agency-Sunrise-Insurance_2026-11-20.xlsx`` or
    ``FollowUps-DMI_Ana-Agent_0A12345_2026-11-20.xlsx``: what, whose, as of when."""
    if scope.subject is None:
        who = f"Agency-{_slug(scope.agency.name)}"
    else:
        name = f"{scope.subject.first_name} {scope.subject.last_name}"
        who = f"{_slug(name)}_{_slug(scope.subject.license_number)}"
    return f"{kind.file_prefix}_{who}_{as_of.isoformat()}.xlsx"


def sheet_name(scope: BookScope, as_of: date) -> str:
    who = (
        scope.agency.name
        if scope.subject is None
        else (f"{scope.subject.first_name} {scope.subject.last_name}")
    )
    return f"{who[:20].strip()} {as_of.isoformat()}"
