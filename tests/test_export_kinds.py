"""Follow-ups, delegations-at-risk and roster exports: who may ask for which, what the
encrypted workbooks hold (rows, columns, masking, About sheet), and the audit they leave.
The same planning, writer, encryption and history as the Book of Business."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from exports.building import run_export
from exports.errors import ExportRefused
from exports.follow_up_columns import window_start
from exports.history import fetch_export, list_exports
from exports.kinds import EXPORT_KINDS, read_kind
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from rules.access import Via
from store.models import Agency, AuditEntry, Delegation, Enroller, ExportRecord, Role
from tests.export_fixtures import midnight, open_workbook
from tests.follow_up_people import NOW, SECRET_NAME, build_follow_up_book


@pytest.fixture
def people(book, sessions):
    return build_follow_up_book(book, sessions)


@pytest.fixture
def config(tmp_path: Path) -> ExportsConfig:
    return ExportsConfig(directory=str(tmp_path / "exports"))


def export(sessions, config, who: int, kind: str, target: str = "self", masked: bool | None = None):
    plan = plan_export(sessions, config, ExportRequest(who, target, kind=kind, masked=masked), NOW)
    result = run_export(sessions, config, plan, NOW)
    workbook = open_workbook(result.path, result.password)
    return plan, result, workbook


def rows_of(workbook) -> list[tuple]:
    return list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))


def headers_of(workbook) -> tuple:
    return next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True))


# Who may export which kind at which reach: rows planned, or the refusal's reason.
MATRIX = {
    ("follow_ups", "self"): {"ana": 5, "lee": 1, "max": "nothing_to_export", "omar": "nothing_to_export"},
    ("follow_ups", "agency"): {"ana": "agent_scope", "lee": "agent_scope", "max": 6, "omar": 1},
    ("follow_ups_dmi", "agency"): {"max": 4, "omar": 1, "olga": "agent_scope"},
    ("follow_ups_svi", "self"): {"ana": 1, "lee": "nothing_to_export"},
    ("at_risk", "self"): {"ana": 2, "lee": "nothing_to_export", "olga": "nothing_to_export"},
    ("at_risk", "agency"): {"ana": "agent_scope", "max": 2, "omar": "nothing_to_export"},
    ("roster", "agency"): {"ana": "role_cannot_export", "olga": "role_cannot_export", "max": 3, "omar": 2},
    ("roster", "self"): {"max": "bad_target"},
}
CASES = [
    (kind, target, who, expected) for (kind, target), row in MATRIX.items() for who, expected in row.items()
]


@pytest.mark.parametrize(
    ("kind", "target", "who", "expected"), CASES, ids=[f"{k}-{t}-{w}" for k, t, w, _ in CASES]
)
def test_the_authorization_matrix_of_the_new_kinds(sessions, config, people, kind, target, who, expected):
    requester = people.ids[who]
    request = ExportRequest(requester, target, kind=kind)
    if isinstance(expected, int):
        assert plan_export(sessions, config, request, NOW).row_estimate == expected
        outcome = "allowed"
    else:
        with pytest.raises(ExportRefused) as refusal:
            plan_export(sessions, config, request, NOW)
        assert refusal.value.reason == expected
        outcome = "refused"
    with sessions() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.actor_id, entry.action, entry.outcome) == (requester, "export.request", outcome)
        assert entry.detail["kind"] == kind
        if outcome == "refused":
            assert session.scalars(select(ExportRecord)).all() == []


def test_an_agency_that_stops_agent_exports_stops_follow_up_exports_too(sessions, config, people):
    with sessions() as session, session.begin():
        session.scalars(select(Agency).where(Agency.code == "sunrise")).one().prevent_downline_exports = True
    with pytest.raises(ExportRefused) as refusal:
        plan_export(sessions, config, ExportRequest(people.ids["ana"], kind="follow_ups"), NOW)
    assert refusal.value.reason == "downline_exports_prevented"
    assert "follow-ups included" in str(refusal.value)
    assert plan_export(sessions, config, ExportRequest(people.ids["max"], "agency", kind="follow_ups"), NOW)


def test_the_follow_ups_workbook_holds_two_months_back_onward_soonest_first(sessions, config, people):
    plan, result, workbook = export(sessions, config, people.ids["ana"], "follow_ups")
    assert result.file_name == "FollowUps_Ana-Agent_0A11111_2026-11-23.xlsx"
    assert headers_of(workbook) == (
        "Case Number",
        "First Name",
        "Last Name",
        "Date of Birth",
        "Primary Phone",
        "Email",
        "Follow-up Type",
        "Documents Needed",
        "Due Date",
        "Overdue",
        "Status",
        "Source",
        "Delegation Status",
        "Delegated Agent",
    )
    rows = rows_of(workbook)
    assert [(r[0], r[6], r[8], r[9], r[10], r[12]) for r in rows] == [
        ("CASE-ZELDA", "DMI", midnight(date(2026, 11, 21)), "Y", "Open", "Active"),
        ("CASE-SOON", "SVI", midnight(date(2026, 11, 26)), "N", "Documents Submitted", "Active"),
        ("CASE-ZELDA", "DMI", midnight(date(2026, 11, 28)), "N", "Verified", "Active"),
        ("CASE-SHARED", "DMI", midnight(date(2026, 12, 3)), "N", "Open", "Pending"),
        ("CASE-SOON", "Document", midnight(date(2027, 1, 2)), "N", "Open", "Active"),
    ]
    zelda = rows[0]
    assert f"{zelda[1]} {zelda[2]}" == SECRET_NAME and zelda[3] == midnight(date(1980, 1, 1))
    assert zelda[11] == "HealthSherpa" and zelda[13] == "Ana Agent (License 0A11111)"
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Follow-ups"] == "Ana Agent (License 0A11111)"
    assert about["Follow-ups (rows)"] == "5"
    assert about["Covers"].startswith("Follow-ups due from 2026-09-23 onward")
    assert about["Masking"] == "None: the file holds the full Date of Birth"
    assert about["Columns"].startswith("14 (A-N)")


def test_a_managers_dmi_export_of_the_agency_has_every_agents_and_no_other_agencys(sessions, config, people):
    _, _, workbook = export(sessions, config, people.ids["max"], "follow_ups_dmi", "agency")
    rows = rows_of(workbook)
    assert {r[6] for r in rows} == {"DMI"}
    assert sorted((r[0], r[13]) for r in rows if r[0] == "CASE-SHARED") == [
        ("CASE-SHARED", "Ana Agent (License 0A11111)"),
        ("CASE-SHARED", "Lee Levelto (License 0A22222)"),
    ]
    assert "CASE-MOON" not in {r[0] for r in rows}
    _, _, other = export(sessions, config, people.ids["omar"], "follow_ups", "agency")
    assert [r[0] for r in rows_of(other)] == ["CASE-MOON"]


def test_masking_hides_the_date_of_birth_in_follow_up_and_at_risk_exports(sessions, config, people):
    for kind in ("follow_ups", "at_risk"):
        _, _, workbook = export(sessions, config, people.ids["ana"], kind, masked=True)
        column = headers_of(workbook).index("Date of Birth")
        born = {r[column] for r in rows_of(workbook)}
        assert born == ({"**/**/****", None} if kind == "at_risk" else {"**/**/****"})  # None: removed
        about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
        assert about["Masking"] == "Date of Birth masked with asterisks"


def test_the_at_risk_workbook_lists_pending_and_recently_removed_delegations(sessions, config, people):
    _, result, workbook = export(sessions, config, people.ids["max"], "at_risk", "agency")
    assert result.file_name == "AtRisk_Agency-Sunrise-Insurance_2026-11-23.xlsx"
    assert headers_of(workbook)[6:] == (
        "Delegation Status",
        "Delegation Date",
        "Open Follow-ups",
        "Overdue Follow-ups",
        "Next Follow-up Due",
        "Delegated Agent",
    )
    rows = rows_of(workbook)
    assert [(r[0], r[6], r[8], r[9], r[10], r[11]) for r in rows] == [
        ("CASE-GONE", "Removed", 1, 0, midnight(date(2026, 11, 27)), "Ana Agent (License 0A11111)"),
        ("CASE-SHARED", "Pending", 1, 0, midnight(date(2026, 12, 3)), "Ana Agent (License 0A11111)"),
    ]
    assert "CASE-LONG-GONE" not in {r[0] for r in rows}, "removed in 2020: outside the two months"
    # Who left is named; their date of birth, phone and email are no longer given out.
    gone, pending = rows
    assert gone[1] and gone[2] and gone[3:6] == (None, None, None)
    assert pending[3] is not None and pending[4] and pending[5]


@pytest.mark.parametrize(
    ("removed", "listed"),
    [
        (datetime(2026, 9, 23, 6, 59, tzinfo=UTC), False),  # 23:59 PDT on 09/22: before the window
        (datetime(2026, 9, 23, 7, 0, tzinfo=UTC), True),  # local midnight that opens it
    ],
)
def test_a_removal_counts_from_the_windows_local_midnight(sessions, config, people, removed, listed):
    with sessions() as session, session.begin():
        session.execute(
            update(Delegation)
            .where(Delegation.consumer_id == people.consumers["gone"])
            .values(status_changed_at=removed, removed_at=removed)
        )
    _, _, workbook = export(sessions, config, people.ids["ana"], "at_risk")
    assert ("CASE-GONE" in {row[0] for row in rows_of(workbook)}) is listed


def test_the_roster_lists_the_agencys_enrollers_with_book_and_follow_ups(sessions, config, people):
    _, result, workbook = export(sessions, config, people.ids["max"], "roster", "agency")
    assert result.file_name == "Roster_Agency-Sunrise-Insurance_2026-11-23.xlsx"
    assert headers_of(workbook) == (
        "First Name",
        "Last Name",
        "License Number",
        "Role",
        "Email",
        "Active",
        "Slack",
        "Book Size",
        "Open Follow-ups",
        "Overdue Follow-ups",
    )
    assert rows_of(workbook) == [
        ("Ana", "Agent", "0A11111", "Agent Level 1", "ana.agent@agency.test", "Y", "Linked", 3, 4, 1),
        ("Lee", "Levelto", "0A22222", "Agent Level 2", "lee.levelto@agency.test", "Y", "Linked", 1, 1, 0),
        ("Max", "Manager", "0A33333", "Agency Manager", "max.manager@agency.test", "Y", "Linked", 0, 0, 0),
    ]
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Masking"].startswith("Nothing to mask")
    assert about["Handling"].startswith("Names the agency's people")


def test_new_kinds_keep_their_history_fetch_and_audit_like_the_book(sessions, config, people):
    plan, result, _ = export(sessions, config, people.ids["max"], "follow_ups_svi", "agency")
    [entry] = list_exports(sessions, people.ids["max"], NOW)
    assert entry.scope_label == "SVI follow-ups: All Agents of Sunrise Insurance"
    assert entry.status == "succeeded" and entry.row_count == 1
    assert (
        fetch_export(sessions, people.ids["max"], result.token, NOW, Via("cli", os_user="ops")) == result.path
    )
    with sessions() as session:
        assert session.get_one(ExportRecord, plan.export_id).kind == "follow_ups_svi"
        actions = [
            (e.action, e.outcome)
            for e in session.scalars(select(AuditEntry).where(AuditEntry.actor_id == people.ids["max"]))
        ]
    assert actions == [("export.request", "allowed"), ("export.build", "succeeded"), ("export.fetch", "ok")]


def test_a_fetch_rechecks_the_kinds_rights(sessions, config, people):
    _, result, _ = export(sessions, config, people.ids["max"], "roster", "agency")
    with sessions() as session, session.begin():
        session.get_one(Enroller, people.ids["max"]).role = Role.AGENT_L2
    with pytest.raises(ExportRefused) as refusal:
        fetch_export(sessions, people.ids["max"], result.token, NOW, Via("cli", os_user="ops"))
    assert refusal.value.reason == "role_cannot_export"


@pytest.mark.parametrize("option", [{"snapshot": True}, {"include_changes": True}])
def test_snapshots_and_changes_are_the_books_alone(sessions, config, people, option):
    with pytest.raises(ExportRefused) as refusal:
        plan_export(sessions, config, ExportRequest(people.ids["ana"], kind="follow_ups", **option), NOW)
    assert refusal.value.reason == "bad_option"


def test_an_unknown_kind_is_refused_and_audited(sessions, config, people):
    with pytest.raises(ExportRefused) as refusal:
        plan_export(sessions, config, ExportRequest(people.ids["max"], kind="everything'; --"), NOW)
    assert refusal.value.reason == "bad_kind"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], None),
        (["agency"], None),
        (["followups"], ("follow_ups", "self")),
        (["Follow-ups", "SVI", "AGENCY"], ("follow_ups_svi", "agency")),
        (["followups", "agency", "dmi"], ("follow_ups_dmi", "agency")),
        (["at-risk"], ("at_risk", "self")),
        (["roster"], ("roster", "agency")),
    ],
)
def test_the_kind_words_read_alike_in_chat_and_on_the_command_line(words, expected):
    assert read_kind(words) == expected


@pytest.mark.parametrize(
    "words",
    [
        ["followups", "dmi", "svi"],
        ["followups", "agency", "agency"],
        ["followups", "<!channel>"],
        ["at-risk", "dmi"],
        ["roster", "agency"],
        ["roster", "x" * 10_000],
    ],
)
def test_hostile_kind_words_are_refused_with_the_usage(words):
    with pytest.raises(ExportRefused) as refusal:
        read_kind(words)
    assert str(refusal.value).startswith("write it as `export ")
    assert "<!channel>" not in str(refusal.value) and len(str(refusal.value)) < 80


def test_the_window_is_two_calendar_months_back():
    assert window_start(date(2026, 11, 23)) == date(2026, 9, 23)
    assert window_start(date(2026, 4, 30)) == date(2026, 2, 28)
    assert window_start(date(2026, 1, 31)) == date(2025, 11, 30)
    assert set(EXPORT_KINDS) == {
        "book",
        "follow_ups",
        "follow_ups_dmi",
        "follow_ups_svi",
        "at_risk",
        "roster",
    }
