"""The Book of Business export: the encrypted workbook read back, masking, history, expiry."""

from __future__ import annotations

import logging
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from msoffcrypto.exceptions import InvalidKeyError
from sqlalchemy import select

from exports import agile, building
from exports.building import run_export
from exports.columns import COLUMNS, HEADERS
from exports.errors import ExportFailed, ExportRefused
from exports.expiry import expire_exports
from exports.history import fail_export, fetch_export, list_exports
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from rules.access import Via
from store.models import Agency, AuditEntry, Consumer, ExportRecord, ExportStatus
from tests.export_fixtures import NOW, RICH_ROW, People, build_people, decrypt, open_workbook


@pytest.fixture
def people(book) -> People:
    return build_people(book)


@pytest.fixture
def config(tmp_path: Path) -> ExportsConfig:
    return ExportsConfig(directory=str(tmp_path / "exports"))


def export(sessions, config, request: ExportRequest):
    plan = plan_export(sessions, config, request, NOW)
    return plan, run_export(sessions, config, plan, NOW)


def book_rows(workbook):
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return rows[1:]


def test_the_48_columns_run_from_a_to_av_as_documented():
    assert len(COLUMNS) == 48
    assert COLUMNS[0].letter == "A" and COLUMNS[-1].letter == "AV"
    assert [c.letter for c in COLUMNS if c.maskable] == ["D", "E", "S"]
    reference = Path("/work/shared/reference/book_of_business_columns.md")
    if reference.is_file():
        documented = [
            line.split("|")[2].strip()
            for line in reference.read_text().splitlines()
            if line.startswith("| ")
            and line.split("|")[1].strip().isalpha()
            and line.split("|")[1].strip() != "col"
        ]
        assert list(HEADERS) == documented


def test_an_agents_book_decrypts_and_every_cell_matches_the_store(sessions, config, people):
    plan, result = export(sessions, config, ExportRequest(people.ana))
    assert result.row_count == plan.row_estimate == 5  # 4 active + 1 pending, not the removed
    workbook = open_workbook(result.path, result.password)
    rows = book_rows(workbook)
    by_case = {row[0]: row for row in rows}
    assert by_case["CASE-RICH-1"] == RICH_ROW
    with sessions() as session:
        consumers = {
            c.case_number: c
            for c in session.scalars(select(Consumer).where(Consumer.case_number.in_(by_case)))
        }
    assert len(consumers) == len(rows)
    for case_number, row in by_case.items():
        consumer = consumers[case_number]
        assert row[1:3] == (consumer.first_name, consumer.last_name)
        assert row[3].date() == consumer.date_of_birth
        assert row[4] == consumer.ssn
        assert row[5] == consumer.email
        assert row[18] == consumer.annual_income_cents / 100
        assert row[-1] == "Ana Agent (License 0A12345)"
    pending = [row for row in rows if row[45] == "Pending"]
    assert len(pending) == 1
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


def test_cells_are_real_dates_and_numbers_with_formats(sessions, config, people):
    _, result = export(sessions, config, ExportRequest(people.ana))
    sheet = open_workbook(result.path, result.password).worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "CASE-RICH-1")
    assert row[3].is_date and row[3].number_format == "mm/dd/yyyy"
    assert row[18].data_type == "n" and "$" in row[18].number_format
    assert row[19].number_format == "0%"
    assert row[17].value == 4 and row[17].data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:AV{sheet.max_row}"
    assert sheet.column_dimensions["AV"].width > sheet.column_dimensions["N"].width


def test_the_file_and_sheets_say_whose_book_and_as_of_when(sessions, config, people):
    plan, result = export(sessions, config, ExportRequest(people.ana))
    assert plan.file_name == result.file_name == "BookOfBusiness_Ana-Agent_0A12345_2026-11-20.xlsx"
    assert result.path.name.endswith(result.file_name)
    workbook = open_workbook(result.path, result.password)
    assert workbook.sheetnames == ["Ana Agent 2026-11-20", "About"]
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Book of Business"] == "Ana Agent (License 0A12345)"
    assert about["As of"] == "Friday 2026-11-20 10:00 PST"
    assert about["Consumers (rows)"] == "5"
    assert about["Masking"].startswith("None")
    assert about["Requested by"] == "Ana Agent (License 0A12345)"

    agency_plan = plan_export(sessions, config, ExportRequest(people.max, "agency"), NOW)
    assert agency_plan.file_name == "BookOfBusiness_Agency-Sunrise-Insurance_2026-11-20.xlsx"
    assert agency_plan.scope_label == "All Agents of Sunrise Insurance"


def test_only_the_encrypted_file_is_stored_readable_by_bob_alone(sessions, config, people):
    _, result = export(sessions, config, ExportRequest(people.ana))
    stored = list(Path(config.directory).iterdir())
    assert stored == [result.path]
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    raw = result.path.read_bytes()
    assert raw.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))  # an OLE container, not a zip
    assert b"Rosa" not in raw and b"123-45-6789" not in raw
    assert result.password not in raw.decode("latin-1")


def test_a_wrong_password_does_not_open_it(sessions, config, people):
    _, result = export(sessions, config, ExportRequest(people.ana))
    with pytest.raises(InvalidKeyError):
        decrypt(result.path, "wrong-password-1234")
    assert len(result.password.split("-")) == 4


def test_masking_hides_ssn_birth_date_and_income_only(sessions, config, people):
    _, result = export(sessions, config, ExportRequest(people.ana, masked=True))
    workbook = open_workbook(result.path, result.password)
    rich = next(row for row in book_rows(workbook) if row[0] == "CASE-RICH-1")
    assert rich[3:5] == ("**/**/****", "***-**-****")
    assert rich[18] == "*****"
    masked = {3, 4, 18}
    assert [v for i, v in enumerate(rich) if i not in masked] == [
        v for i, v in enumerate(RICH_ROW) if i not in masked
    ]
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert "masked" in about["Masking"]


def test_the_agency_default_masks_unless_the_request_says_otherwise(sessions, config, people):
    with sessions() as session, session.begin():
        session.get_one(Agency, people.sunrise).mask_exports_by_default = True
    _, masked = export(sessions, config, ExportRequest(people.ana))
    rows = book_rows(open_workbook(masked.path, masked.password))
    assert {row[4] for row in rows} == {"***-**-****"}
    _, plain = export(sessions, config, ExportRequest(people.ana, masked=False))
    rows = book_rows(open_workbook(plain.path, plain.password))
    assert "123-45-6789" in {row[4] for row in rows}


def test_history_lists_exports_newest_first_with_status_and_expiry(sessions, config, people):
    first, _ = export(sessions, config, ExportRequest(people.max, "agency"))
    second = plan_export(
        sessions, config, ExportRequest(people.max, "agent", "ana agent"), NOW + timedelta(minutes=5)
    )
    history = list_exports(sessions, people.max, NOW + timedelta(minutes=6))
    assert [h.export_id for h in history] == [second.export_id, first.export_id]
    assert [h.status for h in history] == ["processing", "succeeded"]
    assert history[1].row_count == 7 and history[1].expires_at == NOW + timedelta(minutes=60)
    assert history[1].available(NOW + timedelta(minutes=59))
    assert not history[1].available(NOW + timedelta(minutes=60))
    assert history[0].scope_label == "Ana Agent (License 0A12345)"
    assert list_exports(sessions, people.ana, NOW) == []


@pytest.mark.parametrize("stage", ["writer", "encryption"])
def test_a_failure_midway_leaves_status_failed_and_no_file(sessions, config, people, monkeypatch, stage):
    def broken_writer(out, book, about, extra=()):
        out.write(b"PK partial plaintext")
        for _ in book.rows:
            raise RuntimeError("disk on fire")

    def broken_encrypt(plain, destination, password):
        destination.write_bytes(b"partial ciphertext")
        raise RuntimeError("cipher on fire")

    if stage == "writer":
        monkeypatch.setattr(building, "write_workbook", broken_writer)
    else:
        monkeypatch.setattr(building, "encrypt_workbook", broken_encrypt)
    plan = plan_export(sessions, config, ExportRequest(people.ana), NOW)
    with pytest.raises(ExportFailed, match="could not be built"):
        run_export(sessions, config, plan, NOW)
    assert list(Path(config.directory).iterdir()) == []
    with sessions() as session:
        record = session.get_one(ExportRecord, plan.export_id)
        assert record.status == ExportStatus.FAILED
        assert "RuntimeError" in record.error and record.file_path is None
        outcomes = session.scalars(
            select(AuditEntry.outcome).where(AuditEntry.action == "export.build")
        ).all()
        assert outcomes == ["failed"]
    with pytest.raises(ExportRefused, match="failed"):
        fetch_export(sessions, people.ana, plan.token, NOW, Via("slack"))


def test_a_failure_in_the_real_encryption_removes_the_partial_file(sessions, config, people, monkeypatch):
    def container_then_disk_full(out, *args):
        out.write(b"\xd0\xcf\x11\xe0 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(agile, "write_container", container_then_disk_full)
    plan = plan_export(sessions, config, ExportRequest(people.ana), NOW)
    with pytest.raises(ExportFailed, match="No space left"):
        run_export(sessions, config, plan, NOW)
    assert list(Path(config.directory).iterdir()) == []


@pytest.mark.parametrize("blocked", ["exports", "parent"])
def test_a_file_where_the_export_folder_should_be_fails_the_export_clearly(
    sessions, tmp_path, people, blocked
):
    data = tmp_path / "data"
    data.mkdir()
    (data / blocked).write_text("not a folder")
    folder = data / "exports" if blocked == "exports" else data / "parent" / "exports"
    config = ExportsConfig(directory=str(folder))
    plan = plan_export(sessions, config, ExportRequest(people.ana), NOW)
    with pytest.raises(ExportFailed, match="export folder cannot be created") as failure:
        run_export(sessions, config, plan, NOW)
    assert str(tmp_path) not in str(failure.value)
    with sessions() as session:
        record = session.get_one(ExportRecord, plan.export_id)
        assert record.status == ExportStatus.FAILED and record.file_path is None
        assert record.error.startswith("the export folder cannot be created (")
        assert "exports.directory" in record.error
    assert [p.name for p in data.iterdir()] == [blocked]


def test_failing_a_built_export_deletes_its_file_and_says_why(sessions, config, people):
    plan, result = export(sessions, config, ExportRequest(people.ana))
    later = NOW + timedelta(minutes=2)
    fail_export(sessions, plan.export_id, "Slack refused the upload (ratelimited)", later)
    assert not result.path.exists()
    [entry] = list_exports(sessions, people.ana, later)
    assert entry.status == "failed" and entry.error == "Slack refused the upload (ratelimited)"
    assert entry.deleted_at == later and not entry.available(later)
    with pytest.raises(ExportRefused, match="ratelimited"):
        fetch_export(sessions, people.ana, plan.token, later, Via("slack"))
    with sessions() as session:
        audit = session.execute(
            select(AuditEntry.actor_id, AuditEntry.outcome, AuditEntry.detail).where(
                AuditEntry.action == "export.fail"
            )
        ).one()
    assert audit == (people.ana, "failed", {"reason": "Slack refused the upload (ratelimited)"})


def test_a_plan_is_built_once(sessions, config, people):
    plan, _ = export(sessions, config, ExportRequest(people.ana))
    with pytest.raises(ExportFailed, match="not waiting"):
        run_export(sessions, config, plan, NOW)


def test_a_file_can_be_fetched_until_it_expires_then_it_is_deleted(sessions, config, people):
    plan, result = export(sessions, config, ExportRequest(people.ana))
    fetched = fetch_export(sessions, people.ana, plan.token, NOW + timedelta(minutes=59), Via("slack"))
    assert fetched == result.path
    with pytest.raises(ExportRefused, match="no export of yours"):
        fetch_export(sessions, people.max, plan.token, NOW, Via("slack"))
    assert expire_exports(sessions, NOW + timedelta(minutes=59)) == 0
    assert result.path.exists()
    assert expire_exports(sessions, NOW + timedelta(minutes=60)) == 1
    assert not result.path.exists()
    assert expire_exports(sessions, NOW + timedelta(minutes=61)) == 0
    with pytest.raises(ExportRefused, match="expired"):
        fetch_export(sessions, people.ana, plan.token, NOW + timedelta(minutes=61), Via("slack"))
    [entry] = list_exports(sessions, people.ana, NOW + timedelta(minutes=61))
    assert entry.deleted_at == NOW + timedelta(minutes=60)


def test_no_pii_reaches_the_logs_during_an_export(sessions, config, people, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    _, result = export(sessions, config, ExportRequest(people.max, "agency", include_changes=True))
    monkeypatch.setattr(
        building,
        "encrypt_workbook",
        lambda *a: (_ for _ in ()).throw(ValueError("value Rosa 123-45-6789 broke it")),
    )
    plan = plan_export(sessions, config, ExportRequest(people.ana), NOW)
    with pytest.raises(ExportFailed) as failure:
        run_export(sessions, config, plan, NOW)
    text = caplog.text + str(failure.value)
    with sessions() as session:
        consumers = session.scalars(select(Consumer)).all()
        audit = str([(a.target, a.detail) for a in session.scalars(select(AuditEntry))])
    for consumer in consumers:
        for value in (consumer.first_name, consumer.ssn, consumer.email, consumer.primary_phone):
            assert value not in text
            assert value not in audit
    assert result.password not in text and result.password not in audit
    assert "ValueError" in text


def test_the_history_row_holds_no_pii(sessions, config, people):
    export(sessions, config, ExportRequest(people.ana))
    with sessions() as session:
        record = session.scalars(select(ExportRecord)).one()
    for value in (record.file_name, record.error or "", record.token):
        assert "Rosa" not in value and "Ricci" not in value
    assert date(2026, 11, 20).isoformat() in record.file_name
