"""Files and folders that hold PII are the owner's alone: folders 0700, files 0600.

The SQLite database (and its -wal/-shm files), captured emails and exported workbooks hold
consumers' names, SSNs and contacts; on a shared machine no other account may read them.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def make_private_folder(path: Path) -> Path:
    """Create ``path`` and every missing folder above it, readable by the owner only.

    Folders that exist already keep their mode: they are the operator's, not bob's. A file
    where a folder should be raises OSError, as ``mkdir`` does.
    """
    missing = [folder for folder in path.parents if not folder.exists()]
    for folder in (*reversed(missing), path):
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    return path


def open_private_file(path: Path) -> int:
    """Create ``path`` (it must not exist) owner-only and return its descriptor for writing."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)


def make_private_sqlite_file(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it, and tighten the files an
    older bob left readable. SQLite creates the -wal and -shm files with the database file's
    mode, so they follow it."""
    make_private_folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))  # an existing file is kept
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        # Another account's database that bob may only use stays as its owner set it.
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if file.stat().st_mode & 0o077:
                file.chmod(PRIVATE_FILE)
