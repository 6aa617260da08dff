"""A minimal streaming reader for .xlsx sheets: values only, one row at a time.

Why not openpyxl's read-only mode: on a 48-column book it reads ~750 rows/s here, because
it builds an object per inline string and, when a sheet has no ``<dimension>`` (bob's own
export writes none), parses the whole sheet once more just to size it.

Why not one parser event per element either: a 48-column row is ~150 elements, and the
Python side of each event cost more than the parsing itself. So the sheet is read in
blocks of whole rows and scanned with two regular expressions (one finds rows, one finds
cells with their reference, type, style and value); the cells every writer produces
(inline strings, shared-string indexes, numbers, booleans) are turned into values in one
tight loop. Any row holding something else (rich text, a formula, a comment, CDATA) is
handed to the C XML parser, and so is a whole sheet the scanner does not expect (a
namespace prefix, another encoding): both paths give the same values. Memory stays flat
whatever the sheet's length.

A hostile file costs bounded time and memory: a row numbered two billion once meant two
billion empty rows, one huge cell quadratic copying. So a workbook is refused with one
:class:`SheetLimit` line past any of these:

- ``MAX_ROWS`` rows, Excel's own (1,048,576), and ``MAX_COLUMNS`` columns (16,384, column
  XFD; with the cells, in :mod:`store.importers.xlsx_cells`);
- ``MAX_ROW_BYTES`` (16 MB) of XML for one row, hence for any one cell; read whole, since
  the text cells bob keeps are far smaller, and Excel stops a cell at 32,767 characters;
- ``MAX_PART_BYTES`` (512 MB) unpacked for a sheet or the shared strings, and
  ``MAX_SMALL_PART_BYTES`` (16 MB) for the parts read whole (workbook, relationships,
  styles), checked against the sizes the zip declares (the reader never unpacks more).

A character reference XML does not allow (``&#xD800;``) is damage, as it is to the XML
parser; expat stops an entity that expands a billion laughs.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any, cast
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from store.importers.xlsx_cells import (
    MAIN,
    MAIN_URI,
    SheetLimit,
    scanned_cells,
    string_item,
    tree_cells,
)

REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

BLOCK = 1 << 20  # bytes read from the sheet at a time
MAX_ROWS = 1_048_576
MAX_ROW_BYTES = 16 << 20
MAX_PART_BYTES = 512 << 20
MAX_SMALL_PART_BYTES = 16 << 20
ROOT_TAG = re.compile(rb"<(?:(\w+):)?worksheet\b([^>]*)>")
ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=["']([\w.-]+)["']""")
NAMESPACES = re.compile(r"""\sxmlns(?::\w+)?=(?:"[^"]*"|'[^']*')""")
ROW_ELEMENT = re.compile(r"<row\b([^>]*+)(?<!/)>((?:[^<]++|<(?!/row>))*+)</row>|<row\b([^>]*?)/>")
ROW_NUMBER = re.compile(r"""\sr\s*=\s*["'](\d+)["']""")


def _row_number(digits: str) -> int:
    number = int(digits) if len(digits) <= 8 else MAX_ROWS + 1
    if number > MAX_ROWS:
        raise SheetLimit(f"a row lies beyond row {MAX_ROWS:,}, Excel's last")
    return number


class XlsxBook:
    """Sheet names and streaming rows of one workbook (a path or an in-memory file)."""

    def __init__(self, source: str | IO[bytes]) -> None:
        self.package = zipfile.ZipFile(source)
        workbook = ElementTree.fromstring(self._small_part("xl/workbook.xml"))
        rels = ElementTree.fromstring(self._small_part("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PACKAGE_REL}Relationship")}
        self.sheets: dict[str, str] = {}
        for sheet in workbook.iter(f"{MAIN}sheet"):
            target = targets.get(sheet.get(f"{REL}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            self.sheets[sheet.get("name", "")] = posixpath.normpath(path)
        self._strings: list[str] | None = None
        self._dates: set[int] | None = None

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def close(self) -> None:
        self.package.close()

    def _open_part(self, name: str, limit: int | None = None) -> IO[bytes]:
        """A part to stream, refused if the zip says it unpacks past ``limit`` (by default
        ``MAX_PART_BYTES``; zipfile never unpacks more than the size declared)."""
        limit = limit or MAX_PART_BYTES
        if self.package.getinfo(name).file_size > limit:
            raise SheetLimit(f"{name} unpacks to more than {limit >> 20} MB")
        return self.package.open(name)

    def _small_part(self, name: str) -> bytes:
        with self._open_part(name, MAX_SMALL_PART_BYTES) as stream:
            return stream.read()

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.package.namelist():
                with self._open_part("xl/sharedStrings.xml") as stream:
                    for _, element in ElementTree.iterparse(stream):
                        if element.tag == f"{MAIN}si":
                            self._strings.append(string_item(element))
                            element.clear()
        return self._strings

    def _date_styles(self) -> set[int]:
        """Indexes of the cell styles whose number format shows a date."""
        if self._dates is None:
            self._dates = set()
            if "xl/styles.xml" in self.package.namelist():
                styles = ElementTree.fromstring(self._small_part("xl/styles.xml"))
                custom = {
                    int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
                    for fmt in styles.iter(f"{MAIN}numFmt")
                }
                cell_xfs = styles.find(f"{MAIN}cellXfs")
                for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
                    fmt_id = int(xf.get("numFmtId", "0"))
                    code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
                    if is_date_format(code):
                        self._dates.add(index)
        return self._dates

    def rows(self, sheet: str) -> Iterator[list[Any]]:
        """Every row of ``sheet`` from the first, gaps included as empty lists."""
        with self._open_part(self.sheets[sheet]) as stream:
            head = stream.read(BLOCK)
            root = ROOT_TAG.search(head)
            encoding = ENCODING.match(head)
            if (
                root is not None
                and root[1] is None
                and f'xmlns="{MAIN_URI}"'.encode() in root[2]
                and b"<!DOCTYPE" not in head[: root.start()]
                and (encoding is None or encoding[1].lower() in (b"utf-8", b"utf8"))
            ):
                namespaces = "".join(NAMESPACES.findall(root[2].decode("utf-8")))
                yield from self._scanned_rows(stream, head, namespaces)
                return
        with self._open_part(self.sheets[sheet]) as stream:
            yield from self._parsed_rows(stream)

    def _parsed_rows(self, stream: IO[bytes]) -> Iterator[list[Any]]:
        """The general path: the C XML parser, one event per element, fed in blocks so
        that a row past ``MAX_ROW_BYTES`` stops it before it is held whole."""
        strings, dates = self._shared_strings(), self._date_styles()
        parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(("end",))
        expected, since_row, block = 1, 0, b"-"
        while block:
            block = stream.read(BLOCK)
            if block:
                parser.feed(block)
            else:
                parser.close()
            since_row += len(block)
            for _, element in cast(Iterator[tuple[str, ElementTree.Element]], parser.read_events()):
                if element.tag != f"{MAIN}row":
                    continue
                since_row = 0
                number = _row_number(element.get("r") or str(expected))
                while expected < number:
                    expected += 1
                    yield []
                expected = number + 1
                yield tree_cells(element, strings, dates)
                element.clear()
            if since_row > MAX_ROW_BYTES:
                raise _row_too_large()

    def _scanned_rows(self, stream: IO[bytes], head: bytes, namespaces: str) -> Iterator[list[Any]]:
        """The quick path: blocks of whole rows cut from the byte stream and scanned."""
        strings, dates = self._shared_strings(), self._date_styles()
        wrapper = f"<row{namespaces}>"
        expected = 1
        pending = head
        while True:
            block = stream.read(BLOCK)
            if block:
                cut = pending.rfind(b"</row>")
                if cut < 0:  # no whole row yet
                    if len(pending) > MAX_ROW_BYTES + BLOCK:
                        raise _row_too_large()
                    pending += block
                    continue
                cut += len(b"</row>")
            else:
                cut = len(pending)
            text, pending = pending[:cut].decode("utf-8"), pending[cut:] + block
            for match in ROW_ELEMENT.finditer(text):
                if match.end() - match.start() > MAX_ROW_BYTES:
                    raise _row_too_large()
                attributes, content, empty = match.groups()
                attributes = attributes if empty is None else empty
                numbered = ROW_NUMBER.search(attributes)
                number = _row_number(numbered[1] if numbered else str(expected))
                while expected < number:
                    expected += 1
                    yield []
                expected = number + 1
                cells = scanned_cells(content, strings, dates) if content else []
                if cells is None:
                    row = ElementTree.fromstring(f"{wrapper}{content}</row>")
                    cells = tree_cells(row, strings, dates)
                yield cells
            if not block:
                if "worksheet>" not in text[-100:]:
                    raise ValueError("the sheet ends before its last row")
                return


def _row_too_large() -> SheetLimit:
    return SheetLimit(f"a row is larger than {MAX_ROW_BYTES >> 20} MB")
