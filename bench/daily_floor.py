"""The honest floor of a Daily Summary run: what any correct implementation must do, and no more.

Written independently of bob's selectors and templates, so it carries none of their slow
spots: one plain set-based SQL query for every topic's alerts (a UNION, each branch starting
from its event table and reading the same history period tables as bob), one for the
audience, one bare Jinja2 rendering per distinct digest text (each enroller's summary, each
agency's manager summary once, and each recipient's email), and the unavoidable writes: the
mailbox rows and the outbox rows, one bulk insert each, in one transaction.

The alert ledger is empty on the benchmark date, so no topic needs to look up what fired
before; the floor writes no ledger (bob's exactly-once bookkeeping is what the full run adds).

bob's own topics (follow-ups due soon and overdue, pending and removed delegations) are
branches of the same UNION, for agencies that have them on; each Daily Summary also lists
its recipient's follow-ups due within 30 days (one more query) and counts them in the email.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from sqlalchemy import Connection, Date, Engine, bindparam, insert, text

from store.models import DigestKind, MailboxMessage, OutboxEmail, OutboxStatus, UtcDateTime

# On 08-01, 09-01 and 10-01 the consumer's latest consent expiring within a year alerts.
CONSENT_DAYS = ("08-01", "09-01", "10-01")
LOOKBACK_DAYS = 14
DUE_SOON_DAYS = "30,15,5,1"  # bob's default when an agency lists none
QUEUE_DAYS = 30
MANAGER_ROLES = ("agency_manager", "primary_contact")

IN_EFFECT = "{t}.valid_from < :cutoff AND ({t}.valid_to IS NULL OR {t}.valid_to >= :cutoff)"
# The consumer's active delegation at the cutoff, to an active enroller of the zone's agencies.
DELEGATED = f"""
  JOIN delegation_history d ON d.consumer_id = {{consumer}} AND d.status = 'active'
       AND {IN_EFFECT.format(t="d")}
  JOIN enrollers e ON e.id = d.enroller_id
       AND e.agency_id IN (SELECT id FROM agencies WHERE time_zone = :zone)
  JOIN enroller_history eh ON eh.enroller_id = e.id AND eh.active = TRUE
       AND {IN_EFFECT.format(t="eh")}"""


def _branch(topic: str, event: str, source: str, consumer: str, where: str) -> str:
    return (
        f"SELECT '{topic}' AS topic, e.id AS recipient_id, e.agency_id AS agency_id, "
        f"{consumer} AS consumer_id, {event} AS event_id FROM {source}"
        f"{DELEGATED.format(consumer=consumer)} WHERE {where}"
    )


def _flag(topic: str, kind: str) -> str:
    where = (
        f"f.kind = '{kind}' AND f.raised_at < :cutoff AND (f.resolved_at IS NULL OR f.resolved_at >= :cutoff)"
    )
    return _branch(topic, "0", "consumer_flags f", "f.consumer_id", where)


OUTSTANDING = "fu.created_at < :cutoff AND (fu.resolved_at IS NULL OR fu.resolved_at >= :cutoff)"
BOBS_AGENCIES = "e.agency_id IN (SELECT id FROM agencies WHERE bob_topics = TRUE)"


def _delegation(topic: str, where: str) -> str:
    """A branch whose recipient is the delegation's own enroller, not the consumer's holder."""
    return (
        f"SELECT '{topic}' AS topic, e.id AS recipient_id, e.agency_id AS agency_id, "
        "p.consumer_id AS consumer_id, p.delegation_id AS event_id FROM delegation_history p "
        "JOIN enrollers e ON e.id = p.enroller_id "
        "AND e.agency_id IN (SELECT id FROM agencies WHERE time_zone = :zone AND bob_topics = TRUE) "
        "JOIN enroller_history eh ON eh.enroller_id = e.id AND eh.active = TRUE "
        f"AND {IN_EFFECT.format(t='eh')} "
        f"WHERE {where}"
    )


def _became(topic: str, status: str) -> str:
    where = (
        f"p.status = '{status}' AND {IN_EFFECT.format(t='p')} "
        "AND p.status_since < :cutoff AND p.status_since >= :lookback"
    )
    return _branch(topic, "p.enrollment_id", "enrollment_history p", "p.consumer_id", where)


BRANCHES = {
    "binder_payment_pending": _branch(
        "binder_payment_pending",
        "p.enrollment_id",
        "enrollment_history p JOIN enrollments n ON n.id = p.enrollment_id AND n.coverage = 'health'",
        "p.consumer_id",
        f"p.status = 'pending' AND p.binder_paid = FALSE AND {IN_EFFECT.format(t='p')}",
    ),
    "consent_valid_thru": _branch(
        "consent_valid_thru",
        "0",
        "(SELECT consumer_id, max(valid_thru) AS valid_thru FROM consents "
        " WHERE created_at < :cutoff GROUP BY consumer_id) c",
        "c.consumer_id",
        "c.valid_thru >= :day AND c.valid_thru < :year_later",
    ),
    "actions_requested": _flag("actions_requested", "action_requested"),
    "nod_notice": _branch(
        "nod_notice",
        "x.id",
        "notices x",
        "x.consumer_id",
        "x.kind = 'NOD' AND x.created_at < :cutoff AND x.created_at >= :lookback",
    ),
    "enrollment_canceled": _became("enrollment_canceled", "canceled"),
    "enrollment_terminated": _became("enrollment_terminated", "terminated"),
    "medicare_aged_out": _flag("medicare_aged_out", "medicare_aged_out"),
    "enrollment_updates_pending": _flag("enrollment_updates_pending", "enrollment_update_pending"),
    "follow_up_overdue": _branch(
        "follow_up_overdue",
        "fu.id",
        "follow_ups fu",
        "fu.consumer_id",
        f"fu.due_on < :day AND {OUTSTANDING} AND {BOBS_AGENCIES}",
    ),
    "pending_delegation": _delegation(
        "pending_delegation", f"p.status = 'pending' AND {IN_EFFECT.format(t='p')}"
    ),
    "delegation_removed": _delegation(
        "delegation_removed",
        "p.status = 'removed' AND p.valid_from < :cutoff AND p.valid_from >= :lookback AND EXISTS "
        "(SELECT 1 FROM delegation_history w WHERE w.delegation_id = p.delegation_id "
        "AND w.status = 'active' AND w.valid_from < p.valid_from)",
    ),
}
TOPIC_TITLES = {
    "binder_payment_pending": "Binder Payment Pending",
    "consent_valid_thru": "Consent Valid Thru",
    "actions_requested": "Actions Requested for Consumer",
    "nod_notice": "NOD Notice",
    "enrollment_canceled": "Enrollment Canceled",
    "enrollment_terminated": "Enrollment Terminated",
    "medicare_aged_out": "Medicare Aged Out",
    "enrollment_updates_pending": "Enrollment Updates Pending",
    "follow_up_due_soon": "Follow-up Due Soon",
    "follow_up_overdue": "Follow-up Overdue",
    "pending_delegation": "Pending Delegation",
    "delegation_removed": "Delegation Removed",
}
ORDER = {name: n for n, name in enumerate(TOPIC_TITLES)}


def due_soon_sql(day: date, offsets: dict[str, list[int]]) -> str:
    """Follow-ups due exactly one of their agency's days ahead: the agencies (few) grouped by
    their list of days, each group's due dates written out."""
    groups = []
    for days, agency_ids in offsets.items():
        dates = ", ".join(f"'{day + timedelta(days=int(n))}'" for n in days.split(","))
        groups.append(f"(e.agency_id IN ({', '.join(map(str, agency_ids))}) AND fu.due_on IN ({dates}))")
    where = f"{OUTSTANDING} AND ({' OR '.join(groups) or 'FALSE'})"
    return _branch("follow_up_due_soon", "fu.id", "follow_ups fu", "fu.consumer_id", where)


def alerts_sql(day: date, offsets: dict[str, list[int]] | None = None) -> str:
    """Every alert of ``day`` with the consumer contact it shows (UNION: one alert per event);
    ``offsets``: bob's topics' agencies by their due-soon days."""
    topics = [t for t in BRANCHES if t != "consent_valid_thru" or day.strftime("%m-%d") in CONSENT_DAYS]
    branches = [BRANCHES[t] for t in topics] + ([due_soon_sql(day, offsets)] if offsets else [])
    union = "\nUNION\n".join(branches)
    return (
        "SELECT a.topic, a.recipient_id, a.agency_id, a.consumer_id, k.case_number, k.first_name, "
        "k.last_name, k.primary_phone, k.email "
        f"FROM ({union}) a JOIN consumers k ON k.id = a.consumer_id"
    )


AUDIENCE_SQL = f"""
SELECT e.id, e.agency_id, e.first_name, e.last_name, e.email, e.license_number,
       EXISTS (SELECT 1 FROM delegation_history d WHERE d.enroller_id = e.id AND d.status = 'active'
               AND {IN_EFFECT.format(t="d")}) AS has_book,
       e.role IN ('{"', '".join(MANAGER_ROLES)}') AS manager
FROM enrollers e JOIN enroller_history eh ON eh.enroller_id = e.id AND eh.active = TRUE
     AND {IN_EFFECT.format(t="eh")}
WHERE e.agency_id IN (SELECT id FROM agencies WHERE time_zone = :zone)
ORDER BY e.id"""


QUEUE_SQL = f"""
SELECT e.id AS recipient_id, fu.due_on, fu.kind, fu.needed, fu.status, k.case_number, k.first_name,
       k.last_name, k.primary_phone, k.email
FROM follow_ups fu {DELEGATED.format(consumer="fu.consumer_id")}
JOIN consumers k ON k.id = fu.consumer_id
WHERE fu.due_on < :horizon AND {OUTSTANDING} AND {BOBS_AGENCIES}"""


def _offsets(conn: Connection, zone: str) -> dict[str, list[int]]:
    """The zone's agencies with bob's topics on, by their due-soon days."""
    found: dict[str, list[int]] = defaultdict(list)
    query = text("SELECT id, due_soon_days FROM agencies WHERE time_zone = :zone AND bob_topics = TRUE")
    for agency_id, days in conn.execute(query, {"zone": zone}):
        found[days or DUE_SOON_DAYS].append(agency_id)
    return dict(found)


def _params(day: date, zone: str) -> dict[str, Any]:
    tz = ZoneInfo(zone)
    cutoff = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    back = day - timedelta(days=LOOKBACK_DAYS)
    lookback = datetime(back.year, back.month, back.day, tzinfo=tz).astimezone(UTC)
    year_later = day.replace(year=day.year + 1)
    horizon = day + timedelta(days=QUEUE_DAYS + 1)
    return {
        "cutoff": cutoff, "lookback": lookback, "day": day, "year_later": year_later, "zone": zone,
        "horizon": horizon,
    }  # fmt: skip


def _typed(sql: str, names: tuple[str, ...]) -> Any:
    binds = {
        "cutoff": bindparam("cutoff", type_=UtcDateTime()),
        "lookback": bindparam("lookback", type_=UtcDateTime()),
        "day": bindparam("day", type_=Date()),
        "year_later": bindparam("year_later", type_=Date()),
        "horizon": bindparam("horizon", type_=Date()),
        "zone": bindparam("zone"),
    }
    return text(sql).bindparams(*(binds[n] for n in names if f":{n}" in sql))


def select_all(conn: Connection, day: date) -> tuple[list[Any], list[Any], list[str], list[Any]]:
    """The alerts, the audience and the follow-up queues of ``day``, one zone (calendar) at a time."""
    zones = [z for (z,) in conn.execute(text("SELECT DISTINCT time_zone FROM agencies ORDER BY 1"))]
    alerts: list[Any] = []
    people: list[Any] = []
    queue: list[Any] = []
    names = ("cutoff", "lookback", "day", "year_later", "zone", "horizon")
    for zone in zones:
        params = _params(day, zone)
        alerts += conn.execute(_typed(alerts_sql(day, _offsets(conn, zone)), names), params).all()
        people += conn.execute(_typed(AUDIENCE_SQL, names), params).all()
        queue += conn.execute(_typed(QUEUE_SQL, names).columns(due_on=Date()), params).all()
    agencies = {agency_id: name for agency_id, name in conn.execute(text("SELECT id, name FROM agencies"))}
    return alerts, people, [agencies[p.agency_id] for p in people], queue


def fingerprint(rows: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Alerts per topic and a hash of the sorted (topic, recipient, consumer) rows, to compare
    the floor's alerts with the full run's ledger."""
    digest = hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()[:16]
    return {"per_topic": dict(sorted(Counter(t for t, _, _ in rows).items())), "alerts_hash": digest}


# Subscripts, not attributes: Jinja looks a subscript up as a key first, the fast path for dicts.
ALERTS_TXT = (
    "{% for t in topics %}{{ t['title'] }} ({{ t['alerts']|length }})\n{% for a in t['alerts'] %}"
    "  - Case {{ a['case_number'] }} | {{ t['title'] }} | "
    "{{ a['contact_name'] }}, {{ a['phone'] }}, {{ a['email'] }}\n"
    "{% endfor %}{% endfor %}"
)
ALERTS_HTML = (
    "{% for t in topics %}<h3>{{ t['title'] }} ({{ t['alerts']|length }})</h3><table>\n"
    "{% for a in t['alerts'] %}"
    "<tr><td>{{ a['case_number'] }}</td><td>{{ t['title'] }}</td>"
    "<td>{{ a['contact_name'] }}<br>{{ a['phone'] }}<br>{{ a['email'] }}</td></tr>\n"
    "{% endfor %}</table>{% endfor %}"
)
COUNTS = "{% for c in counts %}{{ c['title'] }}: {{ c['count'] }}\n{% endfor %}"
QUEUE_COUNTS = "Follow-ups: {{ q['overdue'] }} overdue, {{ q['week'] }} this week, {{ q['later'] }} later\n"
QUEUE_TXT = (
    "{% for f in follow_ups %}  - {{ f['due_on'] }} | Case {{ f['case_number'] }} | {{ f['kind'] }}: "
    "{{ f['needed'] }} | {{ f['status'] }} | {{ f['contact_name'] }}, {{ f['phone'] }}, {{ f['email'] }}\n"
    "{% endfor %}"
)
QUEUE_HTML = (
    "<table>{% for f in follow_ups %}<tr><td>{{ f['due_on'] }}</td><td>{{ f['case_number'] }}</td>"
    "<td>{{ f['kind'] }}: {{ f['needed'] }}</td><td>{{ f['status'] }}</td>"
    "<td>{{ f['contact_name'] }}<br>{{ f['phone'] }}<br>{{ f['email'] }}</td></tr>\n{% endfor %}</table>"
)
QUEUE_ENROLLERS = (
    "{% for e in enrollers %}{{ e['name'] }}: {{ e['q']['week'] }} / {{ e['q']['overdue'] }}\n{% endfor %}"
)
ENROLLERS_TXT = "{% for e in enrollers %}== {{ e['name'] }}: {{ e['total'] }}\n{% set topics = e['topics'] %}"


def templates() -> dict[str, dict[str, Any]]:
    """The floor's templates, compiled inside the timed run as bob's are."""
    text, html = (
        Environment(autoescape=False, trim_blocks=True),
        Environment(autoescape=True, trim_blocks=True),
    )
    return {
        "summary": {
            "txt": text.from_string(
                "Daily Summary for {{ name }}, {{ day }}: {{ total }} alerts\n" + ALERTS_TXT + QUEUE_TXT
            ),
            "html": html.from_string(
                "<h1>Daily Summary for {{ name }}, {{ day }}</h1>" + ALERTS_HTML + QUEUE_HTML
            ),
        },
        "manager": {
            "txt": text.from_string(
                "{{ agency }}, {{ day }}\n" + QUEUE_ENROLLERS + ENROLLERS_TXT + ALERTS_TXT + "{% endfor %}"
            ),
            "html": html.from_string(
                "<h1>{{ agency }}, {{ day }}</h1><pre>" + QUEUE_ENROLLERS + "</pre>{% for e in enrollers %}"
                "<h2>{{ e.name }}: {{ e.total }}</h2>{% set topics = e.topics %}"
                + ALERTS_HTML
                + "{% endfor %}"
            ),
        },
        "email": {
            "txt": text.from_string(
                "Hello {{ name }},\n{{ total }} alerts on {{ day }}:\n" + COUNTS + QUEUE_COUNTS
            ),
            "html": html.from_string(
                "<p>Hello {{ name }},</p><p>{{ total }} alerts on {{ day }}:</p><pre>"
                + COUNTS
                + QUEUE_COUNTS
                + "</pre>"
            ),
        },
    }


def _sections(rows: list[Any]) -> dict[int, list[dict[str, Any]]]:
    """Each recipient's alerts grouped by topic, in topic order, built in one pass."""
    grouped: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in sorted(rows, key=lambda r: (r.recipient_id, ORDER[r.topic], r.case_number)):
        contact = {"case_number": r.case_number, "contact_name": f"{r.first_name} {r.last_name}"}
        grouped[r.recipient_id][r.topic].append(
            {**contact, "topic": r.topic, "phone": r.primary_phone, "email": r.email}
        )
    return {
        rid: [{"name": t, "title": TOPIC_TITLES[t], "alerts": alerts} for t, alerts in topics.items()]
        for rid, topics in grouped.items()
    }


def _queues(rows: list[Any], day: date) -> dict[int, list[dict[str, Any]]]:
    """Each recipient's follow-ups, soonest due first."""
    queues: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.recipient_id, r.due_on, r.case_number)):
        queues[r.recipient_id].append(
            {
                "due_on": r.due_on, "days_left": (r.due_on - day).days, "kind": r.kind, "needed": r.needed,
                "status": r.status, "case_number": r.case_number,
                "contact_name": f"{r.first_name} {r.last_name}", "phone": r.primary_phone, "email": r.email,
            }
        )  # fmt: skip
    return queues


def _queue_counts(queue: list[dict[str, Any]]) -> dict[str, int]:
    overdue = sum(1 for f in queue if f["days_left"] < 0)
    week = sum(1 for f in queue if 0 <= f["days_left"] < 7)
    return {"overdue": overdue, "week": week, "later": len(queue) - overdue - week}


def _counts(topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = {t["name"]: len(t["alerts"]) for t in topics}
    return [{"title": title, "count": found.get(name, 0)} for name, title in TOPIC_TITLES.items()]


def _render(templates: dict[str, Any], context: dict[str, Any]) -> dict[str, str]:
    return {"text": templates["txt"].render(context), "html": templates["html"].render(context)}


def render_all(
    alerts: list[Any], people: list[Any], agency_names: list[str], day: date, queue_rows: list[Any]
) -> list[dict[str, Any]]:
    """One mailbox text per distinct digest text (per enroller; once per agency for all its
    managers) and one email per recipient; each digest as ``{person, kind, total, mailbox,
    email, alerts}``."""
    sections, digests, t = _sections(alerts), [], templates()
    queues = _queues(queue_rows, day)
    enrollers_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for person in people:
        if not person.has_book and person.id not in sections:  # no book, no alert of the day
            continue
        name, topics = f"{person.first_name} {person.last_name}", sections.get(person.id, [])
        total = sum(len(t["alerts"]) for t in topics)
        queue = queues.get(person.id, [])
        counted = _queue_counts(queue)
        context = {
            "name": name, "day": day, "total": total, "topics": topics, "counts": _counts(topics),
            "follow_ups": queue, "q": counted,
        }  # fmt: skip
        box = _render(t["summary"], context)
        flat = [a for t in topics for a in t["alerts"]]
        digests.append(
            {
                "person": person,
                "kind": "daily_summary",
                "total": total,
                "mailbox": box,
                "email": _render(t["email"], context),
                "alerts": flat,
            }
        )
        enrollers_of[person.agency_id].append(
            {"name": name, "total": total, "topics": topics, "alerts": flat, "q": counted}
        )
    shared: dict[
        int, tuple[dict[str, str], int, list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]
    ] = {}
    for person, agency in zip(people, agency_names, strict=True):
        if not person.manager:
            continue
        if person.agency_id not in shared:
            enrollers = enrollers_of.get(person.agency_id, [])
            topics = [t for e in enrollers for t in e["topics"]]
            context = {"agency": agency, "day": day, "enrollers": enrollers}
            flat = [a for e in enrollers for a in e["alerts"]]
            counted = {k: sum(e["q"][k] for e in enrollers) for k in ("overdue", "week", "later")}
            shared[person.agency_id] = (
                _render(t["manager"], context), len(flat), flat, _counts(topics), counted,
            )  # fmt: skip
        box, total, flat, counts, counted = shared[person.agency_id]
        context = {
            "name": f"{person.first_name} {person.last_name}",
            "day": day,
            "total": total,
            "counts": counts,
            "q": counted,
        }
        digests.append(
            {
                "person": person,
                "kind": "manager_summary",
                "total": total,
                "mailbox": box,
                "email": _render(t["email"], context),
                "alerts": flat,
            }
        )
    return digests


def write_all(conn: Connection, digests: list[dict[str, Any]], day: date) -> None:
    """The mailbox rows and the outbox rows, one bulk insert each (the caller's transaction)."""
    now = datetime.now(UTC)
    mailbox, outbox = [], []
    for d in digests:
        person, kind = d["person"], DigestKind(d["kind"])
        subject = (
            f"{'Daily Summary' if kind is DigestKind.DAILY_SUMMARY else 'Daily Manager Summary'} - {day}"
        )
        mailbox.append(
            {
                "recipient_id": person.id,
                "kind": kind,
                "business_date": day,
                "subject": subject,
                "alert_count": d["total"],
                "body_text": d["mailbox"]["text"],
                "body_html": d["mailbox"]["html"],
                "alerts": d["alerts"],
                "created_at": now,
            }
        )
        key = f"{kind.value}:{person.id}:{day}"
        outbox.append(
            {
                "message_key": key,
                "message_id": f"<{key}@floor>",
                "recipient_id": person.id,
                "to_address": person.email,
                "subject": subject,
                "body_text": d["email"]["text"],
                "body_html": d["email"]["html"],
                "status": OutboxStatus.QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    conn.execute(insert(MailboxMessage.__table__), mailbox)
    conn.execute(insert(OutboxEmail.__table__), outbox)


def run_floor(engine: Engine, day: date) -> dict[str, Any]:
    """The floor, timed part by part: select, render, write (committed; the caller resets)."""
    with engine.begin() as conn:
        started = time.perf_counter()
        alerts, people, agency_names, queue = select_all(conn, day)
        selected = time.perf_counter()
        digests = render_all(alerts, people, agency_names, day, queue)
        rendered = time.perf_counter()
        write_all(conn, digests, day)
    written = time.perf_counter()
    kinds = Counter(d["kind"] for d in digests)
    return {
        "sql_s": selected - started,
        "render_s": rendered - selected,
        "write_s": written - rendered,
        "seconds": written - started,
        "digests": len(digests),
        "by_kind": dict(sorted(kinds.items())),
        **fingerprint([(a.topic, a.recipient_id, a.consumer_id) for a in alerts]),
    }
