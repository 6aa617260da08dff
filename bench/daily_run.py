"""Benchmark: the Daily Summary run against its floor, on seeded books of 10k, 100k and 1M.

For each size N: seed N consumers with N/100 enrollers (one agency per 50 enrollers) into a
fresh database, then measure, each phase in its own fresh process (so seeding never inflates
the run's peak RSS):

* select: every topic's ``INSERT … SELECT`` into the empty alert ledger
  (``rules.ledger.record_alerts``), rolled back; the SQL alone.
* render: ``rules.templating.render`` of ``mailbox/daily_summary`` and
  ``mailbox/manager_summary`` (subject, text and HTML) for every digest of the date, from
  contexts built beforehand (not timed); Jinja2 alone.
* full: ``run_daily_summary`` (rules, ledger, digests, mailbox, outbox) and its peak RSS.

The floor is select + render; the ratio is full / floor. Targets at 1M consumers / 10k
enrollers: full <= 2x floor, <= 60 s, peak RSS <= 500 MB.

    .venv/bin/python bench/daily_run.py                      # 10k, 100k, 1M on SQLite
    .venv/bin/python bench/daily_run.py --sizes 10000,100000 --db postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import make_url, text

from mailer.daily_summary import DeliverySettings, run_daily_summary
from mailer.digests import digests_for
from rules.ledger import record_alerts
from rules.templating import render
from store.zones import local_midnight

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.export import peak_rss_mb  # noqa: E402
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.seed import SeedPlan, seed_book
from store.zones import DEFAULT_TIME_ZONE

ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
SETTINGS = DeliverySettings(
    from_address="bob@agency.example.com",
    mailbox_hint="Use /bob mailbox.",
    include_pii_in_email=False,
    lease=timedelta(minutes=15),
    web_base_url="",
)
TARGETS = {"ratio": 2.0, "seconds": 60.0, "rss_mb": 500.0}


def phase_seed(url: str, day: date, consumers: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    enrollers = max(consumers // 100, 5)
    plan = SeedPlan(
        agencies=max(1, enrollers // 50),
        consumers=consumers,
        enrollers=enrollers,
        seed=2026,
        as_of=local_midnight(day, ZONE),
    )
    result = seed_book(engine, plan)
    return {
        "seconds": result.seconds,
        "rows": result.rows,
        "enrollers": result.enrollers,
        "agencies": result.agencies,
    }


def phase_select(url: str, day: date) -> dict[str, Any]:
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        session.execute(text("SELECT count(*) FROM alerts"))  # open the file, warm nothing else
        started = time.perf_counter()
        added = record_alerts(session, day)
        seconds = time.perf_counter() - started
        session.rollback()
    return {"seconds": seconds, "alerts": sum(added.values())}


def phase_full(url: str, day: date) -> dict[str, Any]:
    sessions = session_factory(make_engine(url))
    started = time.perf_counter()
    result = run_daily_summary(sessions, day, SETTINGS)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
        "alerts": sum(result.alerts.values()),
        "digests": result.digests,
    }


def phase_render(url: str, day: date) -> dict[str, Any]:
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        hint = {"mailbox_hint": SETTINGS.mailbox_hint}
        work = [
            (f"mailbox/{digest.kind.value}", {**digest.context, **hint})
            for digest in digests_for(session, day)
        ]
    started = time.perf_counter()
    for kind, context in work:
        render(kind, context)
    return {"seconds": time.perf_counter() - started, "digests": len(work)}


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "seed": phase_seed,
    "select": phase_select,
    "full": phase_full,
    "render": phase_render,
}


def _child(phase: str, url: str, day: date, consumers: int) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--url",
        url,
        "--date",
        day.isoformat(),
        "--sizes",
        str(consumers),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


class FreshDatabase:
    """A new empty database per size: a SQLite file in a temp dir, or a new PostgreSQL
    database on the given server, dropped afterwards."""

    def __init__(self, db: str, size: int, folder: Path) -> None:
        self.admin = None if db == "sqlite" else make_engine(db, isolation_level="AUTOCOMMIT")
        if self.admin is None:
            self.url = f"sqlite:///{folder / f'bench-{size}.db'}"
            return
        self.name = f"bob_bench_{size}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(db).set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


def measure(db: str, size: int, day: date, folder: Path) -> dict[str, Any]:
    fresh = FreshDatabase(db, size, folder)
    try:
        seed = _child("seed", fresh.url, day, size)
        select = _child("select", fresh.url, day, size)
        full = _child("full", fresh.url, day, size)
        rendering = _child("render", fresh.url, day, size)
    finally:
        fresh.drop()
    floor = select["seconds"] + rendering["seconds"]
    return {
        "consumers": size,
        "enrollers": seed["enrollers"],
        "seed_s": seed["seconds"],
        "select_s": select["seconds"],
        "render_s": rendering["seconds"],
        "floor_s": floor,
        "full_s": full["seconds"],
        "ratio": full["seconds"] / floor,
        "rss_mb": full["rss_mb"],
        "alerts": full["alerts"],
        "digests": full["digests"],
        "same_alerts": select["alerts"] == full["alerts"],
        "same_digests": rendering["digests"] == full["digests"],
    }


# (column, width, format spec)
COLUMNS = (
    ("consumers", 10, ","),
    ("enrollers", 9, ","),
    ("seed_s", 8, ".1f"),
    ("select_s", 8, ".2f"),
    ("render_s", 8, ".2f"),
    ("floor_s", 8, ".2f"),
    ("full_s", 8, ".2f"),
    ("ratio", 6, ".2f"),
    ("rss_mb", 7, ".0f"),
    ("alerts", 8, ","),
    ("digests", 8, ","),
)


def print_header() -> None:
    print("  ".join(f"{name:>{width}}" for name, width, _ in COLUMNS), flush=True)


def print_row(row: dict[str, Any]) -> None:
    print("  ".join(f"{row[name]:>{width}{spec}}" for name, width, spec in COLUMNS), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="consumer counts, comma-separated")
    parser.add_argument("--db", default="sqlite", help="'sqlite' (temp file) or a PostgreSQL URL")
    parser.add_argument("--date", default="2026-09-01", help="business date (all 8 topics apply on 09-01)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    day = date.fromisoformat(args.date)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    if args.phase:
        extra = (sizes[0],) if args.phase == "seed" else ()
        print(json.dumps(PHASES[args.phase](args.url, day, *extra)))
        return 0
    print(f"Daily Summary run on {day}, database: {args.db.split('@')[-1]}")
    print(
        "select = INSERT..SELECT of every topic into the empty ledger (rolled back); "
        "render = Jinja2 mailbox text+HTML of the same digests; floor = select + render"
    )
    print_header()
    failed = False
    with tempfile.TemporaryDirectory(prefix="bob-bench-") as folder:
        for size in sizes:
            row = measure(args.db, size, day, Path(folder))
            print_row(row)
            if not (row["same_alerts"] and row["same_digests"]):
                print(f"  warning: phases disagree at {size:,} (alerts or digests differ)")
                failed = True
            if size >= 1_000_000:
                verdict = [
                    f"full/floor {row['ratio']:.2f} (target <= {TARGETS['ratio']})",
                    f"full {row['full_s']:.1f} s (target <= {TARGETS['seconds']:.0f})",
                    f"peak RSS {row['rss_mb']:.0f} MB (target <= {TARGETS['rss_mb']:.0f})",
                ]
                print("  at 1M: " + "; ".join(verdict))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
