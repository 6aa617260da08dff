"""An export built in a process of its own (exports.worker): the same encrypted workbook and
history as in the serving process, and every way the child can end badly reported clearly."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from exports import worker
from exports.errors import ExportFailed
from exports.planning import ExportPlan, ExportRequest, plan_export
from exports.settings import ExportsConfig
from exports.worker import CRASHED, STOPPED, build_in_worker
from store.models import AuditEntry, ExportRecord, ExportStatus
from tests.export_fixtures import NOW, People, build_people, open_workbook

WAIT_S = 60  # a hang fails the test instead of the suite


@pytest.fixture
def people(book) -> People:
    return build_people(book)


@pytest.fixture
def config(tmp_path: Path) -> ExportsConfig:
    return ExportsConfig(directory=str(tmp_path / "exports"))


def planned(sessions, config, people) -> ExportPlan:
    return plan_export(sessions, config, ExportRequest(people.ana), NOW)


async def worker_of(plan: ExportPlan) -> multiprocessing.process.BaseProcess:
    """The child process building ``plan``, as soon as it runs."""
    for _ in range(WAIT_S * 200):
        found = [p for p in multiprocessing.active_children() if p.name == f"bob-export-{plan.export_id}"]
        if found and found[0].pid is not None:
            return found[0]
        await asyncio.sleep(0.005)
    raise AssertionError("the export's process never started")


def history(sessions, plan: ExportPlan) -> tuple[ExportRecord, list[str]]:
    with sessions() as session:
        record = session.get_one(ExportRecord, plan.export_id)
        builds = session.scalars(
            select(AuditEntry.outcome).where(
                AuditEntry.action == "export.build", AuditEntry.target == f"export:{plan.export_id}"
            )
        ).all()
    return record, list(builds)


async def test_the_workbook_is_built_in_another_process_encrypted_and_recorded_once(
    sessions, config, people, caplog
):
    caplog.set_level(logging.INFO)
    plan = planned(sessions, config, people)
    building = asyncio.create_task(build_in_worker(sessions, config, plan, NOW))
    worker = await worker_of(plan)
    result = await asyncio.wait_for(building, WAIT_S)
    assert worker.pid != os.getpid()
    assert not worker.is_alive()
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    rows = list(open_workbook(result.path, result.password).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == result.row_count == plan.row_estimate
    record, builds = history(sessions, plan)
    assert record.status == ExportStatus.SUCCEEDED and record.file_path == str(result.path)
    assert builds == ["succeeded"]
    # The child's log lines reach the parent's handlers, and the password none of them.
    assert f"export {plan.export_id} succeeded: {result.row_count} rows" in caplog.text
    assert result.password not in caplog.text


async def test_a_worker_that_dies_is_a_clear_failure_not_a_hang(sessions, config, people):
    plan = planned(sessions, config, people)
    building = asyncio.create_task(build_in_worker(sessions, config, plan, NOW))
    worker = await worker_of(plan)
    os.kill(worker.pid, signal.SIGKILL)
    with pytest.raises(ExportFailed) as failure:
        await asyncio.wait_for(building, WAIT_S)
    assert str(failure.value) == f"the export failed: {CRASHED}"
    record, builds = history(sessions, plan)
    assert record.status == ExportStatus.FAILED and record.error == CRASHED
    assert record.file_path is None
    assert builds == ["failed"]
    assert list(Path(config.directory).glob("*")) == []


async def test_a_failure_inside_the_worker_is_reported_with_its_reason_and_closed_once(
    sessions, tmp_path, people
):
    (tmp_path / "exports").write_text("not a folder")
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    plan = planned(sessions, config, people)
    with pytest.raises(ExportFailed, match="^the export failed: the export folder cannot be created"):
        await asyncio.wait_for(build_in_worker(sessions, config, plan, NOW), WAIT_S)
    record, builds = history(sessions, plan)
    assert record.status == ExportStatus.FAILED and record.error.startswith("the export folder cannot")
    assert builds == ["failed"]


async def test_cancelling_the_wait_stops_the_worker_and_closes_the_export_as_failed(sessions, config, people):
    plan = planned(sessions, config, people)
    building = asyncio.create_task(build_in_worker(sessions, config, plan, NOW))
    worker = await worker_of(plan)
    building.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(building, WAIT_S)
    assert not worker.is_alive()
    record, builds = history(sessions, plan)
    assert record.status == ExportStatus.FAILED and record.error == STOPPED
    # Had the child finished first, its password never left it: failed all the same.
    assert builds in (["failed"], ["succeeded", "failed"])
    assert list(Path(config.directory).glob("*")) == []


def test_a_worker_whose_parent_stopped_listening_closes_its_export_as_failed(sessions, config, people):
    plan = planned(sessions, config, people)
    context = worker._context()
    receiving, sending = context.Pipe(duplex=False)
    receiving.close()  # bob stopped: nobody will take the workbook or its password
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    child = context.Process(target=worker._child, args=(sending, url, config, plan, NOW, logging.INFO))
    child.start()
    sending.close()
    child.join(WAIT_S)
    assert child.exitcode == 0
    record, builds = history(sessions, plan)
    assert record.status == ExportStatus.FAILED and record.error == STOPPED
    assert builds == ["succeeded", "failed"]
    assert list(Path(config.directory).glob("*")) == []
