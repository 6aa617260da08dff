"""`bob import calheers-bob`: the Book of Business workbook round-trips through bob's export,
masked cells never overwrite data, and an encrypted workbook needs its password."""

import io
import pickle
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, text

from exports.columns import COLUMNS, HEADERS, KINDS, agency_scope, book_query
from exports.encryption import encrypt_workbook
from exports.masking import mask_rows, masked_kinds
from exports.workbook import Sheet, write_workbook
from store.importers import calheers
from store.importers.calheers import HEADERS as IMPORT_HEADERS
from store.importers.calheers import import_calheers
from store.importers.cells import MASKED
from store.importers.context import UnknownAgency
from store.importers.sources import SourceError
from store.models import (
    Consumer,
    ConsumerFlag,
    Coverage,
    Delegation,
    DelegationStatus,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
)

SAMPLE = Path(__file__).parent / "data" / "book_of_business.xlsx"
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)


@pytest.fixture
def agency(book) -> int:
    agency_id = book.agency()
    book.enroller(agency_id, "Ana", "Agent", license_number="0A10001")
    book.enroller(agency_id, "Bo", "Broker", license_number="0A10002")
    return agency_id


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / SAMPLE.name))


def export_book(sessions, agency_id: int, path: Path, masked: bool = False) -> list[list]:
    """The book as bob's export writes it (first sheet, then About)."""
    with sessions() as s:
        rows = [list(r[2:]) for r in s.execute(book_query(*agency_scope(agency_id)))]
    written = list(mask_rows(rows)) if masked else rows
    kinds = masked_kinds(KINDS) if masked else KINDS
    with path.open("wb") as out:
        write_workbook(
            out,
            Sheet("Book", HEADERS, kinds, [c.width for c in COLUMNS], written),
            lambda n: Sheet("About", ["Rows"], [KINDS[0]], [10], [[str(n)]], filtered=False),
        )
    return rows


def test_the_import_chart_is_the_export_chart():
    assert IMPORT_HEADERS == HEADERS


def test_it_loads_the_sample_workbook(sessions, agency, sample):
    summary = import_calheers(sample, sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (4, 0), summary.line()
    with sessions() as s:
        avery = s.scalars(select(Consumer).where(Consumer.case_number == "CB2000001")).one()
        assert (avery.fpl_percent, avery.annual_income_cents) == (250, 5_200_000)
        assert avery.date_of_birth == date(1985, 6, 1)
        statuses = {
            d.enroller_id: d.status
            for d in s.scalars(select(Delegation).where(Delegation.consumer_id == avery.id))
        }
        assert sorted(statuses.values()) == [DelegationStatus.ACTIVE, DelegationStatus.PENDING]
        dental = s.scalars(
            select(Enrollment).where(
                Enrollment.consumer_id == avery.id, Enrollment.coverage == Coverage.DENTAL
            )
        ).one()
        assert dental.status == EnrollmentStatus.PENDING
        morgan = s.scalars(select(Consumer).where(Consumer.case_number == "CB2000002")).one()
        assert (morgan.ssn, morgan.date_of_birth, morgan.annual_income_cents) == (None, None, None)
        flags = s.execute(
            select(ConsumerFlag.kind, func.count())
            .where(ConsumerFlag.consumer_id == morgan.id)
            .group_by(ConsumerFlag.kind)
        ).all()
        assert dict(flags) == {FlagKind.ENROLLMENT_UPDATE_PENDING: 2, FlagKind.MEDICARE_AGED_OUT: 1}


def test_an_old_termination_is_history_not_news(sessions, agency, sample):
    import_calheers(sample, sessions, "sunrise", now=NOW)
    with sessions() as s:
        ended = s.scalars(select(Enrollment).where(Enrollment.status == EnrollmentStatus.TERMINATED)).one()
        assert ended.status_changed_at < datetime(2025, 7, 1, tzinfo=UTC)


def test_export_import_export_is_lossless(sessions, agency, sample, tmp_path, engine):
    import_calheers(sample, sessions, "sunrise", now=NOW)
    first = export_book(sessions, agency, tmp_path / "first.xlsx")
    # A second store with the same agency and enrollers but no consumers.
    from store.db import make_engine, session_factory
    from store.migrate import upgrade
    from tests.factories import Book

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    other_sessions = session_factory(other)
    other_book = Book(other_sessions)
    other_agency = other_book.agency()
    other_book.enroller(other_agency, "Ana", "Agent", license_number="0A10001")
    other_book.enroller(other_agency, "Bo", "Broker", license_number="0A10002")
    summary = import_calheers(tmp_path / "first.xlsx", other_sessions, "sunrise", now=NOW)
    assert summary.rejected == 0, summary.line()
    second = export_book(other_sessions, other_agency, tmp_path / "second.xlsx")
    other.dispose()
    assert second == first


def test_reimport_changes_nothing_and_a_newer_book_updates_in_place(sessions, agency, sample, tmp_path):
    import_calheers(sample, sessions, "sunrise", now=NOW)
    before = export_book(sessions, agency, tmp_path / "before.xlsx")
    again = import_calheers(tmp_path / "before.xlsx", sessions, "sunrise", now=NOW)
    assert (again.created, again.updated, again.rejected) == (0, 0, 0)
    assert again.unchanged == again.rows == 4
    book = openpyxl.load_workbook(tmp_path / "before.xlsx")
    sheet = book.worksheets[0]
    status = HEADERS.index("Health Enrollment Status") + 1
    actions = HEADERS.index("Open Actions Requested") + 1
    sheet.cell(row=4, column=status).value = "Canceled"  # Morgan's health plan
    sheet.cell(row=2, column=actions).value = 0  # Avery's action is done
    book.save(tmp_path / "newer.xlsx")
    newer = import_calheers(
        tmp_path / "newer.xlsx", sessions, "sunrise", now=datetime(2026, 11, 30, tzinfo=UTC)
    )
    assert (newer.updated, newer.unchanged, newer.created) == (3, 1, 0), newer.line()
    after = export_book(sessions, agency, tmp_path / "after.xlsx")
    assert len(after) == len(before)
    with sessions() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Enrollment)
                .where(Enrollment.status == EnrollmentStatus.CANCELED)
            )
            == 1
        )
        open_actions = s.scalar(
            select(func.count())
            .select_from(ConsumerFlag)
            .where(ConsumerFlag.kind == FlagKind.ACTION_REQUESTED, ConsumerFlag.resolved_at.is_(None))
        )
        assert open_actions == 0


def test_masked_cells_never_overwrite_stored_values(sessions, agency, sample, tmp_path):
    import_calheers(sample, sessions, "sunrise", now=NOW)
    unmasked = export_book(sessions, agency, tmp_path / "plain.xlsx")
    export_book(sessions, agency, tmp_path / "masked.xlsx", masked=True)
    summary = import_calheers(tmp_path / "masked.xlsx", sessions, "sunrise", now=NOW)
    assert summary.updated == 0 and summary.rejected == 0, summary.line()
    assert export_book(sessions, agency, tmp_path / "again.xlsx") == unmasked


def test_a_transfer_in_the_book_ends_the_old_delegation(sessions, agency, sample, tmp_path):
    import_calheers(sample, sessions, "sunrise", now=NOW)
    book = openpyxl.load_workbook(sample)
    sheet = book.worksheets[0]
    agent = HEADERS.index("Delegated Agent") + 1
    assert sheet.cell(row=5, column=1).value == "CB2000003"
    sheet.cell(row=5, column=agent).value = "Bo Broker (License 0A10002)"
    book.save(tmp_path / "transfer.xlsx")
    import_calheers(tmp_path / "transfer.xlsx", sessions, "sunrise", now=NOW)
    with sessions() as s:
        quinn = s.scalar(select(Consumer.id).where(Consumer.case_number == "CB2000003"))
        rows = s.execute(
            select(Delegation.enroller_id, Delegation.status).where(Delegation.consumer_id == quinn)
        ).all()
        assert sorted(status for _, status in rows) == [
            DelegationStatus.ACTIVE,
            DelegationStatus.REMOVED,
        ]


def test_rows_of_unknown_agents_and_other_agencies_are_rejected(sessions, agency, book, sample, tmp_path):
    other = book.agency(code="moonrise", name="Moonrise")
    book.enroller(other, "Zed", "Other", license_number="0B20001")
    workbook = openpyxl.load_workbook(sample)
    sheet = workbook.worksheets[0]
    agent = HEADERS.index("Delegated Agent") + 1
    sheet.cell(row=4, column=agent).value = "Zed Other (License 0B20001)"
    sheet.cell(row=5, column=agent).value = "Nobody Known (License 0Z99999)"
    sheet.cell(row=2, column=HEADERS.index("Plan Year") + 1).value = "next year"
    workbook.save(tmp_path / "bad.xlsx")
    summary = import_calheers(tmp_path / "bad.xlsx", sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (1, 3), summary.line()
    assert (tmp_path / "bad.rejects.csv").read_text().splitlines() == [
        "row,column,reason",
        "2,Plan Year,not a whole number",
        "4,Delegated Agent,the enroller is in another agency",
        "5,Delegated Agent,no enroller has this license number; load the enroller first",
    ]


def test_an_encrypted_workbook_needs_its_password(sessions, agency, sample, tmp_path):
    encrypted = tmp_path / "locked.xlsx"
    encrypt_workbook(io.BytesIO(sample.read_bytes()), encrypted, "s3cret-pw")
    with pytest.raises(SourceError, match="locked.xlsx is encrypted; give its password with --password"):
        import_calheers(encrypted, sessions, "sunrise", now=NOW)
    with pytest.raises(SourceError, match="the password does not open locked.xlsx"):
        import_calheers(encrypted, sessions, "sunrise", password="wrong", now=NOW)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Consumer)) == 0
    summary = import_calheers(encrypted, sessions, "sunrise", password="s3cret-pw", now=NOW)
    assert summary.created == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("book.xlsx", b"not a zip at all", "book.xlsx is not an Excel workbook"),
        ("book.pdf", b"%PDF-1.4", "book.pdf is neither .csv nor .xlsx"),
        ("book.csv", b"PK\x03\x04rest", "book.csv is not a CSV text file"),
        ("book.csv", b"Name,Phone\nA,1\n", "does not look like a Book of Business.*Case Number"),
    ],
)
def test_a_file_that_is_not_a_book_is_one_clear_error(sessions, agency, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        import_calheers(path, sessions, "sunrise", now=NOW)


def test_an_unknown_agency_code_is_one_clear_error(sessions, agency, sample):
    with pytest.raises(UnknownAgency, match="no agency has the code 'nowhere'"):
        import_calheers(sample, sessions, "nowhere", now=NOW)


def test_a_large_book_is_read_in_a_second_process_with_the_same_result(
    sessions, agency, sample, tmp_path, monkeypatch
):
    monkeypatch.setattr(calheers, "WORKER_MIN_BYTES", 0)
    assert pickle.loads(pickle.dumps(MASKED)) is MASKED  # masked cells cross the pipe as such
    summary = import_calheers(sample, sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (4, 0)
    assert import_calheers(sample, sessions, "sunrise", now=NOW).unchanged == 4
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(SAMPLE) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="3"')]
            target.writestr(item, data)
    with pytest.raises(SourceError, match="damaged.xlsx is damaged"):
        import_calheers(damaged, sessions, "sunrise", now=NOW)


def test_a_large_load_refreshes_the_planner_statistics(
    sessions, engine, agency, sample, backend, monkeypatch
):
    monkeypatch.setattr("store.importers.runner.ANALYZE_MIN_ROWS", 4)
    import_calheers(sample, sessions, "sunrise", now=NOW)
    if backend == "postgresql":
        with engine.connect() as conn:
            analyzed = conn.execute(
                text("SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                     "('consumers', 'enrollments', 'delegations') AND last_analyze IS NOT NULL")
            ).scalar_one()  # fmt: skip
        assert analyzed == 3


def test_a_book_is_as_of_what_its_about_sheet_states_else_its_friday_and_the_flag_wins(
    sessions, agency, sample, tmp_path
):
    """bob's own export states its as-of; a portal book describes Friday 21:00 Pacific."""
    portal = import_calheers(sample, sessions, "sunrise", now=NOW)  # a Monday
    assert portal.as_of == "as of 2026-11-20 21:00 PST (the Book of Business's Friday 21:00 Pacific)"
    with sessions() as s:
        rows = [list(r[2:]) for r in s.execute(book_query(*agency_scope(agency)))]
    stated = "2026-11-22T18:30:00-08:00"
    with (tmp_path / "mine.xlsx").open("wb") as out:
        write_workbook(
            out,
            Sheet("Book", HEADERS, KINDS, [c.width for c in COLUMNS], rows),
            lambda n: Sheet(
                "About", ("Item", "Value"), (KINDS[0], KINDS[0]), (28, 70), [("As of (ISO 8601)", stated)]
            ),
        )
    mine = import_calheers(tmp_path / "mine.xlsx", sessions, "sunrise", now=NOW)
    assert mine.as_of == "as of 2026-11-22 18:30 PST (the workbook's About sheet)"
    flagged = import_calheers(tmp_path / "mine.xlsx", sessions, "sunrise", now=NOW, as_of=date(2026, 11, 21))
    assert flagged.as_of == "as of 2026-11-21 00:00 PST (--as-of)"


def test_a_transfer_ends_the_old_delegation_when_the_new_one_began(sessions, agency, sample, tmp_path):
    """Moved on Wednesday, seen in Friday's book: Ana's delegation ends Wednesday, not at the
    book's as-of, so no replayed day has the case with two agents."""
    import_calheers(sample, sessions, "sunrise", now=NOW)
    book = openpyxl.load_workbook(sample)
    sheet = book.worksheets[0]
    assert sheet.cell(row=5, column=1).value == "CB2000003"
    sheet.cell(row=5, column=HEADERS.index("Delegated Agent") + 1).value = "Bo Broker (License 0A10002)"
    sheet.cell(row=5, column=HEADERS.index("Delegation Date") + 1).value = "11/18/2026"
    book.save(tmp_path / "transfer.xlsx")
    import_calheers(tmp_path / "transfer.xlsx", sessions, "sunrise", now=NOW)  # as of Fri 11/20
    with sessions() as s:
        quinn = s.scalar(select(Consumer.id).where(Consumer.case_number == "CB2000003"))
        rows = dict(
            s.execute(
                select(Delegation.status, Delegation.status_changed_at).where(Delegation.consumer_id == quinn)
            ).all()
        )
    began = datetime(2026, 11, 18, 8, tzinfo=UTC)  # local midnight, Pacific standard time
    assert rows == {DelegationStatus.ACTIVE: began, DelegationStatus.REMOVED: began}
