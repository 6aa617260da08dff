"""The reading process: items arrive in order, it reads ahead while the parent is busy,
and it goes away when the parent stops early or it fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.importers import worker
from store.importers.worker import in_worker

ITEM = "x" * 1000  # a batch of 500 (distinct) items is far larger than a pipe holds


def numbered(count: int, progress: str) -> Iterator[tuple[int, str]]:
    """Items for the child to make; it notes how far it got after each one."""
    mark = Path(progress)
    for n in range(count):
        if n % 100 == 0:
            mark.write_text(str(n))
        yield n, f"{n:08d}{ITEM}"


def numbered_by(pid_file: str, count: int, progress: str) -> Iterator[tuple[int, str]]:
    """As ``numbered``, first noting the reading process's pid."""
    Path(pid_file).write_text(str(os.getpid()))
    yield from numbered(count, progress)


def failing(after: int) -> Iterator[int]:
    yield from range(after)
    raise ValueError("sheet1.xml is damaged")


def produced(progress: Path) -> int:
    try:
        return int(progress.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def test_items_arrive_in_order(tmp_path: Path) -> None:
    items = list(in_worker(numbered, 2 * worker.BATCH + 7, str(tmp_path / "progress")))
    assert [n for n, _ in items] == list(range(2 * worker.BATCH + 7))


def test_the_child_reads_ahead_while_the_parent_is_busy(tmp_path: Path) -> None:
    progress = tmp_path / "progress"
    items = in_worker(numbered, 40 * worker.BATCH, str(progress))
    assert next(items)[0] == 0
    deadline = time.monotonic() + 30
    while produced(progress) < 6 * worker.BATCH and time.monotonic() < deadline:
        time.sleep(0.05)  # the parent "writes to the database" and reads nothing
    assert produced(progress) >= 6 * worker.BATCH
    assert produced(progress) < (worker.AHEAD + 4) * worker.BATCH  # bounded: memory stays flat
    items.close()


def test_stopping_early_ends_the_child(tmp_path: Path) -> None:
    progress = tmp_path / "progress"
    items = in_worker(numbered, 1_000_000, str(progress))
    next(items)
    items.close()
    before = produced(progress)
    time.sleep(0.5)
    assert produced(progress) == before  # nobody is reading any more


def test_a_failure_in_the_child_is_raised_in_the_parent() -> None:
    items = in_worker(failing, 3)
    with pytest.raises(ValueError, match="damaged"):
        list(items)


IMPORTER = """
import os, signal, sys
from store.importers.worker import in_worker
from tests.test_import_worker import numbered_by
items = in_worker(numbered_by, sys.argv[1], 1_000_000, sys.argv[2])
next(items)
os.kill(os.getpid(), signal.SIGKILL)  # the importer dies: no clean-up runs
"""


def test_a_killed_importer_does_not_leave_its_reader_behind(tmp_path: Path) -> None:
    pid_file, progress = tmp_path / "reader.pid", tmp_path / "progress"
    importer = subprocess.run(
        [sys.executable, "-c", IMPORTER, str(pid_file), str(progress)],
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )
    assert importer.returncode == -signal.SIGKILL
    reader = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _running(reader) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(reader), "the reading process outlived the importer"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has ended; only its entry is left
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
