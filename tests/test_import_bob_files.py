"""bob's own import files: the sample folder loads, re-loads as a no-op, and bad rows are
rejected with row, column and reason while good rows still load."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.importers.dictionary import import_bob_files
from store.importers.sources import SourceError
from store.models import (
    Agency,
    Consent,
    Consumer,
    ConsumerFlag,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
    Notice,
)

DATA = Path(__file__).parent / "data" / "bob"
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "book"
    shutil.copytree(DATA, target)
    return target


def counts(sessions) -> dict[str, int]:
    tables = (Agency, Enroller, Consumer, Delegation, Enrollment, Consent, Notice, ConsumerFlag)
    with sessions() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in tables}


def test_it_loads_the_sample_folder_in_dependency_order(sessions, folder):
    summaries = import_bob_files(folder, sessions, now=NOW)
    assert [s.source for s in summaries][:3] == ["agencies.csv", "enrollers.csv", "consumers.csv"]
    assert all(s.rejected == 0 for s in summaries), [s.line() for s in summaries]
    assert counts(sessions) == {
        "agencies": 2, "enrollers": 4, "consumers": 3, "delegations": 4, "enrollments": 4,
        "consents": 2, "notices": 1, "consumer_flags": 4,
    }  # fmt: skip
    with sessions() as s:
        lee = s.scalars(select(Consumer).where(Consumer.case_number == "CA1000002")).one()
        assert lee.date_of_birth == date(1975, 3, 5)
        assert lee.annual_income_cents == 1_825_050
        assert lee.medi_cal_renewal_date == date(2027, 3, 31)
        health = s.scalars(select(Enrollment).where(Enrollment.consumer_id == lee.id)).one()
        assert (health.status, health.binder_paid, health.net_premium_cents) == (
            EnrollmentStatus.PENDING,
            False,
            0,
        )
        resolved = s.scalars(
            select(ConsumerFlag).where(
                ConsumerFlag.consumer_id == lee.id, ConsumerFlag.kind == FlagKind.ACTION_REQUESTED
            )
        ).one()
        assert resolved.resolved_at is not None
        max_role = s.scalars(select(Enroller).where(Enroller.license_number == "0A10003")).one()
        assert max_role.active is True


def test_a_first_import_counts_every_row_as_created(sessions, folder):
    summaries = import_bob_files(folder, sessions, now=NOW)
    assert all(s.created == s.rows > 0 for s in summaries), [s.line() for s in summaries]


def test_a_row_that_adds_a_fact_to_a_known_case_is_created_not_updated(sessions, folder):
    import_bob_files(folder, sessions, now=NOW)
    consents = folder / "consents.csv"
    consents.write_text(consents.read_text() + "CA1000003,2027-01-31\n")
    [summary] = import_bob_files(consents, sessions, now=datetime(2026, 11, 24, tzinfo=UTC))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 2), summary.line()


def test_reimporting_the_same_folder_changes_nothing(sessions, folder):
    import_bob_files(folder, sessions, now=NOW)
    before = counts(sessions)
    again = import_bob_files(folder, sessions, now=datetime(2026, 11, 24, tzinfo=UTC))
    assert counts(sessions) == before
    assert all(s.created == 0 and s.updated == 0 for s in again), [s.line() for s in again]
    assert sum(s.unchanged for s in again) == sum(s.rows for s in again)


def test_a_newer_file_updates_in_place(sessions, folder):
    import_bob_files(folder, sessions, now=NOW)
    enrollments = folder / "enrollments.csv"
    enrollments.write_text(enrollments.read_text().replace("pending,Anthem", "effectuated,Anthem"))
    [summary] = import_bob_files(enrollments, sessions, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert (summary.updated, summary.unchanged, summary.created) == (1, 3, 0)
    with sessions() as s:
        changed = s.scalars(select(Enrollment).where(Enrollment.status == EnrollmentStatus.EFFECTUATED)).all()
        assert len(changed) == 3
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 4
        moved = [e for e in changed if e.carrier == "Anthem"][0]
        assert moved.status_changed_at == datetime(2026, 12, 1, tzinfo=UTC)


def test_bad_rows_go_to_the_rejects_file_and_good_rows_still_load(sessions, folder):
    import_bob_files(folder / "agencies.csv", sessions, now=NOW)
    import_bob_files(folder / "enrollers.csv", sessions, now=NOW)
    consumers = folder / "consumers.csv"
    lines = consumers.read_text().splitlines()
    lines += [
        "CA1000009,Kim,,1980-01-01,,,,,,,,,,,,,,,,,,,,",  # missing last name
        "CA1000010,Kim,Bad,1980-13-01,,,,,,,,,,,,,,,,,,,,",  # bad date
        "CA1000001,Pat,Again,,,,,,,,,,,,,,,,,,,,,",  # duplicate key
        "CA1000011,Kim,Money,,,,,,,,,,,,,,,,lots,,,,,",  # bad amount
    ]
    consumers.write_text("\n".join(lines) + "\n")
    [summary] = import_bob_files(consumers, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (3, 4)
    rejects = (folder / "consumers.rejects.csv").read_text().splitlines()
    assert rejects == [
        "row,column,reason",
        "5,last_name,a value is required",
        "6,date_of_birth,not a date; write YYYY-MM-DD or MM/DD/YYYY",
        "7,case_number,duplicate key: row 2 has the same key",
        "8,annual_income,not an amount in dollars such as 1234.56",
    ]
    for line in rejects:
        assert "Kim" not in line and "1980" not in line and "lots" not in line


def test_rows_for_unknown_cases_and_enrollers_are_rejected(sessions, folder):
    import_bob_files(folder / "agencies.csv", sessions, now=NOW)
    import_bob_files(folder / "enrollers.csv", sessions, now=NOW)
    [summary] = import_bob_files(folder / "delegations.csv", sessions, now=NOW)
    assert summary.rejected == 4
    reasons = (folder / "delegations.rejects.csv").read_text()
    assert "unknown case number; load the consumer first" in reasons


def test_wrong_agency_rows_are_rejected(sessions, folder):
    import_bob_files(folder / "agencies.csv", sessions, now=NOW)
    [summary] = import_bob_files(folder / "enrollers.csv", sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (3, 1)
    assert "5,agency_code,another agency than --agency" in (folder / "enrollers.rejects.csv").read_text()


def test_a_misspelt_column_stops_the_folder_before_anything_is_written(sessions, folder):
    notices = folder / "notices.csv"
    notices.write_text(notices.read_text().replace("notice_date", "notice_dat"))
    with pytest.raises(SourceError, match="notices.csv .notices.: unknown column.*'notice_dat'.*missing"):
        import_bob_files(folder, sessions, now=NOW)
    assert counts(sessions)["agencies"] == 0


def test_a_workbook_with_one_sheet_per_entity_loads_like_the_folder(sessions, folder, tmp_path):
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for entity in ("agencies", "enrollers", "consumers", "delegations"):
        sheet = book.create_sheet(entity)
        with (folder / f"{entity}.csv").open() as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    book.save(tmp_path / "everything.xlsx")
    summaries = import_bob_files(tmp_path / "everything.xlsx", sessions, now=NOW)
    assert [s.source for s in summaries] == [
        "everything.xlsx:agencies", "everything.xlsx:enrollers",
        "everything.xlsx:consumers", "everything.xlsx:delegations",
    ]  # fmt: skip
    assert counts(sessions)["delegations"] == 4
    with sessions() as s:
        statuses = sorted(s.scalars(select(Delegation.status)))
        assert statuses.count(DelegationStatus.PENDING) == 1


def test_a_file_not_named_after_an_entity_is_one_clear_error(sessions, tmp_path):
    (tmp_path / "people.csv").write_text("case_number\nX1\n")
    with pytest.raises(SourceError, match="name the file after its entity"):
        import_bob_files(tmp_path / "people.csv", sessions, now=NOW)


def test_a_cell_with_a_control_character_is_rejected_on_every_database(sessions, folder):
    """PostgreSQL's driver raised on a NUL (printing the row's values), SQLite stored it.
    The NUL sits past the first 64 KB, where the whole-file check no longer looks."""
    import_bob_files(folder / "agencies.csv", sessions, now=NOW)
    import_bob_files(folder / "enrollers.csv", sessions, now=NOW)
    consumers = folder / "consumers.csv"
    padding = "\n" * 70_000  # blank lines are skipped, but count as rows
    bad = [
        "CA1000009,Kim\x00,Nul,1980-01-01,900-12-3456,,,,,,,,,,,,,,,,,,,",
        "CA1000010,Kim,Escape,,,,,,,,,,Sacra\x1b[2Jmento,,,,,,,,,,,",
        "CA1000011,Kim,Tab\tOk,,,,,,,,,,,,,,,,,,,,,",
    ]
    consumers.write_text(consumers.read_text() + padding + "\n".join(bad) + "\n")
    [summary] = import_bob_files(consumers, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (4, 2)
    rejects = (folder / "consumers.rejects.csv").read_text().splitlines()
    assert rejects[1:] == [
        "70005,first_name,contains a control character",
        "70006,city,contains a control character",
    ]
