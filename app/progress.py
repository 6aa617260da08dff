"""The progress bar of long commands (`bob seed`, `bob import`, `bob export`, `bob summary run`).

It is drawn on stderr, and only when stderr is a terminal: in tests, pipes and cron logs a
command prints its summary lines and nothing else. With a known total it shows the bar and
the time remaining; without one, a spinner and the count. It never shows a value from the
data, only counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Bar:
    """A progress bar's handle: ``advance(count)`` for work done since the last call,
    ``reach(done)`` for work done so far. Off a terminal both do nothing."""

    def __init__(self, progress: Progress | None = None, unit: str = "") -> None:
        self._progress = progress
        self._unit = unit
        self._done = 0

    def advance(self, count: int) -> None:
        self.reach(self._done + count)

    def reach(self, done: int) -> None:
        self._done = done
        if self._progress is None:
            return
        task = self._progress.task_ids[0]
        self._progress.update(task, completed=done)
        speed = self._progress.tasks[0].speed
        self._progress.update(task, rate=f"{speed:,.0f} {self._unit}/s" if speed else "")


def progress_console() -> Console:
    """The console bars are drawn on (tests replace it with a forced terminal)."""
    return Console(stderr=True)


@contextmanager
def progress_bar(label: str, unit: str, total: int | None = None) -> Iterator[Bar]:
    """A bar counting ``unit`` (rows, digests) with their rate and, when ``total`` is known,
    the time remaining; drawn only when stderr is a terminal."""
    console = progress_console()
    if not console.is_terminal:
        yield Bar()
        return
    counted = "{task.completed:,}" + ("/{task.total:,}" if total is not None else "")
    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn(label)]
    if total is not None:
        columns.append(BarColumn())
    columns += [TextColumn(f"{counted} {unit}"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    if total is not None:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        progress.add_task(label, total=total, rate="")
        yield Bar(progress, unit)
