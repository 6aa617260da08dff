"""Building an export in a process of its own, so `bob serve` stays responsive meanwhile.

`bob serve` answers Slack and the web pages from one event loop in one interpreter. An
export is seconds of pure-Python work (rows to XML, AES): in a worker thread it takes its
share of the interpreter lock for its whole run, and the pages and Slack's acks wait for it
(bench/web.py measured page p99 0.6 s during a 100k-row export, 0.28 s without). Here
each export runs in a child process, forked from a server process (multiprocessing's
"forkserver", started on the first export) that has the export modules imported already,
so a child starts in milliseconds and shares no connection, thread or lock with the parent.
The child runs at a lower CPU priority (``NICENESS``): it uses a free core, and gives way to
the serving process when both want one.

What :func:`exports.building.run_export` promises still holds, since the child runs it: the
workbook is encrypted as it is written (0600, no plain copy on disk), the history row is
closed and audited once. The password comes back over the pipe to the parent only. If the
child dies before handing the workbook over (killed, out of memory, a crash), or the wait
is cancelled (shutdown), the parent kills it, removes any file it left and closes the
history row as failed with a reason, so the user gets a clear failure, never a hang.

The child's log lines are handed to the parent's loggers as text (bob's messages carry ids
and counts, never values); its Prometheus counters die with it, so the parent counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import cast

from sqlalchemy.orm import Session, sessionmaker

from exports.building import ExportResult, export_path, remove_file, run_export
from exports.errors import ExportFailed
from exports.metrics import count_export
from exports.planning import ExportPlan
from exports.settings import ExportsConfig
from rules.access import audit
from store.db import make_engine, session_factory, transaction
from store.errors import BobError
from store.models import Enroller, ExportRecord, ExportStatus

log = logging.getLogger(__name__)

# Added to the child's CPU niceness: under load the pages and Slack's acks come first.
NICENESS = 10
CRASHED = "the export stopped unexpectedly before it was finished; try again in a few minutes"
STOPPED = "the export was stopped because bob was shutting down; request it again"


@dataclass(frozen=True)
class _Done:
    result: ExportResult


@dataclass(frozen=True)
class _Failed:
    reason: str  # safe to show: run_export's reasons never quote a value


@dataclass(frozen=True)
class _Log:
    name: str
    level: int
    message: str


def _context() -> ForkServerContext:
    """The forkserver context. Its server imports this module (so the export code) once, and
    the main module, which each child would otherwise import again as it starts."""
    context = cast(ForkServerContext, multiprocessing.get_context("forkserver"))
    context.set_forkserver_preload(["__main__", __name__])
    return context


def start_fork_server() -> None:
    """Start the fork server now rather than with the first export, which would otherwise wait
    for it to import the export code (1-3 s on a busy machine); `bob serve` calls it once
    listening. Idempotent."""
    _context()
    forkserver.ensure_running()


async def build_in_worker(
    sessions: sessionmaker[Session], config: ExportsConfig, plan: ExportPlan, now: datetime
) -> ExportResult:
    """``run_export(sessions, config, plan, now)``, run in a child process; raises
    :class:`ExportFailed` with a reason to show when it fails, whichever way it fails."""
    started = time.monotonic()
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    context = _context()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(sending, url, config, plan, now, logging.getLogger().getEffectiveLevel()),
        name=f"bob-export-{plan.export_id}",
        daemon=True,
    )
    starting = threading.Lock()  # held while the child starts: stopping it waits for that
    outcome: _Done | _Failed | None = None
    try:
        await asyncio.to_thread(_start, child, starting)  # the first also starts the fork server
        sending.close()
        outcome = await _outcome(receiving)
    except asyncio.CancelledError:
        await asyncio.shield(asyncio.to_thread(_stop, child, starting, sessions, config, plan, now, STOPPED))
        count_export("failed", started)
        raise
    except Exception as exc:  # the child could not be started (no memory, no processes left)
        log.error("export %s: its process did not start (%s)", plan.export_id, type(exc).__name__)
    finally:
        sending.close()
        receiving.close()
    if isinstance(outcome, _Done):
        await asyncio.to_thread(child.join)
        count_export("succeeded", started)
        return outcome.result
    reason = outcome.reason if isinstance(outcome, _Failed) else CRASHED
    await asyncio.to_thread(_stop, child, starting, sessions, config, plan, now, reason)
    count_export("failed", started)
    if outcome is None and child.exitcode is not None:
        log.error(
            "export %s: its process ended without a result (exit code %s)", plan.export_id, child.exitcode
        )
    raise ExportFailed(reason if isinstance(outcome, _Failed) else f"the export failed: {CRASHED}")


def _start(child: BaseProcess, starting: threading.Lock) -> None:
    with starting:
        child.start()


async def _outcome(receiving: Connection) -> _Done | _Failed | None:
    """Read the child's messages as they come, on the event loop (no thread waits): its log
    lines, then its result; None when the pipe closes first (the child died)."""
    loop = asyncio.get_running_loop()
    readable = asyncio.Event()
    loop.add_reader(receiving.fileno(), readable.set)
    try:
        while True:
            await readable.wait()
            readable.clear()
            while receiving.poll():
                try:
                    message = receiving.recv()
                except (EOFError, OSError):
                    return None
                if not isinstance(message, _Log):
                    return cast(_Done | _Failed, message)
                _relay(message)
    finally:
        loop.remove_reader(receiving.fileno())


def _relay(line: _Log) -> None:
    logger = logging.getLogger(line.name)
    if logger.isEnabledFor(line.level):
        logger.log(line.level, "%s", line.message)


def _stop(
    child: BaseProcess,
    starting: threading.Lock,
    sessions: sessionmaker[Session],
    config: ExportsConfig,
    plan: ExportPlan,
    now: datetime,
    reason: str,
) -> None:
    """Make sure the child is gone, then close an export it did not hand over as failed."""
    with starting:
        if child.pid is not None:
            if child.is_alive():
                child.kill()
            child.join()
    close_unfinished(sessions, config, plan, now, reason)


def close_unfinished(
    sessions: sessionmaker[Session], config: ExportsConfig, plan: ExportPlan, now: datetime, reason: str
) -> bool:
    """Close the export's history row as failed (audited) and remove its file, unless the
    row says failed already (the child closed it itself); True when it was closed here.
    Call it only once the child is gone. A row the child closed as succeeded is closed too:
    its password never left the child, so nobody can open that file."""
    with transaction(sessions) as session:
        record = session.get_one(ExportRecord, plan.export_id)
        if record.status == ExportStatus.FAILED:
            return False
        if record.file_path is not None:
            record.deleted_at = now
        record.status, record.error, record.finished_at = ExportStatus.FAILED, reason[:500], now
        requester = session.get(Enroller, record.requested_by_id)
        audit(
            session,
            requester,
            "export.build",
            f"export:{plan.export_id}",
            "failed",
            now,
            {"reason": reason[:500]},
        )
    remove_file(export_path(config, plan))
    return True


def _child(
    sending: Connection, url: str, config: ExportsConfig, plan: ExportPlan, now: datetime, level: int
) -> None:
    """In the child: build the export and send back its result or its failure. Ctrl-C in
    bob's terminal reaches the whole process group; the parent decides, so it is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    _send_logs(sending, level)
    try:
        engine = make_engine(url)
    except BobError as exc:  # the database cannot be reached: the parent closes the row
        _hand_over(sending, _Failed(str(exc)))
        return
    sessions = session_factory(engine)
    outcome: _Done | _Failed
    try:
        try:
            outcome = _Done(run_export(sessions, config, plan, now))
        except BobError as exc:  # ExportFailed: the row says failed already
            outcome = _Failed(str(exc))
        except Exception as exc:  # the message may quote a value: only the type is shown
            outcome = _Failed(f"the export failed: the workbook could not be built ({type(exc).__name__})")
        if not _hand_over(sending, outcome):  # bob stopped meanwhile: nobody gets the password
            close_unfinished(sessions, config, plan, now, STOPPED)
    finally:
        engine.dispose()


def _hand_over(sending: Connection, outcome: _Done | _Failed) -> bool:
    """Send the outcome to the parent; False when the parent is no longer listening."""
    try:
        sending.send(outcome)
        sending.close()
    except OSError:
        return False
    return True


class _PipeHandler(logging.Handler):
    def __init__(self, sending: Connection) -> None:
        super().__init__()
        self.sending = sending

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a log line must never fail the export
            self.sending.send(_Log(record.name, record.levelno, record.getMessage()))


def _send_logs(sending: Connection, level: int) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_PipeHandler(sending))
    root.setLevel(level)
