"""What the export commands do: `bob export …`, `bob exports list|expire`, `bob snapshot take`
(their arguments: :mod:`app.cli_export`)."""

from __future__ import annotations

import argparse
import os
import shutil
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.cli_export import SCOPE_HELP
from app.commands.core import actor_id, print_listing
from app.passwords import check_password_choice, hand_over_password
from app.progress import progress_bar
from app.runtime import Runtime
from exports.building import ExportResult, run_export
from exports.errors import ExportFailed, ExportRefused
from exports.expiry import expire_exports
from exports.history import ExportHistoryEntry, fail_export, list_exports
from exports.kinds import read_kind
from exports.planning import ExportRequest, plan_export
from exports.snapshots import take_snapshot
from store.errors import BobError
from store.models import Agency, utcnow


def parse_scope(words: list[str]) -> tuple[str, str, str | None]:
    """The kind, target and agent: `[]` -> own book, `[agency]` -> the agency's,
    `[agent, First, Last]` -> one agent's; `[followups, dmi, agency]` and the other kinds as
    :func:`exports.kinds.read_kind` reads them (the same words as in chat)."""
    other = read_kind(words)
    if other is not None:
        return other[0], other[1], None
    if not words:
        return "book", "self", None
    if words == ["agency"]:
        return "book", "agency", None
    if words[0] == "agent" and len(words) > 1:
        return "book", "agent", " ".join(words[1:])
    raise BobError(f"cannot read the scope {' '.join(words)[:40]!r}; use {SCOPE_HELP}")


def export_book(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    kind, target, agent_query = parse_scope(args.scope)
    if args.out is not None:
        _check_out_folder(args.out)
    check_password_choice(runtime, args)
    request = ExportRequest(
        requester_id=actor_id(runtime, args.requester),
        target=target,
        agent_query=agent_query,
        masked=args.masked,
        snapshot=args.snapshot,
        include_changes=args.changes,
        via="cli",
        kind=kind,
    )
    config = runtime.config.exports
    plan = plan_export(runtime.sessions, config, request, utcnow())
    named = plan.export_kind.named
    print(f"Preparing the {named} of {plan.scope_label}: {plan.export_kind.counted(plan.row_estimate)}")
    destination = args.out / plan.file_name if args.out else None
    if destination is not None and destination.exists():
        _fail(runtime, plan.export_id, destination, "a file of that name exists already in the --out folder")
    with progress_bar("exporting", "rows", plan.row_estimate) as bar:
        result = run_export(runtime.sessions, config, plan, utcnow(), bar.advance)
    path = _copy_out(runtime, result, destination) if destination else result.path
    print(f"Encrypted workbook ({result.row_count:,} rows): {path}")
    print(f"It can be fetched again until it expires in {config.expiry_minutes} minutes.")
    hand_over_password(
        runtime,
        args,
        request.requester_id,
        f"export-password-{result.export_id}",
        result.file_name,
        result.password,
    )


def _check_out_folder(out: Path) -> None:
    """Refuse an --out that is a file, or a folder bob cannot write, before the export starts."""
    if out.exists() and not out.is_dir():
        raise BobError(f"--out {out} is a file; give the folder to copy the workbook into")
    existing = next(folder for folder in (out, *out.parents) if folder.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BobError(f"bob cannot write into {existing}; choose another --out folder")


def _fail(runtime: Runtime, export_id: int, where: Path, reason: str) -> NoReturn:
    """Record the export as failed (its stored file is deleted) and say why; the history
    keeps the reason without the path, as it is shown in chat too."""
    fail_export(runtime.sessions, export_id, reason, utcnow())
    raise ExportFailed(f"the export failed: {where}: {reason}; choose another --out folder")


def _copy_out(runtime: Runtime, result: ExportResult, destination: Path) -> Path:
    """Copy the encrypted workbook to ``destination``; a copy that fails fails the export."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail(
            runtime, result.export_id, destination, "a file of that name exists already in the --out folder"
        )
    except OSError as exc:
        _fail(runtime, result.export_id, destination, f"the --out folder cannot be written ({exc.strerror})")
    try:
        with os.fdopen(descriptor, "wb") as out, result.path.open("rb") as encrypted:
            shutil.copyfileobj(encrypted, out)
    except OSError as exc:
        destination.unlink(missing_ok=True)
        _fail(runtime, result.export_id, destination, f"the copy to the --out folder failed ({exc.strerror})")
    return destination


def exports_list(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    now = utcnow()
    requester_id = actor_id(runtime, args.requester)
    history = list_exports(runtime.sessions, requester_id, now)
    print_listing(
        history,
        args.json,
        partial(_history_json, now=now),
        partial(_history_line, now=now),
        "no exports yet",
    )


def _history_line(h: ExportHistoryEntry, now: datetime) -> str:
    """One export: when (the agency's local time), status, rows, whose book, what kind, and
    until when it can be fetched."""
    zone = ZoneInfo(h.time_zone)
    rows = f"{h.row_count:,} rows" if h.row_count is not None else "-"
    if h.available(now) and h.expires_at:
        state = f"until {h.expires_at.astimezone(zone):%H:%M}"
    else:
        state = h.error or ("expired" if h.status == "succeeded" else "")
    return (
        f"{h.export_id:>6}  {h.requested_at.astimezone(zone):%Y-%m-%d %H:%M %Z}  {h.status:<10} "
        f"{rows:>12}  {h.scope_label}  [{_kind(h)}]  {state}"
    )


def _kind(h: ExportHistoryEntry) -> str:
    """What the workbook held: masked or not, live book or snapshot, and the changes sheet."""
    kind = ["masked" if h.masked else "unmasked", "snapshot" if h.from_snapshot else "live book"]
    return ", ".join([*kind, "changes sheet"] if h.with_changes else kind)


def _history_json(h: ExportHistoryEntry, now: datetime) -> dict[str, Any]:
    return {
        "export_id": h.export_id,
        "token": h.token,
        "requested_at": h.requested_at.isoformat(),
        "requested_at_local": h.requested_at.astimezone(ZoneInfo(h.time_zone)).isoformat(),
        "scope": h.scope_label,
        "status": h.status,
        "rows": h.row_count,
        "masked": h.masked,
        "snapshot": h.from_snapshot,
        "changes_sheet": h.with_changes,
        "via": h.via,
        "error": h.error,
        "expires_at": h.expires_at.isoformat() if h.expires_at else None,
        "available": h.available(now),
    }


def exports_expire(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    print(f"deleted {expire_exports(runtime.sessions, utcnow())} expired export file(s)")


def snapshot_take(runtime: Runtime, args: argparse.Namespace) -> None:
    runtime.require_schema()
    now = utcnow()
    with runtime.sessions() as session:
        agencies = session.execute(select(Agency.id, Agency.code, Agency.time_zone)).all()
    if not agencies:
        raise ExportRefused("there are no agencies to snapshot; import or seed a book first")
    for agency_id, code, zone in agencies:
        day: date = args.date or now.astimezone(ZoneInfo(zone)).date()
        rows = take_snapshot(runtime.sessions, agency_id, day, now)
        print(f"{code}: snapshot of {day.isoformat()} holds {rows:,} rows")
