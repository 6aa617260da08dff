"""Open a password-encrypted workbook in LibreOffice through UNO and save its first sheet as CSV.

Run with the system Python that has ``uno`` (Debian's python3-uno), not bob's virtualenv:
``/usr/bin/python3 tests/libreoffice_reader.py BOOK.xlsx PASSWORD OUT.csv PROFILE_DIR``.
Exit status 0 on success; 3 when LibreOffice refuses the password or cannot open the file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.lang import IllegalArgumentException  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(book: Path, password: str, csv_out: Path, profile: Path) -> int:
    pipe = f"bob-test-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # soffice is a launcher: soffice.bin is its child, in its group
    )
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 90
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if time.monotonic() > deadline or office.poll() is not None:
                    raise
                time.sleep(0.5)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        try:
            document = desktop.loadComponentFromURL(
                book.resolve().as_uri(),
                "_blank",
                0,
                (prop("Hidden", True), prop("ReadOnly", True), prop("Password", password)),
            )
        except IllegalArgumentException:
            document = None
        if document is None:
            return 3
        document.storeToURL(
            csv_out.resolve().as_uri(),
            (prop("FilterName", "Text - txt - csv (StarCalc)"), prop("FilterOptions", "44,34,76,1")),
        )
        document.close(True)
        return 0
    finally:
        # Also after a refused password: without terminate() soffice.bin stayed up, and
        # killing the launcher left it running on its own.
        if desktop is not None:
            with contextlib.suppress(Exception):  # the bridge drops as soffice exits
                desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            office.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(office.pid, signal.SIGKILL)
        office.wait()


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))
