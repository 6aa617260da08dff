"""Every benchmark in one command, one table, each figure marked PASS or MISS against its target.

* P1 Daily Summary run (rules → ledger → mailbox → outbox) next to its floor (bare selection
  + bare rendering), SQLite and PostgreSQL: ``bench/daily_run.py``. Target: ≤ 2× floor; at
  1M consumers also ≤ 60 s and ≤ 500 MB peak RSS.
* P2 agency export, encrypted, next to a bare openpyxl write-only loop: ``bench/export.py``.
  Target: ≥ 2× openpyxl's rows/s; at 500k rows ≤ 150 MB peak RSS.
* P3 outbox drain of 5,000 emails to smtp-sink next to bare pooled aiosmtplib:
  ``bench/outbox_drain.py``. Target: ≥ 80 % of bare and ≥ 1,000 messages/s.
* SEL each topic's selection alone, its time and query plan, SQLite as built and after
  ``ANALYZE`` and PostgreSQL: ``bench/selector_plans.py``. Target: no topic slower after
  ``ANALYZE``; each one-time topic starts from its events.
* P4 Slack ack latency, 20 concurrent signed commands during a 100k-row agency export:
  ``bench/slack_ack.py``. Target: p99 ≤ 300 ms.

    .venv/bin/python bench/run_all.py                 # everything (P1 at 1M: about 15 minutes)
    .venv/bin/python bench/run_all.py --quick         # 10k and 100k only
    .venv/bin/python bench/run_all.py --only P1,P3 --sizes 10000 --db postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from bench import daily_run, outbox_drain, selector_plans, slack_ack  # noqa: E402
from bench import export as export_bench  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402

PG_URL = os.environ.get("BOB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DAY = date(2026, 9, 1)  # all eight topics apply on 09-01
Row = tuple[str, str, str, str, str, str, bool]
COLUMNS = (
    ("bench", 5),
    ("database", 10),
    ("size", 10),
    ("measured", 30),
    ("floor / bare", 31),
    ("vs floor", 9),
    ("verdict", 7),
)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def print_row(cells: tuple[str, ...]) -> None:
    print("  ".join(f"{cell:<{width}}" for cell, (_, width) in zip(cells, COLUMNS, strict=True)), flush=True)


def postgres_answers(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def daily_runs(databases: list[str], sizes: list[int], pg_max: int) -> Iterator[Row]:
    for db in databases:
        name = "sqlite" if db == "sqlite" else "postgresql"
        for size in sizes:
            if db != "sqlite" and size > pg_max:
                continue
            with tempfile.TemporaryDirectory(prefix="bob-bench-") as folder:
                r = daily_run.measure(db, size, DAY, Path(folder))
            passed = r["ratio"] <= daily_run.TARGETS["ratio"]
            if size >= 1_000_000:
                passed = (
                    passed
                    and r["full_s"] <= daily_run.TARGETS["seconds"]
                    and r["rss_mb"] <= daily_run.TARGETS["rss_mb"]
                )
            yield (
                "P1",
                name,
                f"{size:,}",
                f"full {r['full_s']:.2f} s, {r['rss_mb']:.0f} MB",
                f"{r['floor_s']:.2f} s ({r['select_s']:.2f} sql+{r['render_s']:.2f} jinja)",
                f"{r['ratio']:.2f}x",
                passed,
            )


def export_child(kind: str, url: str, folder: str) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            export_bench.__file__,
            "--measure",
            kind,
            "--url",
            url,
            "--dir",
            f"{folder}/exports",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def exports(sizes: list[int]) -> Iterator[Row]:
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bob-bench-export-") as folder:
            url = f"sqlite:///{folder}/bob.db"
            engine = make_engine(url)
            upgrade(engine)
            seed_book(engine, SeedPlan(agencies=1, consumers=size, seed=2026, as_of=export_bench.AS_OF))
            engine.dispose()
            bob = export_child("bob", url, folder)
            bare = export_child("openpyxl", url, folder)
        bob_rate, bare_rate = bob["rows"] / bob["seconds"], bare["rows"] / bare["seconds"]
        passed = bob_rate >= 2 * bare_rate and (size < 500_000 or bob["rss_mb"] <= 150)
        yield (
            "P2",
            "sqlite",
            f"{int(bob['rows']):,}",
            f"{bob_rate:,.0f} rows/s, {bob['rss_mb']:.0f} MB",
            f"openpyxl {bare_rate:,.0f} rows/s",
            f"{bob_rate / bare_rate:.2f}x",
            passed,
        )


def drains(databases: list[str], messages: int) -> Iterator[Row]:
    for db in databases:
        r = outbox_drain.measure(db, messages, outbox_drain.SmtpConfig().connections)
        yield (
            "P3",
            "sqlite" if db == "sqlite" else "postgresql",
            f"{messages:,}",
            f"bob {r['bob_per_s']:,.0f} msg/s",
            f"bare {r['bare_per_s']:,.0f} msg/s ({r['connections']} conns)",
            f"{r['share']:.0%}",
            r["passed"],
        )


def slack_acks(rows: int) -> Iterator[Row]:
    r = slack_ack.measure(rows)
    yield (
        "P4",
        "sqlite",
        f"{rows:,}",
        f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms ({r['samples']})",
        f"idle p50 {r['idle_p50']:.0f}, p99 {r['idle_p99']:.0f} ms",
        "-",
        r["passed"],
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k consumers only")
    parser.add_argument("--only", default="P1,SEL,P2,P3,P4", help="e.g. P1,P3")
    parser.add_argument("--sizes", help="P1 consumer counts, comma-separated (overrides --quick)")
    parser.add_argument(
        "--db", default="sqlite,postgresql", help="databases for P1 and P3: sqlite, postgresql or both"
    )
    parser.add_argument("--pg", default=PG_URL, help="the PostgreSQL server to create databases on")
    parser.add_argument(
        "--pg-max",
        type=int,
        default=10**9,
        help="largest P1 size to run on PostgreSQL (seeding 1M there is slow)",
    )
    return parser.parse_args()


def chosen_databases(db: str, pg: str) -> list[str]:
    """The databases named by ``--db``, leaving PostgreSQL out (and saying so) when it does not answer."""
    kinds = {kind.strip() for kind in db.split(",")}
    databases = ["sqlite"] if "sqlite" in kinds else []
    if "postgresql" in kinds and postgres_answers(pg):
        databases.append(pg)
    elif "postgresql" in kinds:
        print(f"# PostgreSQL does not answer at {make_url(pg).render_as_string()}: SQLite only")
    return databases


def run_benches(benches: dict[str, Callable[[], Iterator[Row]]], wanted: set[str]) -> list[str]:
    """Print one row per measurement; the measurements that missed their target."""
    print_row(tuple(name for name, _ in COLUMNS))
    missed: list[str] = []
    for name, bench in benches.items():
        if name not in wanted:
            continue
        for *cells, passed in bench():
            print_row((*cells, verdict(passed)))
            if not passed:
                missed.append(f"{cells[0]} {cells[1]} {cells[2]}")
    return missed


def main() -> int:
    args = parse_args()
    wanted = {name.strip().upper() for name in args.only.split(",")}
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else [10_000, 100_000]
        if args.quick
        else [10_000, 100_000, 1_000_000]
    )
    databases = chosen_databases(args.db, args.pg)
    benches: dict[str, Callable[[], Iterator[Row]]] = {
        "P1": lambda: daily_runs(databases, sizes, args.pg_max),
        "SEL": lambda: selector_plans.table_rows(databases, sizes, args.pg_max),
        "P2": lambda: exports([10_000, 100_000] if args.quick else [10_000, 100_000, 500_000]),
        "P3": lambda: drains(databases, 5_000),
        "P4": lambda: slack_acks(100_000),
    }
    missed = run_benches(benches, wanted)
    print(f"# {len(missed)} missed" + (": " + "; ".join(missed) if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
