"""The weekly snapshot, exports "as of last Friday", and the changes sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from exports.building import run_export
from exports.errors import ExportRefused
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from exports.snapshots import take_snapshot
from store.models import (
    Consumer,
    Delegation,
    DelegationStatus,
    Enrollment,
    EnrollmentStatus,
    SnapshotRow,
)
from tests.export_fixtures import NOW, RICH_ROW, People, build_people, open_workbook

LAST_FRIDAY = date(2026, 11, 13)
LAST_FRIDAY_9PM = datetime(2026, 11, 14, 5, 0, tzinfo=UTC)


@pytest.fixture
def people(book) -> People:
    return build_people(book)


@pytest.fixture
def config(tmp_path: Path) -> ExportsConfig:
    return ExportsConfig(directory=str(tmp_path / "exports"))


def change_the_book(sessions, book, people: People) -> tuple[str, str]:
    """After the snapshot: the rich case is effectuated, one case leaves, one arrives."""
    with sessions() as session, session.begin():
        session.execute(
            update(Enrollment)
            .where(Enrollment.consumer_id == people.rich_consumer, Enrollment.plan_year == 2026)
            .values(status=EnrollmentStatus.EFFECTUATED, binder_paid=True)
        )
        session.execute(
            update(Delegation)
            .where(Delegation.consumer_id == people.pending_consumer)
            .values(status=DelegationStatus.REMOVED)
        )
    book.consumer(people.ana, case_number="CASE-NEW-1")
    with sessions() as session:
        removed = session.get_one(Consumer, people.pending_consumer).case_number
    return removed, "CASE-NEW-1"


def test_a_snapshot_is_taken_once_per_agency_and_date(sessions, people):
    assert take_snapshot(sessions, people.sunrise, LAST_FRIDAY, LAST_FRIDAY_9PM) == 7
    assert take_snapshot(sessions, people.sunrise, LAST_FRIDAY, NOW) == 7
    assert take_snapshot(sessions, people.moonlight, LAST_FRIDAY, LAST_FRIDAY_9PM) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SnapshotRow)) == 8


def test_a_snapshot_export_shows_the_book_as_it_stood(sessions, config, people, book):
    take_snapshot(sessions, people.sunrise, LAST_FRIDAY, LAST_FRIDAY_9PM)
    change_the_book(sessions, book, people)
    plan = plan_export(sessions, config, ExportRequest(people.ana, snapshot=True), NOW)
    assert plan.file_name == "BookOfBusiness_Ana-Agent_0A12345_2026-11-13.xlsx"
    assert plan.row_estimate == 5
    result = run_export(sessions, config, plan, NOW)
    workbook = open_workbook(result.path, result.password)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert next(r for r in rows if r[0] == "CASE-RICH-1") == RICH_ROW
    assert "CASE-NEW-1" not in {r[0] for r in rows}
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Source"] == "Weekly snapshot of 2026-11-13"
    assert about["As of"] == "Friday 2026-11-13 21:00 PST"

    live = run_export(sessions, config, plan_export(sessions, config, ExportRequest(people.ana), NOW), NOW)
    live_rows = list(
        open_workbook(live.path, live.password).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert next(r for r in live_rows if r[0] == "CASE-RICH-1")[29] == "Effectuated"


def test_without_a_snapshot_a_snapshot_export_is_refused(sessions, config, people):
    with pytest.raises(ExportRefused, match="no weekly snapshot"):
        plan_export(sessions, config, ExportRequest(people.ana, snapshot=True), NOW)


def test_the_changes_sheet_lists_new_removed_and_status_changes(sessions, config, people, book):
    take_snapshot(sessions, people.sunrise, LAST_FRIDAY, LAST_FRIDAY_9PM)
    removed, new = change_the_book(sessions, book, people)
    plan = plan_export(sessions, config, ExportRequest(people.max, "agency", include_changes=True), NOW)
    result = run_export(sessions, config, plan, NOW)
    workbook = open_workbook(result.path, result.password)
    assert workbook.sheetnames[1:] == ["About", "Changed since last snapshot"]
    changes = list(workbook["Changed since last snapshot"].iter_rows(min_row=2, values_only=True))
    ana = "Ana Agent (License 0A12345)"
    assert sorted(changes, key=lambda r: (r[1], r[2] or "")) == [
        (new, "New", None, None, None, ana),
        (removed, "Removed", None, None, None, ana),
        ("CASE-RICH-1", "Status changed", "AD Health Enrollment Status", "Pending", "Effectuated", ana),
        ("CASE-RICH-1", "Status changed", "AK Binder Payment Status", "Pending", "Paid", ana),
    ]
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Changed since last snapshot"] == "compared with the snapshot of 2026-11-13"


def test_an_agents_changes_cover_only_their_book(sessions, config, people, book):
    take_snapshot(sessions, people.sunrise, LAST_FRIDAY, LAST_FRIDAY_9PM)
    book.consumer(people.ben, case_number="CASE-BEN-NEW")
    plan = plan_export(sessions, config, ExportRequest(people.ana, include_changes=True), NOW)
    result = run_export(sessions, config, plan, NOW)
    changes = list(
        open_workbook(result.path, result.password)["Changed since last snapshot"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert changes == []


def test_a_snapshot_export_compares_with_the_snapshot_before_it(sessions, config, people, book):
    take_snapshot(sessions, people.sunrise, date(2026, 11, 6), LAST_FRIDAY_9PM)
    book.consumer(people.ana, case_number="CASE-WEEK-2")
    take_snapshot(sessions, people.sunrise, LAST_FRIDAY, LAST_FRIDAY_9PM)
    book.consumer(people.ana, case_number="CASE-WEEK-3")
    plan = plan_export(sessions, config, ExportRequest(people.ana, snapshot=True, include_changes=True), NOW)
    result = run_export(sessions, config, plan, NOW)
    changes = list(
        open_workbook(result.path, result.password)["Changed since last snapshot"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert [(c[0], c[1]) for c in changes] == [("CASE-WEEK-2", "New")]
