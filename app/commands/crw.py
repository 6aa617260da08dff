"""What the Consumer Retention Workspace commands do: `bob crw …` and `bob transfer`, twins
of `/bob crw` (their arguments: :mod:`app.cli_crw`).

Every command acts as one enroller (`--as` license number or email on file) with exactly the
rights that enroller has in chat; lists print case numbers and risk, never consumer PII.
"""

from __future__ import annotations

import argparse
import json
import secrets

from app.commands.core import actor_id
from app.passwords import check_password_choice, hand_over_password
from app.read_audit import record_cli_read
from app.runtime import Runtime
from exports.crw_report import write_crw_report
from rules.casework.crw_cases import add_note, close_case
from rules.casework.crw_queries import agency_overview, list_cases, my_tiles, show_case
from rules.casework.crw_rows import CrwCaseRow
from rules.casework.crw_transfer import transfer_case
from rules.crw import RISK_LABELS, CrwTiles
from store.models import utcnow


def _print_tiles(tiles: CrwTiles) -> None:
    print(f"Open CRW cases: {tiles.open_cases}")
    print(
        "Open by priority: "
        + ", ".join(f"{risk} {RISK_LABELS[risk]} {n}" for risk, n in tiles.open_by_risk.items())
    )
    print("Aging: " + ", ".join(f"{bucket} {n}" for bucket, n in tiles.aging.items()))
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(tiles.by_reason.items()))
    print(f"All cases by reason: {reasons or 'none'}")
    average = tiles.average_resolution_days
    print(
        "Average resolution time: "
        + (f"{average:.1f} days ({tiles.closed_cases} closed)" if average is not None else "no closed cases")
    )


def crw_tiles_command(runtime: Runtime, args: argparse.Namespace) -> None:
    tiles = my_tiles(runtime.sessions, actor_id(runtime, args.actor), utcnow())
    if args.json:
        print(json.dumps(tiles.as_dict(), indent=2))
    else:
        _print_tiles(tiles)


def _print_cases(rows: list[CrwCaseRow], with_assignee: bool) -> None:
    if not rows:
        print("no CRW cases")
    for row in rows:
        line = (
            f"{row.case_number:<16} {row.risk} {row.risk_label:<15} {row.age_days:>4} days  "
            f"{row.status:<11} {row.reason}"
        )
        print(f"{line}  {row.assignee}" if with_assignee else line)


def crw_list(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    rows = list_cases(
        runtime.sessions,
        actor,
        utcnow(),
        risk=args.risk,
        aging_days=args.aging,
        include_closed=args.closed,
        agency=args.agency,
    )
    record_cli_read(runtime, actor, "crw.list", "agency" if args.agency else "own")
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        _print_cases(rows, with_assignee=args.agency)


def crw_show(runtime: Runtime, args: argparse.Namespace) -> None:
    actor = actor_id(runtime, args.actor)
    detail = show_case(runtime.sessions, actor, args.case, utcnow())
    record_cli_read(runtime, actor, "crw.show", detail.case_number)
    if args.json:
        print(json.dumps(detail.as_dict(), indent=2))
        return
    print(f"CRW case {detail.case_number} (plan year {detail.plan_year})")
    print(f"Risk: {detail.risk} {detail.risk_label}   Reason: {detail.reason}")
    print(f"Status: {detail.status}   Age: {detail.age_days} days   Assigned: {detail.assignee}")
    if detail.contact is not None:
        contact = detail.contact
        print(
            f"Consumer: {contact['name']}  phone {contact['phone'] or '-'}  "
            f"email {contact['email'] or '-'}  language {contact['preferred_language'] or '-'}"
        )
    if detail.closed_at is not None:
        print(
            f"Closed {detail.closed_at:%Y-%m-%d %H:%M}Z: {detail.resolution_reason}. "
            f"Steps: {detail.resolution_steps}"
        )
    for note in detail.notes:
        print(f"  {note['at']:%Y-%m-%d %H:%M}Z {note['author']}: {note['text']}")


def crw_note(runtime: Runtime, args: argparse.Namespace) -> None:
    number = add_note(
        runtime.sessions, actor_id(runtime, args.actor), args.case, " ".join(args.text), utcnow()
    )
    print(f"note added to CRW case {number}")


def crw_close(runtime: Runtime, args: argparse.Namespace) -> None:
    number = close_case(
        runtime.sessions, actor_id(runtime, args.actor), args.case, args.reason, args.steps, utcnow()
    )
    print(f"CRW case {number} is closed")


def crw_agency(runtime: Runtime, args: argparse.Namespace) -> None:
    tiles, activity = agency_overview(runtime.sessions, actor_id(runtime, args.actor), utcnow())
    if args.json:
        print(
            json.dumps(
                {"tiles": tiles.as_dict(), "enrollers": [line.as_dict() for line in activity]}, indent=2
            )
        )
        return
    _print_tiles(tiles)
    print()
    for line in activity:
        average = (
            f"{line.average_resolution_days:.1f} days" if line.average_resolution_days is not None else "-"
        )
        print(
            f"{line.enroller:<45} open {line.open_cases:>4}  closed {line.closed_cases:>4}  "
            f"avg {average:>10}  notes {line.notes_written}"
        )


def crw_report(runtime: Runtime, args: argparse.Namespace) -> None:
    check_password_choice(runtime, args)
    manager_id = actor_id(runtime, args.actor)
    report = write_crw_report(runtime.sessions, manager_id, args.agency, args.out, utcnow())
    print(f"Encrypted CRW report of {report.agency_name} ({report.case_count:,} cases): {report.path}")
    key = f"crw-report-password-{secrets.token_hex(8)}"
    hand_over_password(runtime, args, manager_id, key, report.path.name, report.password)


def crw_transfer(runtime: Runtime, args: argparse.Namespace) -> None:
    result = transfer_case(
        runtime.sessions, actor_id(runtime, args.actor), args.case, " ".join(args.agent), utcnow()
    )
    print(f"CRW case {result.case_number} moved from {result.from_enroller} to {result.to_enroller}")
