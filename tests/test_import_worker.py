"""The reading process: items arrive in order, it reads ahead while the parent is busy,
and it goes away when the parent stops early or it fails."""

from __future__ import annotations

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
