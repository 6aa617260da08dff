"""Follow-ups from bob's own `follow_ups` file and from HealthSherpa's DMI and SVI follow-up
exports: good rows load, bad and masked rows are handled as every import handles them, and a
later file updates status, due date and resolution in place by the follow-up's key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from store.importers.dictionary import import_bob_files
from store.importers.healthsherpa_follow_ups import import_healthsherpa_follow_ups
from store.importers.sources import SourceError
from store.models import (
    Agency,
    Consumer,
    DelegationStatus,
    FollowUp,
    FollowUpKind,
    FollowUpSource,
    FollowUpStatus,
)

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
LATER = datetime(2026, 11, 30, 15, tzinfo=UTC)
HEADER = "case_number,external_ref,kind,needed,due_on,status,raised_on,status_since\n"


@pytest.fixture
def agency(book) -> int:
    agency_id = book.agency()
    agent = book.enroller(agency_id, "Ana", "Agent", license_number="0A10001")
    for case in ("CA1", "CA2", "4400000001", "4400000002"):
        book.consumer(agent, case_number=case)
    other = book.agency(code="elsewhere", name="Elsewhere")
    book.consumer(book.enroller(other, "Oz", "Other"), case_number="CA9")
    book.consumer(agent, DelegationStatus.PENDING, case_number="CA3")
    return agency_id


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rejects(path: Path) -> list[str]:
    target = path.with_name(f"{path.stem}.rejects.csv")
    return target.read_text().splitlines()[1:] if target.exists() else []


def stored(sessions) -> dict[str, FollowUp]:
    with sessions() as s:
        return {f.external_ref: f for f in s.scalars(select(FollowUp))}


def test_bob_follow_ups_file_loads_good_rows_and_rejects_bad_ones_with_reasons(sessions, agency, tmp_path):
    path = write(
        tmp_path,
        "follow_ups.csv",
        HEADER
        + "CA1,HS-1,dmi,Proof of income,2026-12-20,open,2026-09-21,\n"
        + "CA2,,svi,Proof of loss of coverage,12/05/2026,submitted,2026-11-01,2026-11-10T09:30\n"
        + "CA1,HS-2,document,Signed application,2026-10-01,cleared,2026-08-01,2026-10-02\n"
        + "CA1,HS-3,dmv,Proof of income,2026-12-20,open,,\n"
        + "CA1,HS-4,dmi,,2026-12-20,open,,\n"
        + "CA1,HS-5,dmi,Proof of income,2026-13-40,open,,\n"
        + "NOPE,HS-6,dmi,Proof of income,2026-12-20,open,,\n"
        + "CA1,HS-7,dmi,Proof of income,2026-12-20,open,2026-12-01,\n"
        + "CA1,HS-1,dmi,Proof of income,2026-12-20,open,,\n",
    )
    [summary] = import_bob_files(path, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (3, 6), summary.line()
    assert rejects(path) == [
        '5,kind,"not one of: dmi, svi, document"',
        "6,needed,a value is required",
        "7,due_on,not a date; write YYYY-MM-DD or MM/DD/YYYY",
        "8,case_number,unknown case number; load the consumer first",
        "9,raised_on,dated after the file's as-of (as of 2026-11-23 07:00 PST (the import time))",
        "10,external_ref,duplicate key: row 2 has the same key",
    ]
    rows = stored(sessions)
    income = rows["HS-1"]
    assert (income.kind, income.due_on, income.status, income.source) == (
        FollowUpKind.DMI, date(2026, 12, 20), FollowUpStatus.OPEN, FollowUpSource.BOB_FILE,
    )  # fmt: skip
    assert income.created_at == datetime(2026, 9, 21, 7, tzinfo=UTC)  # local midnight, PDT
    assert income.resolved_at is None
    svi = next(f for ref, f in rows.items() if ref.startswith("CA2:svi:"))
    assert (svi.status, svi.status_changed_at) == (
        FollowUpStatus.SUBMITTED,
        datetime(2026, 11, 10, 17, 30, tzinfo=UTC),
    )
    cleared = rows["HS-2"]
    assert cleared.resolved_at == cleared.status_changed_at == datetime(2026, 10, 2, 7, tzinfo=UTC)


def test_reimporting_changes_nothing_and_a_later_file_updates_in_place(sessions, agency, tmp_path):
    first = (
        HEADER
        + "CA1,HS-1,dmi,Proof of income,2026-12-20,open,2026-09-21,\nCA2,,svi,Proof of move,2026-12-05,,,\n"
    )
    path = write(tmp_path, "follow_ups.csv", first)
    import_bob_files(path, sessions, now=NOW)
    [again] = import_bob_files(path, sessions, now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2), again.line()
    later = (
        HEADER
        + "CA1,HS-1,dmi,Proof of income,2027-01-10,cleared,,2026-11-28\n"
        + "CA2,,svi,Proof of move,2026-12-05,,,\n"
    )
    [update] = import_bob_files(write(tmp_path, "follow_ups.csv", later), sessions, now=LATER)
    assert (update.created, update.updated, update.unchanged) == (0, 1, 1), update.line()
    income = stored(sessions)["HS-1"]
    assert (income.due_on, income.status) == (date(2027, 1, 10), FollowUpStatus.CLEARED)
    assert income.resolved_at == datetime(2026, 11, 28, 8, tzinfo=UTC)  # local midnight, PST
    assert len(stored(sessions)) == 2


def test_masked_cells_are_unknown_never_data(sessions, agency, tmp_path):
    path = write(tmp_path, "follow_ups.csv", HEADER + "CA1,HS-1,dmi,Proof of income,2026-12-20,submitted,,\n")
    import_bob_files(path, sessions, now=NOW)
    masked = (
        HEADER
        + "CA1,HS-1,dmi,Proof of income,2026-12-20,*****,**/**/****,\n"
        + "CA2,*****,dmi,Proof of income,**/**/****,,,\n"
    )
    [summary] = import_bob_files(write(tmp_path, "follow_ups.csv", masked), sessions, now=LATER)
    assert (summary.unchanged, summary.rejected) == (1, 1), summary.line()
    assert rejects(path) == ['3,due_on,"masked with asterisks, but a value is required"']
    assert stored(sessions)["HS-1"].status is FollowUpStatus.SUBMITTED


def test_a_case_on_another_agencys_book_is_rejected_with_agency(sessions, agency, tmp_path):
    path = write(tmp_path, "follow_ups.csv", HEADER + "CA9,X-1,dmi,Proof of income,2026-12-20,open,,\n")
    [summary] = import_bob_files(path, sessions, agency_code="sunrise", now=NOW)
    assert summary.rejected == 1
    assert rejects(path) == ["2,case_number,the case is on another agency's book"]


DMI_EXPORT = (
    "ffm_app_id,first_name,last_name,email,dmi_id,dmi_type,dmi_due_date,dmi_status,date_created,agent_name\n"
    "4400000001,Casey,Mockup,casey@example.com,D-100,Income,01/15/2027,Open,2026-10-17,Ana Agent\n"
    "4400000002,Jordan,Mockup,,D-101,Citizenship,2026-11-02,Documents Submitted,2026-08-04,Ana Agent\n"
    "4400000002,Jordan,Mockup,,D-102,Citizenship,**/**/****,Open,,Ana Agent\n"
    "4400000009,Nobody,Here,,D-103,Income,2026-12-01,Open,,Ana Agent\n"
    "4400000001,Casey,Mockup,,D-104,Income,2026-12-01,Waiting,,Ana Agent\n"
)


def test_healthsherpa_dmi_export_loads_by_its_columns_and_ignores_the_rest(sessions, agency, tmp_path):
    path = write(tmp_path, "dmi.csv", DMI_EXPORT)
    summary = import_healthsherpa_follow_ups(path, sessions, "sunrise", FollowUpKind.DMI, now=NOW)
    assert (summary.created, summary.rejected) == (2, 3), summary.line()
    assert summary.ignored_columns == ["first_name", "last_name", "email", "agent_name"]
    assert [line.split(",")[:2] for line in rejects(path)] == [
        ["4", "due_date"], ["5", "ffm_app_id"], ["6", "status"],
    ]  # fmt: skip
    rows = stored(sessions)
    assert set(rows) == {"dmi:D-100", "dmi:D-101"}
    assert (rows["dmi:D-100"].needed, rows["dmi:D-100"].due_on) == ("Income", date(2027, 1, 15))
    assert rows["dmi:D-101"].status is FollowUpStatus.SUBMITTED
    assert all(f.source is FollowUpSource.HEALTHSHERPA and f.kind is FollowUpKind.DMI for f in rows.values())
    again = import_healthsherpa_follow_ups(path, sessions, "sunrise", FollowUpKind.DMI, now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_an_svi_with_the_same_id_as_a_dmi_is_another_follow_up(sessions, agency, tmp_path):
    dmi = write(tmp_path, "dmi.csv", "ffm_app_id,dmi_id,dmi_due_date\n4400000001,7,2026-12-01\n")
    svi = write(
        tmp_path, "svi.csv", "ffm_app_id,svi_id,svi_due_date,svi_status\n4400000001,7,2026-12-09,Verified\n"
    )
    import_healthsherpa_follow_ups(dmi, sessions, "sunrise", FollowUpKind.DMI, now=NOW)
    import_healthsherpa_follow_ups(svi, sessions, "sunrise", FollowUpKind.SVI, now=NOW)
    rows = stored(sessions)
    assert (rows["dmi:7"].needed, rows["dmi:7"].status) == ("DMI documents", FollowUpStatus.OPEN)
    assert (rows["svi:7"].needed, rows["svi:7"].status) == (
        "SEP verification documents",
        FollowUpStatus.CLEARED,
    )
    assert rows["svi:7"].resolved_at == NOW


def test_a_file_that_is_no_follow_ups_export_stops_before_loading(sessions, agency, tmp_path):
    path = write(tmp_path, "clients.csv", "ffm_app_id,first_name\n4400000001,Casey\n")
    with pytest.raises(SourceError, match="lacks due_date"):
        import_healthsherpa_follow_ups(path, sessions, "sunrise", FollowUpKind.DMI, now=NOW)
    assert stored(sessions) == {}


def test_bob_import_healthsherpa_svi_on_the_command_line(
    agency, sessions, db_url, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    path = write(
        tmp_path,
        "svi.csv",
        "ffm_app_id,first_name,svi_type,due_date\n4400000002,Jordan,Proof of move,2026-12-24\n",
    )
    assert main(["import", "healthsherpa-svi", str(path), "--agency", "sunrise"]) == 0
    out = capsys.readouterr().out
    assert "svi.csv: 1 rows: 1 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert "ignored columns bob does not keep: first_name" in out and "Jordan" not in out
    with sessions() as s:
        case = s.scalar(select(Consumer.case_number).join(FollowUp, FollowUp.consumer_id == Consumer.id))
    assert case == "4400000002"


def test_agencies_file_turns_bobs_topics_off_and_lists_due_soon_days(sessions, tmp_path):
    path = write(
        tmp_path,
        "agencies.csv",
        "code,name,bob_topics,due_soon_days\n"
        'sunrise,Sunrise,N,"5, 30,1"\n'
        "moon,Moon,Y,\n"
        'bad,Bad,Y,"0,200"\n'
        "worse,Worse,maybe,\n",
    )
    [summary] = import_bob_files(path, sessions, now=NOW)
    assert (summary.created, summary.rejected) == (2, 2), summary.line()
    assert [line.split(",")[:2] for line in rejects(path)] == [["4", "due_soon_days"], ["5", "bob_topics"]]
    with sessions() as s:
        stored_agencies = {a.code: (a.bob_topics, a.due_soon_days) for a in s.scalars(select(Agency))}
    assert stored_agencies == {"sunrise": (False, "30,5,1"), "moon": (True, None)}
