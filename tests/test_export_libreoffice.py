"""An independent reader: LibreOffice opens the encrypted workbook with its password."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exports.building import run_export
from exports.columns import Kind
from exports.encryption import encrypt_workbook
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from exports.workbook import Sheet, write_workbook
from tests.export_fixtures import NOW, build_people

SYSTEM_PYTHON = "/usr/bin/python3"
READER = Path(__file__).with_name("libreoffice_reader.py")


def _uno_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or not _uno_available(),
    reason="LibreOffice (soffice) or python3-uno is not installed; run scripts/system-deps.sh",
)


def read_in_libreoffice(book: Path, password: str, tmp_path: Path) -> tuple[int, Path]:
    out = tmp_path / "book.csv"
    done = subprocess.run(
        [SYSTEM_PYTHON, str(READER), str(book), password, str(out), str(tmp_path / "profile")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode not in (0, 3):
        sys.stderr.write(done.stderr)
    return done.returncode, out


def test_libreoffice_opens_the_encrypted_book_with_its_password(sessions, book, tmp_path):
    people = build_people(book)
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    plan = plan_export(sessions, config, ExportRequest(people.ana), NOW)
    result = run_export(sessions, config, plan, NOW)

    status, out = read_in_libreoffice(result.path, result.password, tmp_path)
    assert status == 0
    with out.open(encoding="utf-8", newline="") as text:
        rows = list(csv.reader(text))
    assert rows[0][0] == "Case Number" and rows[0][47] == "Delegated Agent"
    assert len(rows) == 1 + result.row_count
    rich = next(row for row in rows if row[0] == "CASE-RICH-1")
    assert rich[1:5] == ["Rosa", "Ricci", "06/30/1975", "123-45-6789"]
    assert rich[11] == "Apt <4> & B"
    assert rich[18] == "$65,432.10" and rich[19] == "213%"
    assert rich[29] == "Pending" and rich[41:44] == ["2", "1", "Y"]
    assert rich[47] == "Ana Agent (License 0A12345)"


def test_libreoffice_refuses_a_wrong_password(sessions, book, tmp_path):
    people = build_people(book)
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    result = run_export(sessions, config, plan_export(sessions, config, ExportRequest(people.ana), NOW), NOW)
    status, out = read_in_libreoffice(result.path, "not-the-password", tmp_path)
    assert status == 3 and not out.exists()


def test_libreoffice_opens_a_streamed_book_past_109_fat_sectors(tmp_path):
    """Over ~7 MB the container needs DIFAT sectors; the zip (streamed, so with data
    descriptors) is stored uncompressed to get there with few rows."""
    rows = [(f"CASE-{n:05d}", "x" * 400, "y" * 400) for n in range(10_000)]
    text = Kind.TEXT
    book = Sheet("Book", ("Case Number", "Notes", "More"), (text, text, text), (14, 40, 40), iter(rows))
    about = Sheet("About", ("Item",), (text,), (20,), [], filtered=False)
    encrypted = tmp_path / "large.xlsx"
    written = encrypt_workbook(
        lambda plain: write_workbook(plain, book, lambda _count: about, compresslevel=0),
        encrypted,
        "k7mq2-xp4rt-9hw3e-b6nza",
    )
    assert written == 10_000
    assert int.from_bytes(encrypted.read_bytes()[0x48:0x4C], "little") >= 1  # DIFAT sectors

    status, out = read_in_libreoffice(encrypted, "k7mq2-xp4rt-9hw3e-b6nza", tmp_path)
    assert status == 0
    with out.open(encoding="utf-8", newline="") as csv_text:
        read = list(csv.reader(csv_text))
    assert read[0] == ["Case Number", "Notes", "More"]
    assert [tuple(row) for row in read[1:]] == rows
