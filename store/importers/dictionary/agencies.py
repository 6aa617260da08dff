"""Agency and enroller rows: read, checked against ``--agency``, and upserted by their key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from store.history import ENROLLERS, record_history
from store.importers.cells import MASKED
from store.importers.columns import RowReader, reject
from store.importers.context import ImportContext
from store.importers.dictionary.entities import PREFERENCE_COLUMNS
from store.importers.records import Reject
from store.models import Agency, Enroller
from store.preferences import agency_windows, import_preferences


@dataclass
class Row:
    """An agency or enroller row: its key and the columns it sets."""

    row: int
    key: str
    values: dict[str, Any]
    # A state column -> (the column saying since when, that time): stamped when it changes.
    stamps: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    active_since: Any = None
    preferences: dict[str, Any] = field(default_factory=dict)  # an enroller's, as the file gives them


def upsert(session: Session, table: Table, key: str, rows: list[Row], now: datetime) -> list[tuple[Row, str]]:
    """Insert new keys, update changed ones; agencies and enrollers are few, so this is plain."""
    stored = {
        r._mapping[key]: dict(r._mapping)
        for r in session.execute(select(table).where(table.c[key].in_([row.key for row in rows])))
    }
    outcomes: list[tuple[Row, str]] = []
    for row in rows:
        current = stored.get(row.key)
        if current is None:
            since = {column: at for column, at in row.stamps.values()}
            session.execute(insert(table), [{key: row.key, "created_at": now, **since, **row.values}])
            outcomes.append((row, "created"))
            continue
        changes = {k: v for k, v in row.values.items() if current.get(k) != v}
        changes |= {row.stamps[k][0]: row.stamps[k][1] for k in list(changes) if k in row.stamps}
        if changes:
            session.execute(
                update(table).where(table.c.id == bindparam("row_id")),
                [{"row_id": current["id"], **changes}],
            )
        outcomes.append((row, "updated" if changes else "unchanged"))
    return outcomes


def agency_row(ctx: ImportContext, reader: RowReader, number: int, cells: list[Any]) -> Row:
    values = reader.read(number, cells)
    if ctx.agency_code is not None and values["code"] != ctx.agency_code:
        raise reject(number, "code", "another agency than --agency")
    names = (
        "name", "time_zone", "prevent_downline_exports", "mask_exports_by_default", "bob_topics",
        "due_soon_days",
    )  # fmt: skip
    known = {n: values[n] for n in names if values.get(n) is not None and values[n] is not MASKED}
    return Row(number, values["code"], known)


def enroller_row(reader: RowReader, number: int, cells: list[Any]) -> Row:
    values = reader.read(number, cells)
    names = ("agency_code", "first_name", "last_name", "email", "phone", "role", "active")
    known = {n: values[n] for n in names if n in values and values[n] is not MASKED}
    if known.get("active") is None:
        known.pop("active", None)
    since = values.get("active_since")
    preferences = {
        column.header: values[column.header]
        for column in PREFERENCE_COLUMNS
        if values.get(column.header) is not None and values[column.header] is not MASKED
    }
    return Row(
        number,
        values["license_number"].upper(),
        known,
        active_since=None if since is MASKED else since,
        preferences=preferences,
    )


def write_enrollers(ctx: ImportContext, session: Session, rows: list[Row]) -> Any:
    codes = {row.values["agency_code"] for row in rows}
    query = select(Agency.code, Agency.id).where(Agency.code.in_(codes))
    agencies: dict[str, int] = {code: agency_id for code, agency_id in session.execute(query)}
    windows = agency_windows(session, agencies.values())
    good: list[Row] = []
    rejects: list[Reject] = []
    outcomes: list[tuple[Row, str]] = []
    for row in rows:
        code = row.values.pop("agency_code")
        deliver_at = row.preferences.get("deliver_at")
        if ctx.agency_code is not None and code != ctx.agency_code:
            rejects.append(Reject(row.row, "agency_code", "another agency than --agency"))
        elif code in agencies and deliver_at is not None and not windows[agencies[code]].allows(deliver_at):
            reason = f"outside the agency's delivery window {windows[agencies[code]]}"
            rejects.append(Reject(row.row, "deliver_at", reason))
        elif ctx.is_future(row.active_since):
            reason = f"dated after the file's as-of ({ctx.describe_as_of()})"
            rejects.append(Reject(row.row, "active_since", reason))
        elif code not in agencies:
            rejects.append(Reject(row.row, "agency_code", "no agency has this code; load it first"))
        else:
            row.values["agency_id"] = agencies[code]
            row.stamps["active"] = ("active_changed_at", ctx.moment(row.active_since))
            good.append(row)
            continue
        outcomes.append((row, "rejected"))
    if ctx.agency_code is not None:
        elsewhere = set(
            session.scalars(
                select(Enroller.license_number).where(
                    Enroller.license_number.in_([r.key for r in good]),
                    Enroller.agency_id != ctx.agency_id,
                )
            )
        )
        for row in [r for r in good if r.key in elsewhere]:
            good.remove(row)
            rejects.append(Reject(row.row, "license_number", "the enroller is in another agency"))
            outcomes.append((row, "rejected"))
    table: Table = Enroller.__table__  # type: ignore[assignment]
    written = upsert(session, table, "license_number", good, ctx.now)
    changed = _write_preferences(session, good)
    outcomes += [
        (row, "updated" if outcome == "unchanged" and row.key in changed else outcome)
        for row, outcome in written
    ]
    record_history(session, kinds=(ENROLLERS,))
    return outcomes, rejects


def _write_preferences(session: Session, rows: list[Row]) -> set[str]:
    """The file's preference columns for the enrollers of ``rows`` who have not chosen their
    own; returns the license numbers whose preferences changed."""
    given = {row.key: row.preferences for row in rows if row.preferences}
    if not given:
        return set()
    query = select(Enroller.license_number, Enroller.id).where(Enroller.license_number.in_(given))
    ids: dict[str, int] = {
        license_number: enroller_id for license_number, enroller_id in session.execute(query)
    }
    changed = import_preferences(session, {ids[key]: values for key, values in given.items()})
    return {key for key in given if ids[key] in changed}
