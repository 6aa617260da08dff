"""Streaming rows out of a CSV file or an Excel workbook (encrypted or not).

Nothing here loads a whole file: the CSV reader (no line read past ``MAX_CSV_LINE``
characters, no value past the csv module's field limit) and :mod:`store.importers.xlsx`
hand out one row at a time, within the limits that module states. An encrypted workbook is the
exception: msoffcrypto decrypts it into memory, never to disk, because the plain workbook
holds PII; a file no bigger than ``MAX_ENCRYPTED_BYTES`` (the decrypted workbook is no
bigger than the encrypted one).

A damaged or hostile file ends in one line naming it, whatever the library reading it
raised (``UNREADABLE``): olefile and msoffcrypto raise ValueError, struct.error or
IndexError on random bytes behind an OLE header, zipfile raises zlib.error or EOFError.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import msoffcrypto
from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError

from store.errors import BobError
from store.importers.records import Reject
from store.importers.xlsx import SheetLimit, XlsxBook

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_ENCRYPTED_BYTES = 512 << 20
MAX_CSV_LINE = 4 << 20  # characters in one line of a CSV file, read no further
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    ElementTree.ParseError,
    KeyError,
    IndexError,
    ValueError,
    LookupError,
    EOFError,
    OSError,
    OverflowError,
    NotImplementedError,
    struct.error,
)
ABOUT_SHEET = "About"
ABOUT_AS_OF = "As of (ISO 8601)"  # the About sheet's line that states when the book was true
EXTRA_VALUES = "(row)"  # a reject's column when the row's structure, not one value, is wrong


class SourceError(BobError):
    """The file cannot be read as a table: wrong type, encrypted, unreadable."""


@dataclass
class Table:
    """A header and its rows; ``rows`` yields (row number as the user sees it, cells), or
    the reject of a row whose structure is wrong."""

    name: str
    header: list[str]
    rows: Generator[tuple[int, list[Any]] | Reject, None, None]
    as_of: datetime | None = None  # when the file says its rows were true, if it says


def _clean_header(cells: list[Any]) -> list[str]:
    header = ["" if cell is None else str(cell).strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    return header


@contextmanager
def open_csv(path: Path) -> Iterator[Table]:
    with path.open("rb") as probe:
        head = probe.read(65536)
    if head.startswith((b"PK\x03\x04", OLE_MAGIC)) or b"\x00" in head:
        raise SourceError(f"{path.name} is not a CSV text file; save it as CSV (UTF-8)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the probe's end is fine
            raise SourceError(f"{path.name} is not UTF-8 text; save it as CSV (UTF-8)") from None
    _check_csv(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(_bounded_lines(handle, path.name))
        header = _clean_header(next(reader, []))
        yield Table(path.name, header, _csv_rows(reader, len(header)))


def _bounded_lines(handle: IO[str], name: str) -> Iterator[str]:
    """The file's lines, none read past ``MAX_CSV_LINE`` characters: a file of one endless
    line must not be read into memory whole (a value's own size is the CSV reader's limit)."""
    while line := handle.readline(MAX_CSV_LINE + 1):
        if len(line) > MAX_CSV_LINE:
            raise SourceError(
                f"{name} has a line longer than {MAX_CSV_LINE >> 20} MB characters; nothing was loaded"
            )
        yield line


def _check_csv(path: Path) -> None:
    """Read the whole file once as CSV before anything is written, so a file that breaks
    half-way (not UTF-8 further on, a value over the CSV reader's limit) stops the import
    with nothing loaded. Parsing alone is cheap next to loading: 2.9 s for 500,000 rows of
    bob's 24 consumer columns (90 MB) on the 2-core test machine."""
    number = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for _ in csv.reader(_bounded_lines(handle, path.name)):
                number += 1
    except UnicodeDecodeError:
        where = f"stops being UTF-8 text after row {number}" if number else "is not UTF-8 text"
        raise SourceError(
            f"{path.name} {where}; nothing was loaded; save it as CSV (UTF-8) and import it again"
        ) from None
    except csv.Error as exc:
        raise SourceError(
            f"{path.name} row {number + 1} is not valid CSV ({exc}); nothing was loaded"
        ) from None


def _csv_rows(reader: Any, width: int) -> Generator[tuple[int, list[Any]] | Reject, None, None]:
    """Each row with its number, or why its structure is wrong: more values than the header
    has columns, or a quote left open that swallowed the lines after it into one value."""
    number = 1
    for cells in reader:
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[width:]):
            yield Reject(
                number,
                EXTRA_VALUES,
                f"{len(cells)} values, but the header has {width} columns; quote a value that holds a comma",
            )
        elif any(_swallows_rows(cell, width) for cell in cells):
            yield Reject(
                number,
                EXTRA_VALUES,
                "a quote is left open, so the lines after it were read as one value; close or remove it",
            )
        else:
            yield number, cells


def _swallows_rows(cell: str, width: int) -> bool:
    """A value with a later line that looks like a row of its own (as many commas as the
    header has separators) swallowed rows after a stray quote; a multi-line address does not."""
    if "\n" not in cell and "\r" not in cell:
        return False
    return any(line.count(",") >= max(width - 1, 1) for line in cell.splitlines()[1:])


def _decrypted(path: Path, password: str | None) -> IO[bytes]:
    if password is None:
        raise SourceError(f"{path.name} is encrypted; give its password with --password or --password-file")
    if path.stat().st_size > MAX_ENCRYPTED_BYTES:
        raise SourceError(f"{path.name} is larger than {MAX_ENCRYPTED_BYTES >> 20} MB; split the book")
    try:
        with path.open("rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            if not office.is_encrypted():
                raise SourceError(f"{path.name} is an old-style .xls file; save it as .xlsx")
            office.load_key(password=password)
            plain = io.BytesIO()
            office.decrypt(plain)
    except (InvalidKeyError, DecryptionError):
        raise SourceError(f"the password does not open {path.name}; check it") from None
    except (FileFormatError, *UNREADABLE):
        raise SourceError(f"{path.name} is not an Excel workbook (.xlsx)") from None
    plain.seek(0)
    return plain


def workbook_source(path: Path, password: str | None) -> Path | IO[bytes]:
    """The workbook to hand openpyxl: the file itself, or its decrypted bytes in memory."""
    with path.open("rb") as probe:
        magic = probe.read(8)
    if magic == OLE_MAGIC:
        return _decrypted(path, password)
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name} is not an Excel workbook (.xlsx)")
    return path


@contextmanager
def open_workbook(path: Path, password: str | None) -> Iterator[XlsxBook]:
    source = workbook_source(path, password)
    try:
        book = XlsxBook(source if isinstance(source, io.BytesIO) else str(source))
    except SheetLimit as exc:
        raise SourceError(f"{path.name} is too large to import: {exc}") from None
    except UNREADABLE:
        raise SourceError(f"{path.name} is not an Excel workbook (.xlsx)") from None
    try:
        yield book
    finally:
        book.close()


def sheet_table(book: XlsxBook, sheet_name: str, label: str) -> Table:
    rows = _guarded(book.rows(sheet_name), label)
    header = _clean_header(list(next(rows, [])))
    return Table(label, header, _sheet_rows(rows))


def _guarded(rows: Iterator[list[Any]], label: str) -> Iterator[list[Any]]:
    """A sheet whose XML breaks half-way stops with one clear line."""
    try:
        yield from rows
    except SheetLimit as exc:
        raise SourceError(f"{label} is too large to import: {exc}") from None
    except UNREADABLE:
        raise SourceError(f"{label} is damaged: its sheet cannot be read to the end") from None


def data_sheets(book: XlsxBook) -> list[str]:
    """Every sheet but the "About" sheet bob's own exports add."""
    return [name for name in book.sheetnames if name.strip().lower() != ABOUT_SHEET.lower()]


def stated_as_of(book: XlsxBook) -> datetime | None:
    """The as-of a bob-made workbook states on its About sheet (an aware ISO 8601 time)."""
    about = next((n for n in book.sheetnames if n.strip().lower() == ABOUT_SHEET.lower()), None)
    if about is None:
        return None
    for cells in _guarded(book.rows(about), ABOUT_SHEET):
        if len(cells) >= 2 and cells[0] == ABOUT_AS_OF and isinstance(cells[1], str):
            try:
                stated = datetime.fromisoformat(cells[1].strip())
            except ValueError:
                return None
            return stated if stated.tzinfo else None
    return None


def _sheet_rows(rows: Iterator[list[Any]]) -> Generator[tuple[int, list[Any]] | Reject, None, None]:
    for number, cells in enumerate(rows, start=2):
        if any(not (cell is None or (isinstance(cell, str) and not cell.strip())) for cell in cells):
            yield number, list(cells)


@contextmanager
def open_table(path: Path, password: str | None = None) -> Iterator[Table]:
    """The one table of a CSV file, or the first data sheet of a workbook."""
    if not path.is_file():
        raise SourceError(f"{path} is not a file; check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open_csv(path) as table:
            yield table
        return
    if suffix not in {".xlsx", ".xlsm"}:
        raise SourceError(f"{path.name} is neither .csv nor .xlsx; export it as one of those")
    with open_workbook(path, password) as book:
        sheets = data_sheets(book)
        if not sheets:
            raise SourceError(f"{path.name} has no data sheet")
        stated = stated_as_of(book)
        table = sheet_table(book, sheets[0], path.name)
        table.as_of = stated
        try:
            yield table
        finally:  # rows left unread (another process read them) still close the sheet
            table.rows.close()
