"""The digests bench/web.py reads: a Daily Manager Summary of 2,000 alerts over 40 enrollers
(every topic, real seeded consumers) and a year of one agent's Daily Summaries, rendered by the
mailbox's own templates and stored as the Daily Summary stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailer.alert_listings import AlertListings
from mailer.daily_summary import mailbox_context
from mailer.digests import Digest, Person
from rules.templating import render
from rules.topics import TOPICS
from store.models import Agency, Consumer, DigestKind, Enroller, MailboxMessage, Role

DIGEST_ALERTS = 2_000
DIGEST_ENROLLERS = 40
MAILBOX_DAYS = 365


def _manager_context(session: Session, agency: Agency, agents: list[Enroller], day: date) -> dict[str, Any]:
    """A Daily Manager Summary's context with DIGEST_ALERTS alerts of real seeded consumers."""
    consumers = session.execute(
        select(
            Consumer.case_number,
            Consumer.first_name,
            Consumer.last_name,
            Consumer.primary_phone,
            Consumer.email,
        )
        .order_by(Consumer.id)
        .limit(DIGEST_ALERTS)
    ).all()
    enrollers = []
    share = DIGEST_ALERTS // len(agents)
    for n, agent in enumerate(agents):
        mine = consumers[n * share : (n + 1) * share]
        topics = []
        for t, topic in enumerate(TOPICS):
            alerts = [
                {"case_number": c[0], "contact_name": f"{c[1]} {c[2]}", "phone": c[3], "email": c[4]}
                for c in mine[t :: len(TOPICS)]
            ]
            if alerts:
                topics.append({"name": topic.name, "title": topic.title, "alerts": alerts})
        total = sum(len(t["alerts"]) for t in topics)
        enrollers.append(
            {
                "id": agent.id,
                "name": agent.display_name,
                "license_number": agent.license_number,
                "topics": topics,
                "total": total,
            }
        )
    counts = [
        {
            "title": topic.title,
            "count": sum(len(t["alerts"]) for e in enrollers for t in e["topics"] if t["name"] == topic.name),
        }
        for topic in TOPICS
    ]
    return {
        "business_date": day,
        "agency": agency.name,
        "enrollers": enrollers,
        "enrollers_with_alerts": len(enrollers),
        "counts": counts,
        "total": sum(e["total"] for e in enrollers),
        "crw_tiles": None,
    }


def _store(session: Session, digest: Digest, day: date, created: datetime) -> None:
    links = {"mailbox_hint": "Open it in bob's web mailbox.", "digest_url": ""}
    context = mailbox_context(digest, AlertListings(), links)
    full = render(f"mailbox/{digest.kind.value}", context)
    session.add(
        MailboxMessage(
            recipient_id=digest.recipient.id,
            kind=digest.kind,
            business_date=day,
            subject=full.subject,
            alert_count=digest.total,
            body_text=full.text,
            body_html=full.html,
            alerts=list(digest.alerts()),
            created_at=created,
        )
    )


def _person(enroller: Enroller) -> Person:
    return Person(
        enroller.id, enroller.agency_id, enroller.display_name, enroller.email, enroller.license_number
    )


@dataclass
class Cast:
    manager_id: int
    agent_id: int
    digest_id: int


def store_digests(sessions: sessionmaker[Session], day: date, created: datetime) -> Cast:
    """The manager's 2,000-alert digest and one agent's year of daily digests."""
    with sessions.begin() as session:
        agency = session.scalars(select(Agency)).one()
        people = session.scalars(
            select(Enroller).where(Enroller.agency_id == agency.id).order_by(Enroller.id)
        ).all()
        manager = next(p for p in people if p.role == Role.AGENCY_MANAGER)
        agents = [p for p in people if p.role in (Role.AGENT_L1, Role.AGENT_L2)][:DIGEST_ENROLLERS]
        context = _manager_context(session, agency, agents, day)
        _store(
            session,
            Digest(
                DigestKind.MANAGER_SUMMARY,
                _person(manager),
                {**context, "recipient_name": manager.display_name},
            ),
            day,
            created,
        )
        agent = agents[0]
        own = context["enrollers"][0]
        for back in range(MAILBOX_DAYS):
            daily = {
                "business_date": day - timedelta(days=back),
                "agency": agency.name,
                "recipient_name": agent.display_name,
                "enroller": {"name": own["name"], "license_number": own["license_number"]},
                "topics": own["topics"][:2],
                "counts": context["counts"],
                "total": sum(len(t["alerts"]) for t in own["topics"][:2]),
                "crw": [],
            }
            _store(
                session,
                Digest(DigestKind.DAILY_SUMMARY, _person(agent), daily),
                day - timedelta(days=back),
                created,
            )
        session.flush()
        digest_id = session.scalar(
            select(MailboxMessage.id).where(MailboxMessage.kind == DigestKind.MANAGER_SUMMARY)
        )
        return Cast(manager.id, agent.id, int(digest_id or 0))
