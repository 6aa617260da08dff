"""Who may export which Book of Business: every role against every scope, all audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from exports.building import run_export
from exports.errors import ExportRefused
from exports.history import fetch_export
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from rules.access import Via
from store.models import Agency, AuditEntry, Enroller, ExportRecord, ExportScope, Role
from tests.export_fixtures import NOW, People, build_people


@pytest.fixture
def people(book) -> People:
    return build_people(book)


@pytest.fixture
def config(tmp_path: Path) -> ExportsConfig:
    return ExportsConfig(directory=str(tmp_path / "exports"))


SELF, AGENCY = ("self", None), ("agency", None)
ANA_BY_NAME, ANA_BY_LICENSE = ("agent", "Ana Agent"), ("agent", "0A12345")

# role -> {scope: rows exported, or the refusal reason}
MATRIX = {
    "ana": {SELF: 5, AGENCY: "agent_scope", ANA_BY_NAME: "agent_scope"},
    "ben": {SELF: 2, AGENCY: "agent_scope", ANA_BY_LICENSE: "agent_scope"},
    "max": {SELF: "empty_book", AGENCY: 7, ANA_BY_NAME: 5, ANA_BY_LICENSE: 5},
    "admin2": {AGENCY: 7, ANA_BY_NAME: 5},
    "primary": {AGENCY: 7, ANA_BY_LICENSE: 5},
    "admin1": {SELF: "role_cannot_export", AGENCY: "role_cannot_export", ANA_BY_NAME: "role_cannot_export"},
    "support": {SELF: "role_cannot_export", AGENCY: "role_cannot_export"},
    "mia": {AGENCY: 1, ANA_BY_NAME: "no_agent", ANA_BY_LICENSE: "no_agent"},
}
CASES = [(who, scope, expected) for who, scopes in MATRIX.items() for scope, expected in scopes.items()]


@pytest.mark.parametrize(
    ("who", "scope", "expected"), CASES, ids=[f"{w}-{s[0]}-{s[1] or ''}" for w, s, _ in CASES]
)
def test_the_authorization_matrix(sessions, config, people, who, scope, expected):
    requester = getattr(people, who)
    request = ExportRequest(requester, target=scope[0], agent_query=scope[1])
    if isinstance(expected, int):
        plan = plan_export(sessions, config, request, NOW)
        assert plan.row_estimate == expected
        outcome = "allowed"
    else:
        with pytest.raises(ExportRefused) as refusal:
            plan_export(sessions, config, request, NOW)
        assert refusal.value.reason == expected
        outcome = "refused"
    with sessions() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.actor_id, entry.action, entry.outcome) == (requester, "export.request", outcome)
        if outcome == "allowed":
            assert entry.detail["rows"] == expected
        else:
            assert entry.detail["reason"] == expected
            assert session.scalars(select(ExportRecord)).all() == []


def test_a_manager_of_another_agency_learns_nothing_about_the_agent(sessions, config, people):
    with pytest.raises(ExportRefused) as by_name:
        plan_export(sessions, config, ExportRequest(people.mia, "agent", "Ana Agent"), NOW)
    with pytest.raises(ExportRefused) as nobody:
        plan_export(sessions, config, ExportRequest(people.mia, "agent", "Zed Nobody"), NOW)
    assert str(by_name.value) == str(nobody.value)
    assert "in your agency" in str(by_name.value)


def test_an_agent_is_found_only_by_the_exact_full_name_or_license(sessions, config, people):
    found = plan_export(sessions, config, ExportRequest(people.max, "agent", "  aNA    agent "), NOW)
    assert found.scope_label == "Ana Agent (License 0A12345)"
    by_license = plan_export(sessions, config, ExportRequest(people.max, "agent", "0a12345"), NOW)
    assert by_license.scope_label == found.scope_label
    for partial in ("Ana", "Agent", "An Agent", "Ana Agen", "0A1234", ""):
        with pytest.raises(ExportRefused) as refusal:
            plan_export(sessions, config, ExportRequest(people.max, "agent", partial), NOW)
        assert refusal.value.reason == "no_agent"


def test_two_agents_with_one_name_must_be_told_apart_by_license(sessions, config, people, book):
    book.enroller(people.sunrise, "Sam", "Same", license_number="0B11111")
    book.enroller(people.sunrise, "Sam", "Same", license_number="0B22222")
    with pytest.raises(ExportRefused) as refusal:
        plan_export(sessions, config, ExportRequest(people.max, "agent", "Sam Same"), NOW)
    assert refusal.value.reason == "ambiguous_agent"
    assert "0B11111" in str(refusal.value) and "0B22222" in str(refusal.value)
    with pytest.raises(ExportRefused, match="no consumers"):
        plan_export(sessions, config, ExportRequest(people.max, "agent", "0B22222"), NOW)


def test_preventing_downline_exports_stops_agents_but_not_managers(sessions, config, people):
    with sessions() as session, session.begin():
        session.get_one(Agency, people.sunrise).prevent_downline_exports = True
    for agent in (people.ana, people.ben):
        with pytest.raises(ExportRefused) as refusal:
            plan_export(sessions, config, ExportRequest(agent), NOW)
        assert refusal.value.reason == "downline_exports_prevented"
    plan = plan_export(sessions, config, ExportRequest(people.max, "agency"), NOW)
    assert plan.row_estimate == 7
    agent_plan = plan_export(sessions, config, ExportRequest(people.max, "agent", "Ana Agent"), NOW)
    assert agent_plan.row_estimate == 5


def test_unknown_or_inactive_requesters_and_bad_targets_are_refused(sessions, config, people):
    with pytest.raises(ExportRefused) as unknown:
        plan_export(sessions, config, ExportRequest(99_999), NOW)
    assert unknown.value.reason == "unknown_requester"
    with pytest.raises(ExportRefused) as bad:
        plan_export(sessions, config, ExportRequest(people.max, "everything"), NOW)
    assert bad.value.reason == "bad_target"
    with sessions() as session, session.begin():
        session.get_one(Enroller, people.ana).active = False
    with pytest.raises(ExportRefused) as inactive:
        plan_export(sessions, config, ExportRequest(people.ana), NOW)
    assert inactive.value.reason == "unknown_requester"
    with sessions() as session:
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [a.outcome for a in audit] == ["refused"] * 3
        assert audit[0].actor_id is None


def test_the_history_records_scope_subject_and_request(sessions, config, people):
    plan = plan_export(
        sessions, config, ExportRequest(people.max, "agent", "Ben Broker", masked=True, via="slack"), NOW
    )
    with sessions() as session:
        record = session.get_one(ExportRecord, plan.export_id)
        assert record.scope == ExportScope.AGENT and record.subject_enroller_id == people.ben
        assert (record.requested_via, record.masked, record.from_snapshot) == ("slack", True, False)
        assert record.requested_by_id == people.max and record.status == "processing"


# Fetching again re-checks the rights the export was made with


def built(sessions, config, request: ExportRequest) -> str:
    plan = plan_export(sessions, config, request, NOW)
    run_export(sessions, config, plan, NOW)
    return plan.token


def change(sessions, model, key, **values) -> None:
    with sessions() as session, session.begin():
        row = session.get_one(model, key)
        for name, value in values.items():
            setattr(row, name, value)


def refetch_refusal(sessions, requester: int, token: str) -> str:
    with pytest.raises(ExportRefused) as refusal:
        fetch_export(sessions, requester, token, NOW + timedelta(minutes=5), Via("slack"))
    with sessions() as session:
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (audit.action, audit.outcome, audit.actor_id) == ("export.fetch", "refused", requester)
    assert audit.detail["reason"] == refusal.value.reason
    return refusal.value.reason


def test_an_agents_export_cannot_be_fetched_once_the_agency_prevents_exports(sessions, config, people):
    token = built(sessions, config, ExportRequest(people.ana))
    assert fetch_export(sessions, people.ana, token, NOW + timedelta(minutes=5), Via("slack")).is_file()
    change(sessions, Agency, people.sunrise, prevent_downline_exports=True)
    assert refetch_refusal(sessions, people.ana, token) == "downline_exports_prevented"


def test_an_agency_export_cannot_be_fetched_once_the_manager_lost_the_role(sessions, config, people):
    token = built(sessions, config, ExportRequest(people.max, "agency"))
    change(sessions, Enroller, people.max, role=Role.AGENT_L1)
    assert refetch_refusal(sessions, people.max, token) == "agent_scope"


def test_an_agents_book_cannot_be_fetched_by_a_manager_who_became_admin_level_1(sessions, config, people):
    token = built(sessions, config, ExportRequest(people.max, "agent", "Ana Agent"))
    change(sessions, Enroller, people.max, role=Role.ADMIN_L1)
    assert refetch_refusal(sessions, people.max, token) == "role_cannot_export"


def test_an_export_cannot_be_fetched_by_a_deactivated_requester(sessions, config, people):
    token = built(sessions, config, ExportRequest(people.ana))
    change(sessions, Enroller, people.ana, active=False)
    assert refetch_refusal(sessions, people.ana, token) == "unknown_requester"


def test_an_export_cannot_be_fetched_after_the_requester_moved_agency(sessions, config, people):
    token = built(sessions, config, ExportRequest(people.max, "agency"))
    change(sessions, Enroller, people.max, agency_id=people.moonlight)
    assert refetch_refusal(sessions, people.max, token) == "other_agency"
