"""Building a planned export: stream the rows, write and encrypt the workbook, close the history row.

The workbook is encrypted as it is written, so no plain copy reaches the disk; on failure a
partial encrypted file is removed and the history row says ``failed`` with a reason that is
safe to show. The password is returned to the caller and nowhere else: it is not stored,
logged or written next to the file.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from exports.about_sheet import AboutFacts, about_sheet
from exports.changes import changes, changes_sheet
from exports.columns import BookColumn
from exports.encryption import encrypt_workbook, generate_password
from exports.errors import ExportFailed
from exports.follow_up_columns import ExportDay
from exports.kinds import BOOK, ExportKind, export_kind
from exports.masking import mask_rows, masked_kinds
from exports.metrics import count_export
from exports.planning import ExportPlan, export_day
from exports.scope import BookScope, record_scope, sheet_name
from exports.settings import ExportsConfig
from exports.snapshots import KeyedRow, latest_snapshot, snapshot_rows
from exports.workbook import Sheet, write_workbook
from rules.access import audit
from store.db import transaction
from store.errors import BobError
from store.models import Enroller, ExportRecord, ExportStatus, Snapshot
from store.private_files import make_private_folder

log = logging.getLogger(__name__)

_STREAM = {"yield_per": 2000}


@dataclass(frozen=True)
class ExportResult:
    export_id: int
    token: str
    path: Path
    file_name: str
    password: str = field(repr=False)
    row_count: int


def run_export(
    sessions: sessionmaker[Session],
    config: ExportsConfig,
    plan: ExportPlan,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Build, encrypt and store the planned workbook; raises :class:`ExportFailed` on failure.

    On failure the history row says ``failed`` with a reason and no file is left on disk:
    the workbook is encrypted as it is written, and a partial encrypted file is removed.
    ``progress`` is told each time more rows of the book are written.
    """
    directory = Path(config.directory)
    path = export_path(config, plan)
    password = generate_password()
    started = time.monotonic()
    try:
        _create_folder(directory)
        with sessions() as session:
            row_count = _build(session, plan, path, password, now, progress)
    except BaseException as exc:
        _fail(sessions, plan, path, exc, now)
        count_export("failed", started)
        if not isinstance(exc, Exception):
            raise
        raise ExportFailed(f"the export failed: {_failure_reason(exc)}") from None
    _finish(
        sessions,
        plan,
        now,
        "succeeded",
        {"rows": row_count},
        status=ExportStatus.SUCCEEDED,
        row_count=row_count,
        file_path=str(path),
        finished_at=now,
        expires_at=now + timedelta(minutes=config.expiry_minutes),
    )
    log.info("export %s succeeded: %d rows", plan.export_id, row_count)
    count_export("succeeded", started)
    return ExportResult(plan.export_id, plan.token, path, plan.file_name, password, row_count)


def export_path(config: ExportsConfig, plan: ExportPlan) -> Path:
    """Where the planned export's encrypted workbook is written."""
    return Path(config.directory) / f"{plan.token}_{plan.file_name}"


def _fail(
    sessions: sessionmaker[Session], plan: ExportPlan, path: Path, exc: BaseException, now: datetime
) -> None:
    """Remove the partial file and close the history row as ``failed``."""
    remove_file(path)
    reason = _failure_reason(exc)
    # The exception text may quote a value from the book, so only its type is logged.
    log.error("export %s failed: %s", plan.export_id, type(exc).__name__)
    _finish(
        sessions,
        plan,
        now,
        "failed",
        {"reason": reason},
        status=ExportStatus.FAILED,
        error=reason,
        finished_at=now,
    )


def _create_folder(directory: Path) -> None:
    try:
        make_private_folder(directory)
    except OSError as exc:
        # The path stays out of the message: it is shown in Slack.
        raise ExportFailed(
            f"the export folder cannot be created ({exc.strerror or type(exc).__name__}); "
            "ask your bob administrator to check exports.directory in the configuration"
        ) from None


def remove_file(path: Path) -> None:
    """Delete ``path`` if it exists; a missing file or folder means there is nothing to do."""
    with contextlib.suppress(NotADirectoryError):  # a file sits where a folder should be
        path.unlink(missing_ok=True)


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, BobError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"the file could not be written ({exc.strerror or type(exc).__name__})"
    return f"the workbook could not be built ({type(exc).__name__}); try again later"


def _finish(
    sessions: sessionmaker[Session],
    plan: ExportPlan,
    now: datetime,
    outcome: str,
    detail: dict[str, Any],
    **values: Any,
) -> None:
    with transaction(sessions) as session:
        session.execute(update(ExportRecord).where(ExportRecord.id == plan.export_id).values(**values))
        record = session.get_one(ExportRecord, plan.export_id)
        requester = session.get(Enroller, record.requested_by_id)
        audit(session, requester, "export.build", f"export:{plan.export_id}", outcome, now, detail)


def _build(
    session: Session,
    plan: ExportPlan,
    path: Path,
    password: str,
    now: datetime,
    progress: Callable[[int], None] | None,
) -> int:
    record = session.get(ExportRecord, plan.export_id)
    if record is None or record.status != ExportStatus.PROCESSING:
        raise ExportFailed("this export is not waiting to be built; request a new one")
    kind = export_kind(record.kind)
    scope = record_scope(session, record)
    snapshot = session.get(Snapshot, plan.snapshot_id) if plan.snapshot_id else None
    as_of = (snapshot.taken_at if snapshot else now).astimezone(ZoneInfo(scope.agency.time_zone))
    # The day the request was counted on, so the rows are those the plan promised.
    day = export_day(scope, record.requested_at)
    # Streams opened below are closed in the finally, so a failure midway never leaves a
    # server-side cursor behind the session's back.
    streams: list[Iterator[KeyedRow]] = [_keyed_rows(session, kind, scope, snapshot, True, day)]
    if progress is not None:
        streams[0] = _counted(streams[0], progress)
    columns = kind.columns(day)
    sheet_day = snapshot.business_date if snapshot else as_of.date()
    book = _book_sheet(columns, scope, record, streams[0], sheet_day)
    baseline, extra = _changes(session, plan, scope, snapshot, streams, day)
    requester = session.get_one(Enroller, record.requested_by_id)
    facts = AboutFacts(
        scope, requester, record, snapshot, baseline, plan.include_changes, as_of, kind, columns, day
    )
    try:
        return encrypt_workbook(
            lambda plain: write_workbook(plain, book, lambda rows: about_sheet(facts, rows), extra),
            path,
            password,
        )
    finally:
        for stream in streams:
            stream.close()  # type: ignore[attr-defined]


def _counted(
    rows: Iterator[KeyedRow], progress: Callable[[int], None], every: int = 1000
) -> Iterator[KeyedRow]:
    """``rows`` as they are, telling ``progress`` after each ``every`` rows and at the end."""
    done = 0
    try:
        for done, row in enumerate(rows, start=1):
            yield row
            if done % every == 0:
                progress(every)
    finally:
        rows.close()  # type: ignore[attr-defined]
    progress(done % every)


def _book_sheet(
    columns: Sequence[BookColumn],
    scope: BookScope,
    record: ExportRecord,
    keyed: Iterator[KeyedRow],
    as_of: date,
) -> Sheet:
    """The export's first sheet: its kind's columns, masked if the export asked for it."""
    rows: Iterator[Sequence[Any]] = (values for _, _, values in keyed)
    kinds = [column.kind for column in columns]
    if record.masked:
        rows, kinds = mask_rows(rows, columns), masked_kinds(kinds, columns)
    headers = [column.header for column in columns]
    return Sheet(sheet_name(scope, as_of), headers, kinds, [column.width for column in columns], rows)


def _changes(
    session: Session,
    plan: ExportPlan,
    scope: BookScope,
    snapshot: Snapshot | None,
    streams: list[Iterator[KeyedRow]],
    day: ExportDay,
) -> tuple[Snapshot | None, list[Sheet]]:
    """The "Changed since last snapshot" sheet, if asked for, and the snapshot it compares
    with; the two streams it reads are appended to ``streams`` for closing."""
    if not plan.include_changes:
        return None, []
    before = snapshot.business_date if snapshot else None
    baseline = latest_snapshot(session, scope.agency.id, before=before)
    if baseline is None:
        return None, [changes_sheet(())]
    streams.append(_keyed_rows(session, BOOK, scope, snapshot, False, day))
    streams.append(snapshot_rows(session, baseline.id, scope.subject_id, False))
    return baseline, [changes_sheet(changes(streams[1], streams[2]))]


def _keyed_rows(
    session: Session,
    kind: ExportKind,
    scope: BookScope,
    snapshot: Snapshot | None,
    by_case_number: bool,
    day: ExportDay,
) -> Iterator[KeyedRow]:
    """The kind's rows, live or (a book) from a snapshot, streamed in the kind's order (or,
    for the changes sheet, the book's in id order). A kind not keyed by
    consumer and agent gets 0s for both."""
    if snapshot is not None:
        yield from snapshot_rows(session, snapshot.id, scope.subject_id, by_case_number)
        return
    query = kind.rows(scope.filters, day)
    if not by_case_number:
        query = query.order_by(None).order_by(*query.selected_columns[:2])
    with session.execute(query, execution_options=_STREAM) as result:
        if kind.keyed:
            for row in result:
                yield row[0], row[1], row[2:]
        else:
            for row in result:
                yield 0, 0, row
