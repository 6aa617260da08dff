"""The rejects file beside the input: ``<name>.rejects.csv`` with row, column and reason.

It is opened on the first reject only; an import without rejects removes a stale file
from an earlier run so the folder never shows reasons that no longer hold.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from store.importers.records import Reject


def rejects_path_for(source: Path, label: str | None = None) -> Path:
    stem = source.stem if label is None else f"{source.stem}.{label}"
    return source.with_name(f"{stem}.rejects.csv")


class RejectsFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def add(self, reject: Reject) -> None:
        if self._writer is None:
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["row", "column", "reason"])
        self._writer.writerow([reject.row, reject.column, reject.reason])
        self.count += 1

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.close()
        elif self.path.exists():
            self.path.unlink()
