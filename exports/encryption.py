"""Password encryption of the workbook as it is written (Office Agile encryption, AES-256).

The file is the encrypted package Excel writes for "Encrypt with Password", so Excel and
LibreOffice ask for the password and nothing else is needed to open it. The workbook is
encrypted segment by segment as the writer produces it (see :mod:`exports.agile`): the
plaintext never reaches the disk and memory stays flat however large the book. Only bob's
user can read the file.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar, overload

from exports.agile import EncryptedPackageWriter, write_encrypted

T = TypeVar("T")

# No 0/o, 1/l/i: the password is read off a screen and typed by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 4, 5


def generate_password() -> str:
    """A random password like ``k7mq2-xp4rt-9hw3e-b6nza`` (about 99 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))


@overload
def encrypt_workbook(workbook: IO[bytes], destination: Path, password: str) -> None: ...


@overload
def encrypt_workbook(
    workbook: Callable[[EncryptedPackageWriter], T], destination: Path, password: str
) -> T: ...


def encrypt_workbook(
    workbook: IO[bytes] | Callable[[EncryptedPackageWriter], T], destination: Path, password: str
) -> T | None:
    """Create ``destination`` (mode 0600) holding ``workbook``, encrypted with ``password``.

    ``workbook`` is either a finished workbook to read from the start, or a function that
    writes one into the write-only file it is given and whose result is returned: then the
    plaintext never exists whole, in memory or on disk. The file is created exclusively
    and removed again if anything fails, so a failure never leaves a partial file behind.
    """
    write = workbook if callable(workbook) else _copy_of(workbook)
    descriptor = os.open(destination, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w+b") as out:
            return write_encrypted(out, password, write)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise


def _copy_of(finished: IO[bytes]) -> Callable[[EncryptedPackageWriter], None]:
    finished.seek(0)
    return lambda plain: shutil.copyfileobj(finished, plain)
