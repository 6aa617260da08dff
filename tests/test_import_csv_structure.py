"""A CSV file's structure is checked before its rows are trusted: a file that breaks half-way
loads nothing, and a row with extra values or a stray quote is rejected with its number."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.importers.dictionary import import_bob_files
from store.importers.records import ImportSummary
from store.importers.rejects import RejectsFile
from store.importers.runner import Plan, run_plan
from store.importers.sources import SourceError
from store.models import Consent, Consumer

DATA = Path(__file__).parent / "data" / "bob"
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path, sessions) -> Path:
    """The sample book loaded up to its consumers; consents are the file under test."""
    target = tmp_path / "book"
    shutil.copytree(DATA, target)
    for entity in ("agencies", "enrollers", "consumers"):
        import_bob_files(target / f"{entity}.csv", sessions, now=NOW)
    return target


def consent_count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Consent))


def test_an_oversized_value_late_in_the_file_loads_nothing(sessions, tmp_path):
    shutil.copy(DATA / "agencies.csv", tmp_path)
    import_bob_files(tmp_path / "agencies.csv", sessions, now=NOW)
    lines = ["case_number,first_name,last_name"]
    lines += [f"CA{n:07d},Pat,Row{n}" for n in range(2, 4_600)]
    lines[4_501] = f"CA{4_502:07d},Pat,{'x' * 200_000}"  # the row Excel calls 4,502
    consumers = tmp_path / "consumers.csv"
    consumers.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError, match="row 4502 is not valid CSV .*nothing was loaded"):
        import_bob_files(consumers, sessions, now=NOW)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Consumer)) == 0


def test_a_stray_quote_that_swallows_the_next_rows_is_rejected(sessions, folder):
    consents = folder / "consents.csv"
    consents.write_text('case_number,valid_thru\nCA1000001,"2027-06-30\nCA1000002,12/31/2026\n')
    [summary] = import_bob_files(consents, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (0, 1), summary.line()
    rejects = (folder / "consents.rejects.csv").read_text().splitlines()
    assert rejects[1].startswith('2,(row),"a quote is left open')
    assert consent_count(sessions) == 0


def test_a_stray_quote_closed_rows_later_is_rejected_and_the_rows_after_it_load(sessions, folder):
    consents = folder / "consents.csv"
    consents.write_text(
        'case_number,valid_thru\nCA1000001,"2027-06-30\nCA1000002,12/31/2026\nCA1000003,"2027-01-31"\n'
        "CA1000002,2027-02-28\n"
    )
    [summary] = import_bob_files(consents, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (1, 1), summary.line()
    assert (folder / "consents.rejects.csv").read_text().splitlines()[1].startswith("2,(row),")


def test_a_row_with_more_values_than_the_header_is_rejected(sessions, folder):
    consents = folder / "consents.csv"
    consents.write_text("case_number,valid_thru\nCA1000001,2027-06-30,Smith\nCA1000002,12/31/2026,\n")
    [summary] = import_bob_files(consents, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (1, 1), summary.line()
    rejects = (folder / "consents.rejects.csv").read_text().splitlines()
    assert rejects[1] == '2,(row),"3 values, but the header has 2 columns; quote a value that holds a comma"'
    assert "Smith" not in "".join(rejects)


def test_a_multi_line_address_is_not_a_stray_quote(sessions, folder):
    consumers = folder / "consumers.csv"
    header, first, *_ = consumers.read_text().splitlines()
    address = first.replace(",1 Test Way,", ',"1 Test Way\nSuite 2",')
    consumers.write_text(f"{header}\n{address}\n")
    [summary] = import_bob_files(consumers, sessions, now=NOW)
    assert (summary.updated, summary.rejected) == (1, 0), summary.line()


@dataclass
class Keyed:
    row: int
    key: str


def test_a_file_that_breaks_after_a_commit_says_which_rows_were_loaded(sessions, tmp_path):
    def rows() -> Iterator[tuple[int, list[str]]]:
        yield from ((n, [f"k{n}"]) for n in range(2, 7))
        raise SourceError("book.xlsx is damaged: its sheet cannot be read to the end")

    plan: Plan[Keyed] = Plan(
        map_row=lambda number, cells: Keyed(number, cells[0]),
        key_of=lambda record: record.key,
        key_column="key",
        write_chunk=lambda session, chunk: ([(r, "created") for r in chunk], []),
    )
    with RejectsFile(tmp_path / "r.csv") as rejects, pytest.raises(SourceError) as raised:
        run_plan(plan, plan.records(rows()), sessions, rejects, ImportSummary("book.xlsx"), chunk_size=2)
    assert str(raised.value) == (
        "book.xlsx is damaged: its sheet cannot be read to the end; rows 2-5 are done (book.xlsx: 4 rows: "
        "4 created, 0 updated, 0 unchanged, 0 rejected), the rows after them not; mend the file and import "
        "it again to finish (rows already loaded count as unchanged)"
    )
