"""The manager's CRW report: an encrypted workbook of the agency's retention work.

Three sheets, no consumer PII: Tiles (open cases, by priority, aging, by reason, average
resolution time), Enrollers (activity per enroller) and Cases (case number, risk, reason,
status, opened, age, assignee). It is written with the Book of Business's streaming writer
and encrypted with a fresh password before it reaches the disk, like every export.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from exports.columns import Kind
from exports.encryption import encrypt_workbook, generate_password
from exports.workbook import Sheet, write_workbook
from rules.access import Action, Attempt, act, require
from rules.casework.crw_queries import enroller_activity
from rules.casework.crw_reach import CrwRefused, managers_only, not_linked
from rules.casework.crw_rows import EnrollerActivity, case_row, case_rows_query
from rules.crw import RISK_LABELS, CrwTiles, crw_tiles
from store.errors import BobError
from store.models import Agency, CrwCase, Enroller

_STREAM = {"yield_per": 2000}
CASE_HEADERS = (
    "Case Number",
    "Plan Year",
    "Risk",
    "Risk Category",
    "Reason",
    "Status",
    "Opened",
    "Age (days)",
    "Assigned Enroller",
)


@dataclass(frozen=True)
class CrwReport:
    path: Path
    password: str = field(repr=False)
    case_count: int
    agency_name: str


def _authorize(sessions: sessionmaker[Session], actor_id: int, agency_code: str, now: datetime) -> Agency:
    """The agency, if the actor manages it; every attempt is audited."""
    attempt = Attempt("crw.report", f"agency:{agency_code[:100]}", now)

    def work(session: Session, actor: Enroller) -> Agency:
        require(actor, Action.TAKE_CRW_REPORT, managers_only("take the CRW report"))
        agency = session.scalars(select(Agency).where(Agency.code == agency_code.strip())).first()
        if agency is None or agency.id != actor.agency_id:
            raise CrwRefused(
                f"no agency {agency_code[:40]!r} that you manage; use your agency's code", "other_agency"
            )
        attempt.record(session, "ok", {"reason": "report"})
        return agency

    return act(sessions, actor_id, attempt, work, not_linked())


def _tile_rows(tiles: CrwTiles) -> list[tuple[str, str, int]]:
    rows = [("Open CRW cases", "all", tiles.open_cases)]
    rows += [
        ("Open CRW cases by priority", f"{risk} = {RISK_LABELS[risk]}", n)
        for risk, n in tiles.open_by_risk.items()
    ]
    rows += [("Aging CRW cases", bucket, n) for bucket, n in tiles.aging.items()]
    rows += [("All CRW cases by reason", reason, n) for reason, n in sorted(tiles.by_reason.items())]
    average = tiles.average_resolution_days
    rows.append(
        (
            "Average resolution time",
            f"{average:.1f} days" if average is not None else "no closed cases",
            tiles.closed_cases,
        )
    )
    return rows


def _enroller_rows(lines: Sequence[EnrollerActivity]) -> list[tuple[Any, ...]]:
    return [
        (line.enroller, line.open_cases, line.closed_cases, line.average_resolution_days, line.notes_written)
        for line in lines
    ]


def _case_rows(
    session: Session, agency: Agency, now: datetime, counter: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Every case of the agency, riskiest first, streamed from one query."""
    zone = ZoneInfo(agency.time_zone)
    query = (
        case_rows_query(now)
        .add_columns(CrwCase.plan_year)
        .where(Enroller.agency_id == agency.id)
        .execution_options(**_STREAM)
    )
    for row in session.execute(query):
        case = case_row(row, now)
        counter[0] += 1
        yield (
            case.case_number,
            row.plan_year,
            case.risk,
            case.risk_label,
            case.reason,
            case.status,
            row.opened_at.astimezone(zone).date(),
            case.age_days,
            case.assignee,
        )


def _sheets(
    session: Session, agency: Agency, now: datetime, counter: list[int]
) -> tuple[Sheet, Sheet, Sheet]:
    """Tiles, Enrollers and Cases; the Cases rows stream and count themselves into ``counter``."""
    tiles = crw_tiles(session, now, "agency", [agency.id]).get(agency.id, CrwTiles())
    activity = enroller_activity(session, agency.id, now)
    text, integer = Kind.TEXT, Kind.INTEGER
    tiles_sheet = Sheet(
        "Tiles",
        ("Tile", "Item", "Cases"),
        (text, text, integer),
        (30, 30, 10),
        _tile_rows(tiles),
        filtered=False,
    )
    enrollers = Sheet(
        "Enrollers",
        ("Enroller", "Open Cases", "Closed Cases", "Average Resolution (days)", "Notes Written"),
        (text, integer, integer, Kind.DECIMAL, integer),
        (40, 12, 12, 24, 14),
        _enroller_rows(activity),
    )
    cases = Sheet(
        "Cases",
        CASE_HEADERS,
        (text, integer, integer, text, text, text, Kind.DATE, integer, text),
        (16, 10, 6, 16, 28, 12, 12, 11, 40),
        _case_rows(session, agency, now, counter),
    )
    return tiles_sheet, enrollers, cases


def write_crw_report(
    sessions: sessionmaker[Session], actor_id: int, agency_code: str, out: Path, now: datetime
) -> CrwReport:
    """Write the encrypted CRW report of the actor's agency to ``out`` (a new file)."""
    agency = _authorize(sessions, actor_id, agency_code, now)
    if out.exists():
        raise BobError(f"{out} exists already; choose another --out file")
    password = generate_password()
    counter = [0]
    with sessions() as session:
        tiles, enrollers, cases = _sheets(session, agency, now, counter)
        buffer = io.BytesIO()
        try:
            write_workbook(buffer, tiles, lambda _rows: enrollers, (cases,))
            out.parent.mkdir(parents=True, exist_ok=True)
            encrypt_workbook(buffer, out, password)
        except OSError as exc:
            raise BobError(f"{out} cannot be written ({exc.strerror or type(exc).__name__})") from None
        finally:
            buffer.close()
    return CrwReport(out, password, counter[0], agency.name)
