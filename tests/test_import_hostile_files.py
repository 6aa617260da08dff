"""Hostile workbooks and CSVs cost bounded time and memory and end in one clear line.

Each input below once took minutes of CPU, ran out of memory or ended in a traceback. The
fuzz tests at the end throw mutated sheets and CSVs at the readers under a time bound.
"""

from __future__ import annotations

import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.importers import xlsx
from store.importers.cells import CellError, parse_cents, percent
from store.importers.sources import OLE_MAGIC, SourceError, open_table
from tests.test_import_xlsx import RELS, STRINGS, STYLES, WORKBOOK, sheet

SECONDS = 5  # each hostile file ends within this, on a busy 2-core machine
MEGABYTES = 64  # and allocates at most this much at its peak


def workbook(path: Path, sheet_xml: str | bytes, parts: dict[str, str] | None = None) -> Path:
    contents: dict[str, str | bytes] = {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": STRINGS,
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(parts or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def read_all(path: Path, password: str | None = None) -> int:
    with open_table(path, password) as table:
        return sum(1 for _ in table.rows)


def one_clear_line(path: Path, password: str | None = None, megabytes: int = MEGABYTES) -> str:
    """The SourceError reading ``path`` ends in, checked for time and memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(SourceError) as raised:
            read_all(path, password)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.monotonic() - started < SECONDS
    assert peak < megabytes * 2**20
    message = str(raised.value)
    assert "\n" not in message and path.name in message
    return message


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>case_number</t></is></c></row>'


def test_a_row_numbered_two_billion_is_refused_at_once(tmp_path):
    rows = HEADER + '<row r="2000000000"><c r="A2000000000"><v>1</v></c></row>'
    path = workbook(tmp_path / "far.xlsx", sheet(rows))
    assert path.stat().st_size < 2000
    assert f"{xlsx.MAX_ROWS:,}" in one_clear_line(path)


def test_a_row_numbered_two_billion_on_the_parser_path_too(tmp_path):
    prefixed = (
        f'<x:worksheet xmlns:x="{xlsx.MAIN_URI}"><x:sheetData><x:row r="2000000000"><x:c><x:v>1</x:v>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )
    assert f"{xlsx.MAX_ROWS:,}" in one_clear_line(workbook(tmp_path / "far.xlsx", prefixed))


@pytest.mark.parametrize("reference", ["ZZZZZZ5", "XFE2", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA2"])
def test_a_cell_beyond_the_last_column_is_refused(tmp_path, reference):
    rows = HEADER + f'<row r="2"><c r="{reference}"><v>1</v></c></row>'
    assert "column" in one_clear_line(workbook(tmp_path / "wide.xlsx", sheet(rows)))
    parsed = rows.replace("<v>1</v>", "<f>1</f><v>1</v>")  # a formula takes the XML parser
    assert "column" in one_clear_line(workbook(tmp_path / "wide2.xlsx", sheet(parsed)))


def test_one_huge_inline_cell_costs_linear_time(tmp_path):
    huge = "x" * (xlsx.MAX_ROW_BYTES + 1)
    rows = HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{huge}</t></is></c></row>'
    assert "larger than" in one_clear_line(workbook(tmp_path / "huge.xlsx", sheet(rows)))


def test_a_cell_just_under_the_row_limit_still_reads(tmp_path):
    big = "x" * (1 << 20)
    rows = HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{big}</t></is></c></row>'
    assert read_all(workbook(tmp_path / "big.xlsx", sheet(rows))) == 1


def test_a_sheet_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 1 << 20)
    rows = HEADER + "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 60_000))
    assert "unpacks to more than" in one_clear_line(workbook(tmp_path / "bomb.xlsx", sheet(rows)))


@pytest.mark.parametrize("reference", ["&#xD800;", "&#0;", "&#99999999999999999999;", "&#x110000;"])
def test_a_character_xml_forbids_is_one_clear_line(tmp_path, reference):
    rows = HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>a{reference}b</t></is></c></row>'
    one_clear_line(workbook(tmp_path / "char.xlsx", sheet(rows)))


LAUGHS = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))


@pytest.mark.parametrize(
    "part", ["xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]
)
def test_a_billion_laughs_in_any_part_is_one_clear_line(tmp_path, part):
    """expat stops an entity that expands a hundredfold past 8 MB, after ~70 MB."""
    bomb = f'<?xml version="1.0"?><!DOCTYPE x [{LAUGHS}]><x xmlns="{xlsx.MAIN_URI}"><t>&a9;</t></x>'
    rows = HEADER + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>1</v></c></row>'
    one_clear_line(workbook(tmp_path / "laughs.xlsx", sheet(rows), {part: bomb}), megabytes=128)


@pytest.mark.parametrize("raw", ["1e999999", "-1e999999", "9" * 5000, "1E+999999999999", "1e12"])
def test_money_out_of_any_range_is_a_cell_error(raw):
    with pytest.raises(CellError):
        parse_cents(raw)


def test_money_far_below_a_cent_is_no_cents():
    assert parse_cents("1e-999999999") == 0
    assert parse_cents("999999999999.99") == 99999999999999


@pytest.mark.parametrize("raw", [1e308, -1e308, float("inf"), float("nan")])
def test_a_percent_out_of_any_range_is_a_cell_error(raw):
    with pytest.raises(CellError):
        percent(raw)


def test_a_number_cell_with_thousands_of_digits_reads_as_a_number(tmp_path):
    rows = HEADER + f'<row r="2"><c r="A2"><v>{"9" * 5000}</v></c></row>'
    assert read_all(workbook(tmp_path / "digits.xlsx", sheet(rows))) == 1


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=0, max_size=4096))
def test_ole_magic_and_random_bytes_with_a_password_is_one_clear_line(tmp_path, tail):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE_MAGIC + tail)
    one_clear_line(path, "pw")


def test_ole_magic_and_a_random_sector_with_a_password_is_one_clear_line(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE_MAGIC + os.urandom(8192))
    one_clear_line(path, "pw")


# Fuzzing: mutations of a small valid sheet and CSV; each read yields rows or one SourceError.

VALID_ROWS = (
    HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>CA1 &amp; &#x41;</t></is></c>'
    '<c r="B2" t="s"><v>0</v></c><c r="C2" s="1"><v>45000</v></c><c r="D2" t="b"><v>1</v></c></row>'
    '<row r="3"><c r="A3" t="str"><f>A2</f><v>x</v></c></row>'
)
VALID_SHEET = sheet(VALID_ROWS).encode()
VALID_CSV = b'case_number,first_name,amount\nCA1,"Pat, ""P""",1.5\nCA2,Lee,2\n'
PIECES = st.sampled_from(
    [b"<", b">", b"/", b'"', b"&", b"&#", b";", b"r=", b"<row>", b"</row>", b"<c>", b"</c>", b"\x00",
     b"\xff", b"9999999999", b"ZZZZ", b"<!--", b"]]>", b"\n", b",", b"\r"]
)  # fmt: skip


def mutated(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, cut, piece in edits:
        at = position % (len(data) + 1)
        data = data[:at] + piece + data[at + cut :]
    return data


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 8), PIECES), max_size=6)


@settings(max_examples=500, deadline=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
@example(edits=[(148, 2, b"r=")])  # a repeated attribute: CPython 3.11's re raised SystemError
def test_fuzzed_sheets_read_or_fail_with_one_line(tmp_path, edits):
    path = workbook(tmp_path / "fuzz.xlsx", mutated(VALID_SHEET, edits))
    try:
        read_all(path)
    except SourceError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=500, deadline=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_fuzzed_csvs_read_or_fail_with_one_line(tmp_path, edits):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(mutated(VALID_CSV, edits))
    try:
        read_all(path)
    except SourceError as exc:
        assert "\n" not in str(exc)


def test_a_csv_of_one_endless_line_is_refused_without_reading_it_whole(tmp_path):
    """One 64 MB line with no line break: refused at the line limit, in bounded memory."""
    import tracemalloc

    from store.importers.sources import MAX_CSV_LINE, SourceError, open_table

    path = tmp_path / "consumers.csv"
    with path.open("w") as out:
        out.write("case_number,first_name\n")
        for _ in range(64):
            out.write("x" * (1 << 20))
    tracemalloc.start()
    with pytest.raises(SourceError, match="longer than"), open_table(path) as table:
        list(table.rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * MAX_CSV_LINE  # a few copies of one bounded line, not the 64 MB file
