"""Fixtures for the web mailbox's HTTP tests: a seeded agency with real digests, the web
application on a local test server with a pinned clock, and a browser-like client that
signs in through the link bob emails (read back from the outbox)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from mailer.daily_summary import run_daily_summary
from store.models import (
    AuditEntry,
    EnrollmentStatus,
    FollowUpKind,
    FollowUpStatus,
    MailboxMessage,
    OutboxEmail,
    Role,
)
from tests.bot_people import Clock
from web.app import web_application
from web.deps import WebDeps
from web.settings import WebConfig

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
YESTERDAY = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
CONTACT_NAME, CONTACT_PHONE = "Alicia Ramos", "(916) 555-0101"
RAISED = datetime(2026, 9, 1, 17, tzinfo=UTC)  # when the follow-ups were raised
HOSTILE_NEED = '<script>alert("x")</script> | open | & more'  # as an import could bring it


@dataclass
class WebPeople:
    ids: dict[str, int]
    digests: dict[str, int] = field(default_factory=dict)  # "max:manager_summary" -> message id


@pytest.fixture
def web_people(book, sessions, delivery) -> WebPeople:
    """Sunrise: Ana (agent, two NOD notices), Lee (agent, a NOD notice and a binder payment
    pending), Max (manager); Moonrise: Omar (manager, no alerts). The Daily Summary of DAY
    has run, so each has digests in their mailbox (``digests["ana:daily_summary"]``...)."""
    sunrise, moonrise = book.agency(), book.agency("moonrise", "Moonrise Health")
    ids = {
        "ana": book.enroller(sunrise, "Ana", "Agent", license_number="0A11111"),
        "lee": book.enroller(sunrise, "Lee", "Level", role=Role.AGENT_L2, license_number="0A22222"),
        "max": book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER, license_number="0M33333"),
        "omar": book.enroller(moonrise, "Omar", "Owner", role=Role.AGENCY_MANAGER, license_number="0M44444"),
        "gone": book.enroller(sunrise, "Gus", "Gone", active=False, license_number="0A55555"),
    }
    alicia = book.consumer(
        ids["ana"], case_number="CASE-ANA-1", first_name="Alicia", last_name="Ramos",
        primary_phone=CONTACT_PHONE, email="alicia@consumer.test",
    )  # fmt: skip
    book.notice(alicia, YESTERDAY)
    book.notice(book.consumer(ids["ana"], case_number="CASE-ANA-2"), YESTERDAY)
    book.notice(book.consumer(ids["lee"], case_number="CASE-LEE-1"), YESTERDAY)
    lee_pending = book.consumer(ids["lee"], case_number="CASE-LEE-2")
    book.enrollment(lee_pending, EnrollmentStatus.PENDING, at=YESTERDAY, binder_paid=False)
    run_daily_summary(sessions, DAY, delivery)
    with sessions() as s:
        rows = s.execute(select(MailboxMessage.recipient_id, MailboxMessage.kind, MailboxMessage.id))
        digests = {f"{who}:{kind.value}": mid for rid, kind, mid in rows for who in ids if ids[who] == rid}
    return WebPeople(ids, digests)


@pytest.fixture
def follow_up_digests(book, sessions, delivery) -> dict[str, int]:
    """Sunrise: Ana with three follow-ups on the queue (one overdue, one submitted, one in
    20 days; one more beyond the 30 days looked ahead) and a NOD notice, Bo with two (one
    whose need came in with markup, ``HOSTILE_NEED``), Quinn with none, Max managing them all.
    The Daily Summary of DAY has run: each one's digest by first name ("max" -> his Daily
    Manager Summary's message id)."""
    sunrise = book.agency("sunrise", "Sunrise Insurance")
    ana = book.enroller(sunrise, "Ana", "Agent", license_number="0A11111")
    bo = book.enroller(sunrise, "Bo", "Broker", license_number="0A22222")
    quinn = book.enroller(sunrise, "Quinn", "Quiet", license_number="0A33333")
    max_ = book.enroller(sunrise, "Max", "Manager", role=Role.AGENCY_MANAGER, license_number="0M44444")
    alicia = book.consumer(
        ana, case_number="CASE-ANA-1", first_name="Alicia", last_name="Ramos",
        primary_phone="(916) 555-0101", email="alicia@consumer.test",
    )  # fmt: skip
    benito = book.consumer(
        ana, case_number="CASE-ANA-2", first_name="Benito", last_name="Soto",
        primary_phone="(916) 555-0200", email=None,
    )  # fmt: skip
    carla = book.consumer(
        bo, case_number="CASE-BO-1", first_name="Carla", last_name="Nunez",
        primary_phone="(916) 555-0300", email=None,
    )  # fmt: skip
    book.consumer(quinn, case_number="CASE-Q-1")
    book.notice(alicia, YESTERDAY)
    due = {n: DAY + timedelta(days=n) for n in (-3, 0, 5, 20, 45)}
    book.follow_up(alicia, due[20], RAISED, FollowUpKind.SVI, "Proof of move")
    book.follow_up(alicia, due[-3], RAISED, FollowUpKind.DMI, "Proof of income")
    book.follow_up(
        benito, due[5], RAISED, FollowUpKind.DOCUMENT, "Signed application", status=FollowUpStatus.SUBMITTED
    )
    book.follow_up(benito, due[45], RAISED, needed="Far away")
    book.follow_up(carla, due[0], RAISED, FollowUpKind.DMI, HOSTILE_NEED)
    book.follow_up(carla, due[-3], RAISED, FollowUpKind.SVI, "Lease")
    run_daily_summary(sessions, DAY, delivery)
    people = {"ana": ana, "bo": bo, "quinn": quinn, "max": max_}
    with sessions() as s:
        rows = s.execute(select(MailboxMessage.recipient_id, MailboxMessage.id)).all()
    return {who: mid for rid, mid in rows for who, pid in people.items() if pid == rid}


class Browser:
    """A client with its own cookies that reads pages as a browser would."""

    def __init__(self, client: TestClient, sessions):
        self.client = client
        self.sessions = sessions

    def forget(self) -> None:
        """Drop every cookie, as a fresh browser would start."""
        self.client.session.cookie_jar.clear()

    def cookie(self, name: str) -> str | None:
        found = [c.value for c in self.client.session.cookie_jar if c.key == name]
        return found[0] if found else None

    async def get(self, path: str, **kw):
        return await self.client.get(path, allow_redirects=False, **kw)

    async def page(self, path: str) -> str:
        response = await self.get(path)
        assert response.status == 200, (path, response.status)
        return await response.text()

    async def post(self, path: str, data: dict[str, str], token_from: str | None = None):
        """Post a form with the CSRF token of the page at ``token_from`` (``path`` by default)."""
        html = await self.page(token_from or "/signin")
        return await self.client.post(path, data={"csrf_token": csrf_in(html), **data}, allow_redirects=False)

    async def ask_for_link(self, who: str, next_path: str = "/mailbox"):
        return await self.post("/signin", {"who": who, "next": next_path})

    async def sign_in(self, email: str, next_path: str = "/mailbox") -> str:
        """Ask for a link, open it from the outbox, press Sign in; returns where it lands."""
        response = await self.ask_for_link(email, next_path)
        assert response.status == 200
        token = token_in(newest_email(self.sessions, email))
        return await self.use_token(token)

    async def use_token(self, token: str) -> str:
        response = await self.post("/signin/link", {"token": token}, token_from=f"/signin/link?token={token}")
        assert response.status == 303, await response.text()
        return response.headers["Location"]


def csrf_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def token_in(email: OutboxEmail) -> str:
    return unescape(re.search(r"/signin/link\?token=([A-Za-z0-9_-]+)", email.body_text).group(1))


def newest_email(sessions, to_address: str) -> OutboxEmail:
    with sessions() as s:
        return s.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == to_address).order_by(OutboxEmail.id.desc())
        ).first()


def audit_log(sessions, action: str) -> list[AuditEntry]:
    with sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def web_clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def web_config() -> WebConfig:
    return WebConfig(base_url="http://bob.agency.test", session_idle_minutes=30, session_lifetime_hours=12)


@pytest.fixture
async def browser(sessions, web_clock, web_config):
    deps = WebDeps(sessions, web_config, from_address="bob@agency.test", clock=web_clock)
    client = TestClient(TestServer(web_application(deps), host="127.0.0.1"))
    await client.start_server()
    yield Browser(client, sessions)
    await client.close()


@pytest.fixture
def later(web_clock):
    """Move the pinned clock forward."""

    def move(**delta: float) -> None:
        web_clock.now = web_clock.now + timedelta(**delta)

    return move
