"""bob's own export, imported back as a CalHEERS Book of Business, changes nothing: the
exporter and the importer read columns Z (Plan Year), U (Program) and AL–AN (dental) alike,
also for a consumer whose health and dental plans are of different years."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exports.building import run_export
from exports.columns import LETTERS
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from store.importers.calheers import import_calheers
from store.models import Agency, Coverage, Enroller, Enrollment, EnrollmentStatus, Role, utcnow
from store.seed import SeedPlan, seed_book
from tests.export_fixtures import NOW, build_people, open_workbook

# The 100k book takes about 95 s on SQLite here (seed, export, import): the suite
# runs it on SQLite; BOB_TEST_BIG_BOOK_PG=1 runs it on PostgreSQL too (about 105 s).
BIG_BOOK = 100_000


def managers(sessions) -> list[tuple[int, str]]:
    """One agency manager per agency, with the agency's code."""
    with sessions() as session:
        rows = session.execute(
            select(Enroller.agency_id, Enroller.id, Agency.code)
            .join(Agency, Agency.id == Enroller.agency_id)
            .where(Enroller.role == Role.AGENCY_MANAGER)
            .order_by(Enroller.id)
        ).all()
    return list({agency: (manager, code) for agency, manager, code in reversed(rows)}.values())


def export_and_reimport(engine, sessions, tmp_path: Path, consumers: int) -> list[str]:
    now = utcnow()
    seed_book(engine, SeedPlan(agencies=2, consumers=consumers, seed=12, as_of=now - timedelta(hours=1)))
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    lines = []
    for manager, code in managers(sessions):
        plan = plan_export(sessions, config, ExportRequest(manager, target="agency"), now)
        result = run_export(sessions, config, plan, now)
        summary = import_calheers(
            result.path, sessions, code, result.password, now=now + timedelta(minutes=1)
        )
        assert summary.rows == result.row_count > 0
        lines.append(summary.line())
        assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0), summary.line()
    return lines


def test_importing_a_fresh_export_of_the_seeded_book_changes_nothing(engine, sessions, tmp_path):
    assert len(export_and_reimport(engine, sessions, tmp_path, 1_500)) == 2


def test_importing_a_fresh_export_of_a_big_seeded_book_changes_nothing(backend, engine, sessions, tmp_path):
    if backend == "postgresql" and not os.environ.get("BOB_TEST_BIG_BOOK_PG"):
        pytest.skip("the 100k round trip runs on SQLite; BOB_TEST_BIG_BOOK_PG=1 runs it here too")
    assert len(export_and_reimport(engine, sessions, tmp_path, BIG_BOOK)) == 2


def test_plans_of_different_years_round_trip_on_the_row_of_the_latest_year(sessions, book, tmp_path):
    people = build_people(book)  # the rich case: a Mixed Household health plan, a dental plan
    last_year_health = book.consumer(people.ana, case_number="CASE-YEARS-1")
    book.enrollment(last_year_health, plan_year=2025, status=EnrollmentStatus.TERMINATED)
    book.enrollment(last_year_health, plan_year=2026, coverage=Coverage.DENTAL, carrier="Delta Dental")
    last_year_dental = book.consumer(people.ana, case_number="CASE-YEARS-2")
    book.enrollment(last_year_dental, plan_year=2026, carrier="Anthem")
    book.enrollment(last_year_dental, plan_year=2025, coverage=Coverage.DENTAL, carrier="Old Dental")
    dental_only = book.consumer(people.ana, case_number="CASE-YEARS-3")
    book.enrollment(dental_only, plan_year=2026, coverage=Coverage.DENTAL, carrier="Delta Dental")
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    result = run_export(
        sessions, config, plan_export(sessions, config, ExportRequest(people.max, "agency"), NOW), NOW
    )
    sheet = open_workbook(result.path, result.password).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    z, aa, al = (LETTERS.index(letter) for letter in ("Z", "AA", "AL"))
    assert [rows[f"CASE-YEARS-{n}"][i] for n in (1, 2, 3) for i in (z, aa, al)] == [
        2026, None, "Delta Dental", 2026, "Anthem", None, 2026, None, "Delta Dental",
    ]  # fmt: skip
    summary = import_calheers(
        result.path, sessions, "sunrise", result.password, now=NOW + timedelta(minutes=1)
    )
    assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0), summary.line()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 8
