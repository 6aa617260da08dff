"""`bob seed`: reproducible, realistic synthetic books whose alert mix makes every topic fire."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.cli import main
from mailer.daily_summary import DeliverySettings, run_daily_summary
from rules.ledger import record_alerts
from rules.topics import BOBS_OWN_TOPICS, CALHEERS_TOPICS, TOPICS
from store.db import make_engine, session_factory
from store.models import (
    Agency,
    Base,
    Consumer,
    CrwCase,
    Delegation,
    DelegationStatus,
    DigestKind,
    Enroller,
    FollowUp,
    FollowUpStatus,
    MailboxMessage,
    Role,
)
from store.seed import TABLES, SeedError, SeedPlan, seed_book
from store.seed_rows import license_number
from tests.factories import Book

# Local midnight starting 2026-09-01 in Los Angeles: a date on which all 8 topics apply.
AS_OF = datetime(2026, 9, 1, 7, tzinfo=UTC)
BUSINESS_DATE = date(2026, 9, 1)
PLAN = SeedPlan(agencies=3, consumers=3000, enrollers=40, seed=11, as_of=AS_OF)


@pytest.fixture
def other_engine(tmp_path: Path, migrated_template: Path) -> Iterator[Engine]:
    path = tmp_path / "other.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _all_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            name: [
                tuple(row)
                for row in conn.execute(
                    select(Base.metadata.tables[name]).order_by(Base.metadata.tables[name].c.id)
                )
            ]
            for name in TABLES
        }


def test_the_same_seed_makes_the_same_book(engine: Engine, other_engine: Engine) -> None:
    small = SeedPlan(agencies=2, consumers=700, enrollers=15, seed=5, as_of=AS_OF, chunk=300)
    seed_book(engine, small)
    seed_book(other_engine, SeedPlan(agencies=2, consumers=700, enrollers=15, seed=5, as_of=AS_OF))
    first, second = _all_rows(engine), _all_rows(other_engine)
    assert all(first[name] for name in TABLES)
    assert first == second


def test_another_seed_makes_another_book(engine: Engine, other_engine: Engine) -> None:
    seed_book(engine, SeedPlan(agencies=1, consumers=50, enrollers=6, seed=1, as_of=AS_OF))
    seed_book(other_engine, SeedPlan(agencies=1, consumers=50, enrollers=6, seed=2, as_of=AS_OF))
    assert _all_rows(engine)["consumers"] != _all_rows(other_engine)["consumers"]


def test_it_makes_the_counts_asked_with_a_full_staff(engine: Engine, sessions: sessionmaker[Session]) -> None:
    plan = SeedPlan(agencies=4, consumers=1234, enrollers=60, seed=3, as_of=AS_OF)
    result = seed_book(engine, plan)
    assert (result.agencies, result.enrollers, result.consumers) == (4, 60, 1234)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Agency)) == 4
        assert s.scalar(select(func.count()).select_from(Enroller)) == 60
        assert s.scalar(select(func.count()).select_from(Consumer)) == 1234
        roles = s.execute(select(Enroller.agency_id, Enroller.role)).all()
        for agency_id in s.scalars(select(Agency.id)):
            held = [role for agency, role in roles if agency == agency_id]
            assert held.count(Role.AGENCY_MANAGER) == 1
            assert held.count(Role.PRIMARY_CONTACT) == 1
            assert Role.ADMIN_L1 in held
            assert Role.AGENT_L1 in held or Role.AGENT_L2 in held
        # Every consumer's case is delegated, and only to agents.
        delegated = s.scalar(select(func.count(Delegation.consumer_id.distinct())))
        assert delegated == 1234
        holders = set(
            s.scalars(
                select(Enroller.role).join(Delegation, Delegation.enroller_id == Enroller.id).distinct()
            )
        )
        assert holders <= {Role.AGENT_L1, Role.AGENT_L2}
        statuses = dict(s.execute(select(Delegation.status, func.count()).group_by(Delegation.status)).all())
        assert statuses[DelegationStatus.ACTIVE] > 0.85 * 1234
        assert statuses[DelegationStatus.PENDING] > 0 and statuses[DelegationStatus.REMOVED] > 0
        # CRW renewal cases go to the agent who holds the consumer's active delegation.
        crw = s.execute(select(CrwCase.consumer_id, CrwCase.assigned_enroller_id)).all()
        assert 0.02 * 1234 < len(crw) < 0.1 * 1234
        active = set(
            s.execute(
                select(Delegation.consumer_id, Delegation.enroller_id).where(
                    Delegation.status == DelegationStatus.ACTIVE
                )
            ).all()
        )
        assert {tuple(row) for row in crw} <= active


def test_personal_data_is_fictional_by_construction(engine: Engine, sessions: sessionmaker[Session]) -> None:
    seed_book(engine, PLAN)
    with sessions() as s:
        rows = s.execute(
            select(
                Consumer.ssn,
                Consumer.primary_phone,
                Consumer.email,
                Consumer.state,
                Consumer.date_of_birth,
            )
        ).all()
        phones = s.scalars(select(Enroller.phone)).all()
        enroller_emails = s.scalars(select(Enroller.email)).all()
    ssns = [row.ssn for row in rows if row.ssn]
    assert len(ssns) > 0.9 * len(rows)
    # Area numbers 900-999 are never issued as Social Security numbers.
    assert all(re.fullmatch(r"9\d\d-(0[1-9]|[1-9]\d)-\d{4}", ssn) for ssn in ssns)
    assert all(re.fullmatch(r"\(\d{3}\) 555-01\d\d", row.primary_phone) for row in rows)
    assert all(re.fullmatch(r"\(\d{3}\) 555-01\d\d", phone) for phone in phones)
    emails = [row.email for row in rows if row.email] + list(enroller_emails)
    assert all(re.search(r"@([a-z0-9-]+\.)?example\.(com|net|org)$", email) for email in emails)
    assert {row.state for row in rows} == {"CA"}
    assert all(row.date_of_birth < AS_OF.date() for row in rows)


def test_every_topic_fires_on_a_date_its_policy_applies(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    seed_book(engine, PLAN)
    with sessions() as s, s.begin():
        added = record_alerts(s, BUSINESS_DATE)
    assert set(added) == {topic.name for topic in TOPICS}
    assert all(count > 0 for count in added.values()), added
    # About 6-9% of consumers alert on a first run: 1M consumers, 10k agents -> 60-90k alerts.
    assert 0.05 * PLAN.consumers < sum(added[t] for t in CALHEERS_TOPICS) < 0.12 * PLAN.consumers
    # bob's own topics add pending delegations (4% of cases) and follow-ups due or overdue.
    assert 0.03 * PLAN.consumers < sum(added[t] for t in BOBS_OWN_TOPICS) < 0.09 * PLAN.consumers


def test_about_one_consumer_in_five_has_a_follow_up_due_in_hs_export_span(engine: Engine) -> None:
    seed_book(engine, PLAN)
    today = AS_OF.date()
    with engine.connect() as conn:
        rows = conn.execute(select(FollowUp.due_on, FollowUp.status, FollowUp.created_at)).all()
    assert 0.17 * PLAN.consumers < len(rows) < 0.23 * PLAN.consumers
    assert all(today - timedelta(days=61) <= due <= today + timedelta(days=91) for due, _, _ in rows)
    assert {status for _, status, _ in rows} == set(FollowUpStatus)
    assert all(created <= AS_OF for _, _, created in rows)


def test_consent_valid_thru_stays_quiet_off_its_dates(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    seed_book(engine, PLAN)
    with sessions() as s, s.begin():
        added = record_alerts(s, date(2026, 9, 2))
    assert added["consent_valid_thru"] == 0
    assert added["actions_requested"] > 0


def test_the_daily_summary_delivers_digests_for_a_seeded_book(
    engine: Engine, sessions: sessionmaker[Session], delivery: DeliverySettings
) -> None:
    seed_book(engine, PLAN)
    result = run_daily_summary(sessions, BUSINESS_DATE, delivery)
    with sessions() as s:
        kinds = dict(s.execute(select(MailboxMessage.kind, func.count()).group_by(MailboxMessage.kind)).all())
        managers = s.scalar(
            select(func.count()).where(
                Enroller.role.in_([Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT]), Enroller.active
            )
        )
        alerted = s.scalar(
            select(func.sum(MailboxMessage.alert_count)).where(
                MailboxMessage.kind == DigestKind.DAILY_SUMMARY
            )
        )
    assert kinds[DigestKind.MANAGER_SUMMARY] == managers == 2 * PLAN.agencies
    assert kinds[DigestKind.DAILY_SUMMARY] > 20
    assert result.digests == sum(kinds.values())
    assert alerted == sum(result.alerts.values())


def test_seeding_again_adds_new_distinct_agencies(engine: Engine, sessions: sessionmaker[Session]) -> None:
    plan = SeedPlan(agencies=2, consumers=300, enrollers=12, seed=9, as_of=AS_OF)
    seed_book(engine, plan)
    seed_book(engine, plan)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Agency)) == 4
        assert s.scalar(select(func.count(Enroller.license_number.distinct()))) == 24
        assert s.scalar(select(func.count(Consumer.case_number.distinct()))) == 600


def test_it_refuses_a_database_holding_its_license_numbers(
    book: Book, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    agency = book.agency()
    # The seed's first enroller gets the next id (2); its license number is already on file.
    book.enroller(agency, "Ana", "Agent", license_number=license_number(2))
    with pytest.raises(SeedError, match="license numbers"):
        seed_book(engine, SeedPlan(agencies=1, consumers=10, enrollers=5, as_of=AS_OF))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Agency)) == 1
        assert s.scalar(select(func.count()).select_from(Consumer)) == 0


def test_it_refuses_too_few_enrollers_and_naive_times(engine: Engine) -> None:
    with pytest.raises(SeedError, match="too few"):
        seed_book(engine, SeedPlan(agencies=3, consumers=10, enrollers=11))
    with pytest.raises(SeedError, match="aware"):
        seed_book(engine, SeedPlan(agencies=1, consumers=10, as_of=datetime(2026, 9, 1)))


def test_the_cli_seeds_a_fresh_database_and_the_summary_runs_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'bob.db'}"
    monkeypatch.setenv("BOB_DATABASE_URL", url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    argv = [
        "seed",
        "--agencies",
        "2",
        "--consumers",
        "1500",
        "--enrollers",
        "20",
        "--seed",
        "4",
        "--as-of",
        "2026-09-01",
    ]
    assert main(["-v", *argv]) == 0
    out, err = capsys.readouterr()
    assert "seeded 2 agencies, 20 enrollers, 1,500 consumers" in out
    assert "seed: 1,500/1,500 consumers" in err
    assert main(["summary", "run", "--date", "2026-09-01", "--allow-old"]) == 0
    assert "new alerts" in capsys.readouterr().out
    engine = make_engine(url)
    with session_factory(engine)() as s:
        first_delegation = s.scalar(select(func.min(Delegation.created_at)))
        assert first_delegation is not None and first_delegation < AS_OF
        assert s.scalar(select(func.count()).select_from(MailboxMessage)) > 0
    engine.dispose()


def test_the_cli_says_what_is_wrong_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOB_DATABASE_URL", f"sqlite:///{tmp_path / 'bob.db'}")
    monkeypatch.delenv("BOB_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["seed", "--agencies", "5", "--consumers", "10", "--enrollers", "6"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bob: error: --enrollers 6 is too few for 5 agencies")
    assert len(err.strip().splitlines()) == 1


def test_rows_added_after_seeding_get_fresh_ids(book: Book, engine: Engine) -> None:
    # On PostgreSQL the explicit ids must not leave the id sequences behind.
    seed_book(engine, SeedPlan(agencies=1, consumers=20, enrollers=5, as_of=AS_OF))
    agency = book.agency(code="walk-in", name="Walk-in Agency")
    assert agency == 2
    enroller = book.enroller(agency, "Ana", "Agent", license_number="0Z99999")
    assert enroller == 6
    assert book.consumer(enroller) == 21
