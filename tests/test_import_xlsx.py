"""The quick sheet scanner reads exactly what the XML parser reads, on workbooks from bob's
exporter, from openpyxl (shared strings, rich text, formulas) and on hand-written sheet XML
with the shapes other writers produce; and a sheet cut short is an error, not fewer rows."""

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from exports.columns import HEADERS, KINDS
from exports.workbook import Sheet, write_workbook
from store.importers.xlsx import XlsxBook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/></Relationships>'
)
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>"
)
STRINGS = f'<sst xmlns="{MAIN}"><si><t>shared &amp; known</t></si><si><r><t>rich </t></r>' \
    "<r><t>text</t></r></si></sst>"  # fmt: skip


def scanned_and_parsed(book: XlsxBook, sheet: str) -> tuple[list[list], list[list]]:
    with book.package.open(book.sheets[sheet]) as stream:
        parsed = list(book._parsed_rows(stream))
    return list(book.rows(sheet)), parsed


def package(sheet_xml: str) -> XlsxBook:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", STRINGS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    buffer.seek(0)
    return XlsxBook(buffer)


def sheet(rows: str, root: str = f'<worksheet xmlns="{MAIN}">', end: str = "</worksheet>") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}<sheetData>{rows}</sheetData>{end}'


def test_bob_export_reads_the_same_both_ways(tmp_path):
    row = [
        "CB1", "Ana & <Bo>", "O'Neil", date(1980, 2, 29), "900-12-3456", None, "(916) 555-0100",
        *[None] * 10, 3, 45000.5, 2.5, *[None] * 28,
    ]  # fmt: skip
    path = tmp_path / "book.xlsx"
    with path.open("wb") as out:
        write_workbook(
            out,
            Sheet("Book", HEADERS, KINDS, [10] * len(HEADERS), [row, row]),
            lambda n: Sheet("About", ["Rows"], [KINDS[0]], [10], [[str(n)]], filtered=False),
        )
    book = XlsxBook(str(path))
    scanned, parsed = scanned_and_parsed(book, "Book")
    assert scanned == parsed
    assert scanned[1][:5] == ["CB1", "Ana & <Bo>", "O'Neil", datetime(1980, 2, 29), "900-12-3456"]


def test_an_openpyxl_workbook_with_shared_strings_rich_text_and_formulas(tmp_path):
    workbook = openpyxl.Workbook()
    sheet_ = workbook.active
    sheet_.append(["name", "when", "amount", "flag", "sum", "note"])
    sheet_.append(["Ana\nBo", date(2026, 1, 2), 12.5, True, "=C2*2", "  spaced  "])
    sheet_["A4"] = CellRichText(TextBlock(InlineFont(b=True), "bold"), " plain")
    sheet_["D5"] = -7
    sheet_["F5"] = "tab\tand \u00e9"
    workbook.save(tmp_path / "made.xlsx")
    book = XlsxBook(str(tmp_path / "made.xlsx"))
    scanned, parsed = scanned_and_parsed(book, book.sheetnames[0])
    assert scanned == parsed
    assert scanned[1][:4] == ["Ana\nBo", datetime(2026, 1, 2), 12.5, True]
    assert scanned[2] == [] and scanned[4] == [None, None, None, -7, None, "tab\tand \u00e9"]


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="1"><c r="B1" t="s"><v>0</v></c><c r="D1" t="s"><v>1</v></c></row>'
        '<row r="3" spans="1:2"/><row r="5"><c r="A5" s="1"><v>45000</v></c>'
        '<c r="B5" s="1"><v>45000.25</v></c><c r="C5" s="1"><v>0.5</v></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&#10;b &#x263A;'
        '&quot;&apos;&lt;&gt;</t></is></c><c t="inlineStr"><is><t></t></is></c>'
        '<c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>x</v></c></row>',
        '<row r="1"><c r="A1" t=\'inlineStr\'><is><t>single quotes</t></is></c></row>',
        '<row r="1"><c r = "C1"><v>1</v></c></row><row r="2"><!-- note --><c><v>2</v></c></row>',
        '<row r="1">\n  <c r="A1">\n    <v>1</v>\n  </c>\n</row>\n',
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<raw>]]></t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>line\r\nend\rhere</t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t><rPh sb="0" eb="1"><t>y</t></rPh>'
        "</is></c><c/><c><v/></c></row>",
    ],
)
def test_hand_written_sheets_read_the_same_both_ways(rows):
    scanned, parsed = scanned_and_parsed(package(sheet(rows)), "Data")
    assert scanned == parsed and scanned


def test_a_prefixed_or_other_encoding_sheet_takes_the_parser(monkeypatch):
    prefixed = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr">'
        "<x:is><x:t>prefixed</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"
    )
    book = package(prefixed)
    assert list(book.rows("Data")) == [[], [None, "prefixed"]]
    latin = sheet('<row r="1"><c t="inlineStr"><is><t>caf\u00e9</t></is></c></row>').replace(
        "UTF-8", "ISO-8859-1"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
            archive.writestr(name, package(latin).package.read(name))
        archive.writestr("xl/worksheets/sheet1.xml", latin.encode("latin-1"))
    assert list(XlsxBook(buffer).rows("Data")) == [["caf\u00e9"]]


def test_a_sheet_cut_short_is_an_error_not_fewer_rows():
    whole = sheet('<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row>')
    cut = whole[: whole.index('<row r="2"')]
    with pytest.raises(ValueError):
        list(package(cut).rows("Data"))


def test_rows_longer_than_a_read_block_still_come_whole(monkeypatch):
    monkeypatch.setattr("store.importers.xlsx.BLOCK", 64)
    rows = "".join(
        f'<row r="{n}"><c t="inlineStr"><is><t>{"v" * n}</t></is></c><c><v>{n}</v></c></row>'
        for n in range(1, 80)
    )
    scanned, parsed = scanned_and_parsed(package(sheet(rows)), "Data")
    assert scanned == parsed
    assert scanned[78] == ["v" * 79, 79]


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t&<>\"'"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), TEXT, st.integers(), st.floats(-1e9, 1e9)),
                         max_size=6), min_size=1, max_size=5))  # fmt: skip
def test_fuzzed_openpyxl_cells_read_the_same_both_ways(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    book = XlsxBook(buffer)
    scanned, parsed = scanned_and_parsed(book, book.sheetnames[0])
    assert scanned == parsed
