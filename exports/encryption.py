"""Password encryption of a finished workbook (Office Agile encryption, AES-256).

msoffcrypto-tool writes the same encrypted package Excel writes when you set "Encrypt with
Password", so Excel and LibreOffice ask for the password and nothing else is needed to
open the file. The plaintext workbook is handed over in memory; only the encrypted bytes
ever reach the disk, in a file only bob's user can read.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO

from msoffcrypto.format.ooxml import OOXMLFile

# No 0/o, 1/l/i: the password is read off a screen and typed by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 4, 5


def generate_password() -> str:
    """A random password like ``k7mq2-xp4rt-9hw3e-b6nza`` (about 99 bits)."""
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS)
    )


def encrypt_workbook(plain: IO[bytes], destination: Path, password: str) -> None:
    """Encrypt the workbook in ``plain`` into a new file ``destination`` (mode 0600).

    The file is created exclusively and removed again if encryption fails, so a failure
    never leaves a partial file behind.
    """
    plain.seek(0)
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            OOXMLFile(plain).encrypt(password, out)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
