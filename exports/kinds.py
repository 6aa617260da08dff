"""What an export can hold, as data: a kind is its name, who may ask for it at which reach,
its columns and its one streaming query. Planning, building, masking, the history and the
audit are the same code for every kind (:mod:`exports.planning`, :mod:`exports.building`);
a new kind is one more row in :data:`EXPORT_KINDS`.

The kinds: the Book of Business (48 columns, snapshots and the changes sheet); follow-ups
(all, DMI only, SVI only), due from two months before the export's date onward as
HealthSherpa's exports are; delegations at risk (pending, or removed within those two
months); and the agency's roster of enrollers (managers only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select

from exports.columns import COLUMNS, BookColumn, book_count, book_query
from exports.errors import ExportRefused
from exports.follow_up_columns import (
    ExportDay,
    at_risk_columns,
    at_risk_count,
    at_risk_query,
    follow_up_columns,
    follow_up_count,
    follow_up_query,
)
from exports.roster_columns import roster_columns, roster_count, roster_query
from rules.access import Action
from store.models.follow_ups import FollowUpKind

Scope = Sequence[ColumnElement[bool]]
Query = Callable[[Scope, ExportDay], Select[*tuple[Any, ...]]]


@dataclass(frozen=True)
class ExportKind:
    """One kind of export. ``rows`` yields one value per column, after the consumer's and the
    delegated agent's ids when ``keyed`` (the book's, which snapshots and changes compare by)."""

    key: str
    title: str  # the About sheet's first line and the history's label
    what: str  # in a sentence: "your role cannot export <what>"
    file_prefix: str
    row_noun: str  # what a row is, plural: "consumers", "follow-ups"
    columns: Callable[[ExportDay], Sequence[BookColumn]]
    rows: Query
    count: Query
    targets: Mapping[str, Action]  # each reach it can be asked for, and the action it needs
    empty: str  # the refusal when there are no rows; {who} is the scope, {since} the window
    keyed: bool = False
    snapshots: bool = False
    window: str | None = None  # what the About sheet says of the rows' dates; {since}

    @property
    def named(self) -> str:
        """``what`` without its article: "your <named>", "their own <named>"."""
        return self.what.removeprefix("the ")

    def counted(self, rows: int) -> str:
        """``rows`` in words: "1 consumer", "1,234 follow-ups"."""
        return f"1 {self.row_noun[:-1]}" if rows == 1 else f"{rows:,} {self.row_noun}"


_FOLLOW_UP_TARGETS = {"self": Action.EXPORT_OWN_FOLLOW_UPS, "agency": Action.EXPORT_AGENCY_FOLLOW_UPS}
_FOLLOW_UP_EMPTY = "no follow-ups due since {since} in the book of {who}; there is nothing to export"
_FOLLOW_UP_WINDOW = (
    "Follow-ups due from {since} onward (two months back, as HealthSherpa's exports), every status"
)


def _follow_ups(key: str, title: str, prefix: str, kind: FollowUpKind | None) -> ExportKind:
    return ExportKind(
        key=key,
        title=title,
        what=title.lower() if kind is None else title,
        file_prefix=prefix,
        row_noun="follow-ups",
        columns=follow_up_columns,
        rows=partial(follow_up_query, kind=kind),
        count=partial(follow_up_count, kind=kind),
        targets=_FOLLOW_UP_TARGETS,
        empty=_FOLLOW_UP_EMPTY,
        window=_FOLLOW_UP_WINDOW,
    )


BOOK = ExportKind(
    key="book",
    title="Book of Business",
    what="the Book of Business",
    file_prefix="BookOfBusiness",
    row_noun="consumers",
    columns=lambda _day: COLUMNS,
    rows=lambda scope, _day: book_query(*scope),
    count=lambda scope, _day: book_count(*scope),
    targets={
        "self": Action.EXPORT_OWN_BOOK,
        "agency": Action.EXPORT_AGENCY_BOOK,
        "agent": Action.EXPORT_AGENT_BOOK,
    },
    empty="no consumers are delegated to {who}; there is nothing to export",
    keyed=True,
    snapshots=True,
)

EXPORT_KINDS: dict[str, ExportKind] = {
    kind.key: kind
    for kind in (
        BOOK,
        _follow_ups("follow_ups", "Follow-ups", "FollowUps", None),
        _follow_ups("follow_ups_dmi", "DMI follow-ups", "FollowUps-DMI", FollowUpKind.DMI),
        _follow_ups("follow_ups_svi", "SVI follow-ups", "FollowUps-SVI", FollowUpKind.SVI),
        ExportKind(
            key="at_risk",
            title="Delegations at risk",
            what="delegations at risk",
            file_prefix="AtRisk",
            row_noun="delegations",
            columns=at_risk_columns,
            rows=at_risk_query,
            count=at_risk_count,
            targets=_FOLLOW_UP_TARGETS,
            empty="no delegation of {who} is pending or was removed since {since}; "
            "there is nothing to export",
            window="Delegations pending now, or removed from {since} onward",
        ),
        ExportKind(
            key="roster",
            title="Agency roster",
            what="the agency's roster",
            file_prefix="Roster",
            row_noun="enrollers",
            columns=roster_columns,
            rows=roster_query,
            count=roster_count,
            targets={"agency": Action.EXPORT_ROSTER},
            empty="{who} has no enrollers; there is nothing to export",
        ),
    )
}


def export_kind(key: str) -> ExportKind:
    """The kind stored as ``key``; an unknown one is refused (never a KeyError)."""
    kind = EXPORT_KINDS.get(key)
    if kind is None:
        known = ", ".join(EXPORT_KINDS)
        raise ExportRefused(f"unknown kind of export {key[:24]!r}; the kinds are {known}", "bad_kind")
    return kind


# How people name the kinds other than the book, in chat and on the command line.
_FOLLOW_UP_WORDS = {"dmi": "follow_ups_dmi", "svi": "follow_ups_svi"}
KIND_WORDS = ("followups", "follow-ups", "at-risk", "roster")
KIND_USAGE = {
    "follow_ups": "followups [dmi|svi] [agency]",
    "at_risk": "at-risk [agency]",
    "roster": "roster",
}


def read_kind(words: Sequence[str]) -> tuple[str, Literal["self", "agency"]] | None:
    """The kind and reach (``self`` or ``agency``) ``words`` ask for: `followups [dmi|svi]
    [agency]`, `at-risk [agency]` or `roster` (the agency's), each word at most once, in
    any order after the first. None when the first word names no such kind (the book's
    own words: nothing, `agency`, `agent <name>`). Raises :class:`ExportRefused` with the
    usage when the words cannot be read."""
    if not words or words[0].lower() not in KIND_WORDS:
        return None
    first, rest = words[0].lower(), [word.lower() for word in words[1:]]
    key = {"followups": "follow_ups", "follow-ups": "follow_ups"}.get(first, first.replace("-", "_"))
    allowed = {"agency", *(_FOLLOW_UP_WORDS if key == "follow_ups" else ())} if key != "roster" else set()
    chosen = [word for word in rest if word in _FOLLOW_UP_WORDS]
    if any(word not in allowed for word in rest) or len(chosen) > 1 or rest.count("agency") > 1:
        raise ExportRefused(f"write it as `export {KIND_USAGE[key]}`", "bad_target")
    if key == "roster":
        return key, "agency"
    return (_FOLLOW_UP_WORDS[chosen[0]] if chosen else key), ("agency" if "agency" in rest else "self")
