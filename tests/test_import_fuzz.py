"""Fuzzed headers and cells: the importers never crash, every row is counted once, and every
rejected row has a line with a column and a reason in the rejects file."""

import csv
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db import make_engine, session_factory
from store.importers import calheers, healthsherpa
from store.importers.sources import SourceError
from tests.factories import Book

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


def cell_for(header: str) -> st.SearchStrategy[str]:
    plausible = {
        "date": st.sampled_from(["2026-01-01", "02/30/2026", "12/31/2025", "2026-13-01"]),
        "money": st.sampled_from(["1234.56", "$1,000", "-5", "12.345", "1e3"]),
        "count": st.sampled_from(["0", "2", "-1", "3.5", "100"]),
        "status": st.sampled_from(["Effectuated", "pending", "Cancelled", "Lapsed", "Active"]),
        "agent": st.sampled_from(["Ana Agent (License 0A10001)", "0A10001", "Ana Agent", "Nobody"]),
    }
    lowered = header.lower()
    kind = (
        "date" if "date" in lowered or "thru" in lowered
        else "money" if "premium" in lowered or "income" in lowered or "aptc" in lowered
        else "count" if "count" in lowered or "size" in lowered or "year" in lowered
        else "status" if "status" in lowered
        else "agent" if "agent" in lowered or "aor" in lowered
        else None
    )  # fmt: skip
    options = [st.just(""), st.just("*****"), TEXT]
    if kind:
        options.append(plausible[kind])
    return st.one_of(*options)


@st.composite
def files(draw: st.DrawFn, headers: tuple[str, ...]) -> tuple[list[str], list[list[str]]]:
    chosen = draw(st.lists(st.sampled_from(headers), unique=True, min_size=1))
    chosen += draw(st.lists(TEXT, max_size=2))  # headers no format knows
    chosen = draw(st.permutations(chosen))
    keys = st.sampled_from(["K1", "K2", "K3", "K4", ""])
    rows = draw(
        st.lists(
            st.tuples(*(keys if h in ("Case Number", "ffm_app_id") else cell_for(h) for h in chosen)),
            max_size=8,
        )
    )
    return list(chosen), [list(row) for row in rows]


def run(template: Path, importer, header: list[str], rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bob.db"
        shutil.copy(template, db)
        engine = make_engine(f"sqlite:///{db}")
        sessions = session_factory(engine)
        book = Book(sessions)
        agency = book.agency()
        book.enroller(agency, "Ana", "Agent", license_number="0A10001")
        path = Path(folder) / "input.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])
        try:
            summary = importer(path, sessions, "sunrise", now=NOW)
        except SourceError as error:
            assert "\n" not in str(error)
            return
        finally:
            engine.dispose()
        with path.open(newline="", encoding="utf-8") as handle:
            data = [r for r in list(csv.reader(handle))[1:] if any(c.strip() for c in r)]
        assert summary.rows == len(data)
        rejects_file = Path(folder) / "input.rejects.csv"
        lines = [["row", "column", "reason"]]
        if summary.rejected:
            with rejects_file.open(newline="", encoding="utf-8") as handle:
                lines = list(csv.reader(handle))
        assert lines[0] == ["row", "column", "reason"]
        assert len(lines) - 1 == summary.rejected
        assert len({line[0] for line in lines[1:]}) == summary.rejected
        for row, column, reason in lines[1:]:
            assert int(row) >= 2 and column and reason


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    data=files(
        healthsherpa.REQUIRED_HEADERS + tuple(c.header for c in healthsherpa.COLUMNS[:14]) + ("policy_aor",)
    )
)
def test_fuzzed_healthsherpa_files_never_crash(migrated_template, data):
    run(migrated_template, healthsherpa.import_healthsherpa, *data)


@FUZZ
@given(data=files(calheers.HEADERS))
def test_fuzzed_book_of_business_files_never_crash(migrated_template, data):
    run(migrated_template, calheers.import_calheers, *data)
