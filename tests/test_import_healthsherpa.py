"""`bob import healthsherpa`: the clients export maps onto bob's consumers, enrollments,
agent of record and DMI/SVI flags; masked and unknown columns never become data."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.importers.healthsherpa import DMI_DETAIL, SVI_DETAIL, import_healthsherpa
from store.importers.sources import SourceError
from store.models import (
    Consumer,
    ConsumerFlag,
    Delegation,
    DelegationStatus,
    Enroller,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
)

SAMPLE = Path(__file__).parent / "data" / "healthsherpa_clients.csv"
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


def open_flags(s, detail: str) -> int:
    return s.scalar(
        select(func.count())
        .select_from(ConsumerFlag)
        .where(
            ConsumerFlag.kind == FlagKind.ACTION_REQUESTED,
            ConsumerFlag.detail == detail,
            ConsumerFlag.resolved_at.is_(None),
        )
    )


def test_it_maps_the_clients_export(sessions, agency, sample):
    summary = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (3, 0), summary.line()
    assert summary.ignored_columns == [
        "ssn", "ffm_subscriber_id", "plan_hios_id", "applicant_count", "agent_npn",
    ]  # fmt: skip
    with sessions() as s:
        casey = s.scalars(select(Consumer).where(Consumer.case_number == "4400000001")).one()
        assert (casey.spoken_language, casey.household_size) == ("English", 2)
        assert (casey.date_of_birth, casey.ssn, casey.annual_income_cents) == (None, None, None)
        plan = s.scalars(select(Enrollment).where(Enrollment.consumer_id == casey.id)).one()
        assert (plan.plan_year, plan.carrier, plan.status) == (
            2026,
            "Ambetter",
            EnrollmentStatus.EFFECTUATED,
        )
        assert (plan.gross_premium_cents, plan.net_premium_cents, plan.aptc_cents) == (
            51200,
            4510,
            46690,
        )
        jordan = s.scalars(
            select(Enrollment).join(Consumer).where(Consumer.case_number == "4400000002")
        ).one()
        assert (jordan.status, jordan.start_date) == (EnrollmentStatus.PENDING, date(2026, 2, 1))
        agents = dict(
            s.execute(
                select(Consumer.case_number, Enroller.license_number)
                .join(Delegation, Delegation.consumer_id == Consumer.id)
                .join(Enroller, Enroller.id == Delegation.enroller_id)
                .where(Delegation.status == DelegationStatus.ACTIVE)
            ).all()
        )
        assert agents == {"4400000001": "0A10001", "4400000002": "0A10002", "4400000003": "0A10001"}
        assert (open_flags(s, DMI_DETAIL), open_flags(s, SVI_DETAIL)) == (3, 1)


def test_reimport_changes_nothing_and_resolved_dmis_close_their_flags(sessions, agency, sample):
    import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    again = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    sample.write_text(sample.read_text().replace("*****,2,1,1", "*****,0,1,1"))
    newer = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert (newer.updated, newer.unchanged) == (1, 2)
    with sessions() as s:
        assert (open_flags(s, DMI_DETAIL), open_flags(s, SVI_DETAIL)) == (1, 1)


def test_a_book_of_business_count_does_not_undo_healthsherpa_flags(sessions, agency, book, sample):
    import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    with sessions() as s:
        consumer = s.scalar(select(Consumer.id).where(Consumer.case_number == "4400000002"))
    book.flag(consumer, FlagKind.ACTION_REQUESTED, NOW)
    again = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert again.updated == 0
    with sessions() as s:
        assert (open_flags(s, DMI_DETAIL), open_flags(s, SVI_DETAIL)) == (3, 1)


def test_blank_cells_keep_what_the_store_knows(sessions, agency, sample):
    import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    sample.write_text(sample.read_text().replace("casey.placeholder@example.com", ""))
    summary = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert summary.updated == 0
    with sessions() as s:
        assert s.scalar(select(Consumer.email).where(Consumer.case_number == "4400000001"))


def test_bad_rows_are_rejected_with_reasons_and_no_values(sessions, agency, sample):
    lines = sample.read_text().splitlines()
    header = lines[0].split(",")

    def row(**values: str) -> str:
        return ",".join(values.get(name, "") for name in header)

    lines += [
        row(
            first_name="Kim",
            last_name="Nobody",
            ffm_app_id="4400000009",
            policy_status="Lapsed",
            effective_date="2026-01-01",
        ),
        row(
            first_name="Kim",
            last_name="Nobody",
            ffm_app_id="4400000010",
            policy_aor="Unknown Person",
        ),
        row(first_name="Kim", last_name="Nobody", ffm_app_id="4400000001"),
        row(
            first_name="Kim",
            last_name="Nobody",
            ffm_app_id="4400000011",
            effective_date="31/12/2026",
        ),
        row(first_name="Kim", last_name="Nobody"),
    ]
    sample.write_text("\n".join(lines) + "\n")
    summary = import_healthsherpa(sample, sessions, "sunrise", now=NOW)
    assert (summary.created, summary.rejected) == (3, 5)
    rejects = (sample.parent / "healthsherpa_clients.rejects.csv").read_text().splitlines()
    assert rejects[1:] == [
        '5,policy_status,"not one of: Effectuated, Pending Effectuation, PendingEffectuation, '
        'Pending, Submitted, Cancelled, Canceled, Terminated"',
        "6,policy_aor,no enroller of the agency has this name",
        "7,ffm_app_id,duplicate key: row 2 has the same key",
        "8,effective_date,not a date; write YYYY-MM-DD or MM/DD/YYYY",
        "9,ffm_app_id,a value is required",
    ]
    assert "Kim" not in "\n".join(rejects)


def test_a_file_without_healthsherpa_headers_is_one_clear_error(sessions, agency, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("Case Number,First Name\nX,Y\n")
    with pytest.raises(SourceError, match="not look like a HealthSherpa clients export.*ffm_app_id"):
        import_healthsherpa(path, sessions, "sunrise", now=NOW)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Consumer)) == 0
