"""Turning the cells of one sheet row into values, for :mod:`store.importers.xlsx`.

Two readers of one row give the same values: :func:`scanned_cells` reads the cells every
writer produces straight from the row's text, :func:`tree_cells` reads whatever the XML
parser built. A cell reference past Excel's last column (``ZZZZZZ5`` once asked for a list
of 200 million cells) and a row of more than ``MAX_COLUMNS`` cells raise
:class:`SheetLimit`; a character reference XML does not allow (``&#xD800;``, ``&#0;``) is
damage, as it is to the XML parser.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

MAIN_URI = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN = f"{{{MAIN_URI}}}"
CELL, VALUE, INLINE, TEXT, ROW = f"{MAIN}c", f"{MAIN}v", f"{MAIN}is", f"{MAIN}t", f"{MAIN}r"
COLUMN = re.compile(r"[A-Z]+")
MAX_COLUMNS = 16_384  # Excel's last column, XFD
# One cell: (column letters, type, style, inline text, value, anything else inside). The
# two quick forms need non-empty text, so every other shape lands in the last group.
CELL_ELEMENT = re.compile(
    r'<c(?:\s+(?:r="([A-Z]+)[0-9]*"|t="(\w+)"|s="([0-9]+)"|[\w:]+="[^"]*"))*+\s*+'
    r"(?:/>|>(?:<is><t(?:\s[^>]*+)?>([^<]++)</t></is>|<v>([^<]++)</v>"
    r"|((?:[^<]++|<(?!/c>))*+))</c>)"
)
ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class SheetLimit(ValueError):
    """The workbook goes past one of the limits above; the message says which."""


def _column_index(reference: str) -> int:
    letters = COLUMN.match(reference)
    return _column_of(letters.group()) if letters else -1


@functools.lru_cache(maxsize=MAX_COLUMNS)
def _column_of(letters: str) -> int:
    """The index of column ``letters`` (``A`` is 0); remembered, as a sheet names few."""
    index = 0
    for letter in letters[:4]:
        index = index * 26 + ord(letter) - 64
    if index > MAX_COLUMNS:
        raise SheetLimit(f"a cell lies beyond column XFD, the last of Excel's {MAX_COLUMNS:,} columns")
    return index - 1


def _xml_character(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _entity(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name:
        return NAMED[name]
    digits = hexadecimal or decimal
    code = int(digits, 16 if hexadecimal else 10) if len(digits) <= 8 else -1
    if not _xml_character(code):
        raise ValueError("a character reference XML does not allow")
    return chr(code)


def _unescaped(raw: str) -> str:
    """Character data as an XML parser reports it: line ends normalized, entities replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return ENTITY.sub(_entity, raw) if "&" in raw else raw


def string_item(element: ElementTree.Element) -> str:
    """A string item: plain ``<t>`` or rich-text runs ``<r><t>``; phonetic hints skipped."""
    direct = element.find(TEXT)
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for t in element.iterfind(f"{ROW}/{TEXT}"))


def _number(raw: str, is_date: bool) -> Any:
    if not is_date:  # past 4,300 digits int() refuses; the float is inf, which no parser takes
        return int(raw) if raw.lstrip("-").isdigit() and len(raw) < 4000 else float(raw)
    if raw.isdigit() and len(raw) < 10 and int(raw) >= 60:  # a whole day after Excel's phantom 1900-02-29
        try:
            return WINDOWS_EPOCH + timedelta(days=int(raw))
        except OverflowError:
            return float(raw)  # not a date after all; the column's parser says so
    number = float(raw)
    try:
        return from_excel(number)
    except (ValueError, OverflowError):
        return number


def scanned_cells(content: str, strings: list[str], dates: set[int]) -> list[Any] | None:
    """One row's values, or None when the row needs the XML parser: a cell other than a
    plain string or value (rich text, a formula), a comment, or quoting the scan skips."""
    if "<!" in content or "<?" in content or "='" in content or " =" in content:
        return None
    try:
        cells = CELL_ELEMENT.findall(content)
    except SystemError:  # CPython 3.11's re fails on some possessive backtracking (a cell
        return None  # with a repeated attribute, found by fuzzing): the XML parser decides
    if len(cells) != content.count("<c"):  # a cell the scan could not read whole
        return None
    values: list[Any] = []
    append = values.append
    for column, kind, style, inline, raw, other in cells:
        if column:
            index = _column_of(column)
            if index > len(values):
                values.extend([None] * (index - len(values)))
        if other:
            return None
        if inline:
            append(_unescaped(inline) if kind == "inlineStr" else None)
        elif not raw or kind == "inlineStr":
            append(None)
        elif kind == "" or kind == "n":
            append(_number(raw, (int(style) if style else 0) in dates))
        elif kind == "s":
            append(strings[int(raw)])
        elif kind == "b":
            append(raw == "1")
        else:  # "str" (a formula's text), "e" (an error such as #N/A)
            append(_unescaped(raw))
    if len(values) > MAX_COLUMNS:
        raise SheetLimit(f"a row has more than Excel's {MAX_COLUMNS:,} columns")
    return values


def tree_cells(row: ElementTree.Element, strings: list[str], dates: set[int]) -> list[Any]:
    values: list[Any] = []
    for cell in row.iter(CELL):
        reference = cell.get("r")
        if reference is not None:
            index = _column_index(reference)
            if index > len(values):
                values.extend([None] * (index - len(values)))
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(INLINE)
            values.append(None if inline is None else string_item(inline))
            continue
        raw = cell.findtext(VALUE)
        if not raw:  # no value, or a formula never calculated
            values.append(None)
        elif kind == "s":
            values.append(strings[int(raw)])
        elif kind == "n":
            values.append(_number(raw, int(cell.get("s", "0")) in dates))
        elif kind == "b":
            values.append(raw == "1")
        else:  # "str" (a formula's text), "e" (an error such as #N/A)
            values.append(raw)
    if len(values) > MAX_COLUMNS:
        raise SheetLimit(f"a row has more than Excel's {MAX_COLUMNS:,} columns")
    return values
