"""Every byte a Daily Summary run writes, dumped and hashed: the check that a faster renderer
changed nothing.

Runs ``run_daily_summary`` on a book seeded by ``bench/daily_run.py`` (a copy: ``--prepare``
changes it), twice with different delivery settings (the bench's plain ones; then PII in
email, a web address and unsubscribe links), and writes each mailbox entry's subject, count,
text, HTML and alerts JSON (as stored), each outbox email and each queued DM, sorted, to
``--out``; prints the file's SHA-256. Run it before and after a change and compare the two.

``--prepare`` (once per copy) makes the book exercise what the seed does not: names that need
HTML escaping (``<``, ``&``, quotes) on some consumers, enrollers and an agency, and quiet
topics for some enrollers and managers.

    .venv/bin/python bench/digest_dump.py --url sqlite:////tmp/dump10k.db --prepare --out /tmp/before.txt
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.daily_run import SETTINGS, reset  # noqa: E402
from mailer.daily_summary import run_daily_summary  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402

HOSTILE = ' <O\'Brien & "Co">'
VARIANTS = {
    "bench": SETTINGS,
    "pii-links": replace(
        SETTINGS,
        include_pii_in_email=True,
        web_base_url="https://bob.example.org/",
        unsubscribe_secret="dump-secret",
        unsubscribe_address="unsubscribe@agency.example.com",
    ),
}
MAILBOX = (
    "SELECT recipient_id, kind, business_date, subject, alert_count, body_text, body_html, "
    "CAST(alerts AS TEXT) FROM mailbox_messages ORDER BY recipient_id, kind"
)
OUTBOX = (
    "SELECT message_key, message_id, recipient_id, to_address, subject, body_text, body_html, "
    "list_unsubscribe, status, not_before FROM outbox ORDER BY message_key"
)
DMS = (
    "SELECT recipient_id, kind, business_date, slack_user_id, CAST(quiet_topics AS TEXT), status "
    "FROM slack_dms ORDER BY recipient_id, kind"
)


def prepare(engine: Engine) -> None:
    """Names that need escaping, and quiet topics, in this copy of the book."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE consumers SET first_name = first_name || :h WHERE id % 37 = 0"), {"h": HOSTILE}
        )
        conn.execute(text("UPDATE consumers SET email = NULL WHERE id % 41 = 0"))
        conn.execute(text("UPDATE consumers SET primary_phone = NULL WHERE id % 43 = 0"))
        conn.execute(
            text("UPDATE enrollers SET last_name = last_name || :h WHERE id % 7 = 0"), {"h": HOSTILE}
        )
        conn.execute(
            text("UPDATE agencies SET name = name || :h WHERE id = (SELECT min(id) FROM agencies)"),
            {"h": HOSTILE},
        )
        for topic in ("follow_up_overdue", "pending_delegation", "follow_up_due_soon"):
            conn.execute(
                text(
                    "INSERT INTO quiet_topics (enroller_id, topic, created_at) "
                    "SELECT id, :topic, CURRENT_TIMESTAMP FROM enrollers WHERE id % 3 = 0"
                ),
                {"topic": topic},
            )


def _reset(url: str, day: date) -> None:
    reset(url, day)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM slack_dms"))
    engine.dispose()


def dump(url: str, day: date, out: Path) -> str:
    lines: list[str] = []
    for name, settings in VARIANTS.items():
        _reset(url, day)
        engine = make_engine(url)
        run_daily_summary(session_factory(engine), day, settings)
        with engine.connect() as conn:
            for table, query in (("mailbox", MAILBOX), ("outbox", OUTBOX), ("dm", DMS)):
                for row in conn.execute(text(query)):
                    lines.append(f"== {name} {table} {list(row)!r}")
        engine.dispose()
    _reset(url, day)
    body = "\n".join(lines) + "\n"
    out.write_text(body)
    return hashlib.sha256(body.encode()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a seeded book (a copy: --prepare changes it)")
    parser.add_argument("--date", default="2026-09-01")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--prepare", action="store_true", help="add hostile names and quiet topics first")
    args = parser.parse_args()
    if args.prepare:
        prepare(make_engine(args.url))
    print(dump(args.url, date.fromisoformat(args.date), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
