"""Every benchmark in one command, one table, each figure marked PASS or MISS against its target.

* P1 Daily Summary run (history → rules → ledger → mailbox → outbox) next to its honest floor
  (bare SQL + bare Jinja2 per distinct text + one bulk insert each of mailbox and outbox
  rows), interleaved, best of 3, SQLite and PostgreSQL: ``bench/daily_run.py``. Target:
  ≤ 2× floor; at 1M consumers ≤ 1.5× floor, ≤ 15 s (SQLite) / ≤ 12 s (PostgreSQL) and
  ≤ 300 MB peak RSS. Fails when the floor and the full run saw different alerts or digests.
* P2 agency export, encrypted, next to a bare openpyxl write-only loop: ``bench/export.py``.
  Target: ≥ 2× openpyxl's rows/s; at 500k rows ≤ 150 MB peak RSS. P2-dm: a 5,000-row
  ``/bob export agency`` through the fake Slack, file in the DM and password sent ≤ 3 s.
* P3 outbox drain of 5,000 emails to smtp-sink next to bare pooled aiosmtplib:
  ``bench/outbox_drain.py``. Target: ≥ 80 % of bare and ≥ 1,000 messages/s.
* SEL each topic's selection alone, its time and query plan, SQLite as built and after
  ``ANALYZE`` and PostgreSQL: ``bench/selector_plans.py``. Target: no topic slower after
  ``ANALYZE``; each one-time topic starts from its events.
* P4 Slack ack latency, 20 concurrent signed commands during a 100k-row agency export:
  ``bench/slack_ack.py``. Target: p99 ≤ 300 ms.
* CLI start-up, median of 10 fresh processes next to ``python -c pass`` and a bare
  SQLAlchemy script opening the book: ``bench/cli_startup.py``. Target: ``--help`` ≤ 0.3 s;
  a command with nothing to do ≤ 0.6 s.
* P5 web pages, 20 signed-in readers of a 2,000-alert manager digest and a 365-digest mailbox
  during a 100k-row agency export (built in its worker process, as bob does), with P4's probe
  on the same port: ``bench/web.py``.
  Target: page p99 ≤ 150 ms, and the Slack ack p99 still ≤ 300 ms.

    .venv/bin/python bench/run_all.py                 # everything (P1 at 1M: about 25 minutes)
    .venv/bin/python bench/run_all.py --quick         # 10k and 100k only
    .venv/bin/python bench/run_all.py --only P1,P3 --sizes 10000 --db postgresql

Each bench is one line of ``BENCHES``: a name and a function of the options yielding rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from bench import cli_startup, daily_run, outbox_drain, selector_plans, slack_ack  # noqa: E402
from bench import export as export_bench  # noqa: E402
from bench import web as web_bench  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402

PG_URL = os.environ.get("BOB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DAY = date(2026, 9, 1)  # all eight topics apply on 09-01
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


@dataclass
class Row:
    """One figure: the table's cells, whether it met its target, and lines printed beneath."""

    cells: tuple[str, str, str, str, str, str]
    passed: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    databases: list[str]
    sizes: list[int]
    quick: bool
    pg_max: int


def daily_runs(opts: Options) -> Iterator[Row]:
    counts: dict[int, dict[str, object]] = {}
    for db in opts.databases:
        name = "sqlite" if db == "sqlite" else "postgresql"
        for size in opts.sizes:
            if db != "sqlite" and size > opts.pg_max:
                continue
            with tempfile.TemporaryDirectory(prefix="bob-bench-") as folder:
                r = daily_run.measure(db, size, DAY, Path(folder))
            checks = daily_run.verdicts(r, name)
            seen = {"per_topic": r["per_topic"], "by_kind": r["by_kind"]}
            if counts.setdefault(size, seen) != seen:
                checks.append((f"{name} saw other alerts than the first database: {counts[size]}", False))
            cells = (
                "P1",
                name,
                f"{size:,}",
                f"full {r['full_s']:.2f} s, {r['rss_mb']:.0f} MB",
                f"{r['floor_s']:.2f} s ({r['sql_s']:.2f}+{r['render_s']:.2f}+{r['write_s']:.2f})",
                f"{r['ratio']:.2f}x",
            )
            notes = [
                f"alerts {r['alerts']:,} per topic {r['per_topic']}; digests {r['digests']:,} {r['by_kind']}"
            ]
            notes += [f"each run, in order: {r['runs']}"]
            notes += [f"{'PASS' if ok else 'MISS'} {what}" for what, ok in checks]
            yield Row(cells, all(ok for _, ok in checks), notes)


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


def exports(opts: Options) -> Iterator[Row]:
    for size in [10_000, 100_000] if opts.quick else [10_000, 100_000, 500_000]:
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
        cells = (
            "P2",
            "sqlite",
            f"{int(bob['rows']):,}",
            f"{bob_rate:,.0f} rows/s, {bob['rss_mb']:.0f} MB",
            f"openpyxl {bare_rate:,.0f} rows/s",
            f"{bob_rate / bare_rate:.2f}x",
        )
        target = ">= 2x openpyxl" + ("; peak RSS <= 150 MB" if size >= 500_000 else "")
        yield Row(cells, passed, [f"target {target}"])


def slack_export(opts: Options) -> Iterator[Row]:
    r = slack_ack.export_once(5_000)
    cells = (
        "P2-dm",
        "sqlite",
        f"{r['rows']:,}",
        f"in the DM in {r['end_to_end_s']:.2f} s",
        f"ack {r['ack_s'] * 1000:.0f} ms",
        "-",
    )
    yield Row(cells, r["end_to_end_s"] <= 3.0, ["target: file in the DM and password sent <= 3 s"])


def drains(opts: Options, messages: int = 5_000) -> Iterator[Row]:
    for db in opts.databases:
        r = outbox_drain.measure(db, messages, outbox_drain.SmtpConfig().connections)
        cells = (
            "P3",
            "sqlite" if db == "sqlite" else "postgresql",
            f"{messages:,}",
            f"bob {r['bob_per_s']:,.0f} msg/s",
            f"bare {r['bare_per_s']:,.0f} msg/s ({r['connections']} conns)",
            f"{r['share']:.0%}",
        )
        yield Row(cells, r["passed"], ["target >= 80% of bare and >= 1,000 msg/s"])


def slack_acks(opts: Options, rows: int = 100_000) -> Iterator[Row]:
    r = slack_ack.measure(rows)
    cells = (
        "P4",
        "sqlite",
        f"{rows:,}",
        f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms ({r['samples']})",
        f"idle p50 {r['idle_p50']:.0f}, p99 {r['idle_p99']:.0f} ms",
        "-",
    )
    yield Row(cells, r["passed"], ["target p99 <= 300 ms"])


def cli_starts(opts: Options) -> Iterator[Row]:
    r = cli_startup.measure()
    for label, figures in r.items():
        median, target = figures["median_s"], figures["target_s"]
        if target is None:
            continue
        floor_label, floor = figures["floor"], r[figures["floor"]]["median_s"]
        cells = (
            "CLI",
            "sqlite",
            label.removeprefix("bob "),
            f"{median:.2f} s (target <= {target} s)",
            f"{floor_label.removeprefix('floor: ')} {floor:.2f} s",
            f"{median / floor:.2f}x",
        )
        yield Row(cells, median <= target, [f"cpu {figures['cpu_s']:.2f} s"])


def web_pages(opts: Options, rows: int = 100_000) -> Iterator[Row]:
    r = web_bench.measure(rows)
    idle, busy = r["idle"], r["busy"]
    pages = (
        "P5",
        "sqlite",
        f"{rows:,}",
        f"pages p50 {busy['p50']:.0f} ms, p99 {busy['p99']:.0f} ms, {busy['rps']:.0f} req/s, "
        f"{busy['rss_mb']:.0f} MB, CPU {100 * busy['cpu_share']:.0f}%, "
        f"{busy['cpu_ms_per_request']:.1f} ms CPU/page",
        f"no export p50 {idle['p50']:.0f}, p99 {idle['p99']:.0f} ms",
        "-",
    )
    yield Row(pages, busy["p99"] <= web_bench.TARGET_P99_MS, ["target page p99 <= 150 ms during the export"])
    acks = (
        "P5",
        "sqlite",
        f"{rows:,}",
        f"Slack ack p50 {busy['ack_p50']:.0f} ms, p99 {busy['ack_p99']:.0f} ms",
        f"no export p50 {idle['ack_p50']:.0f}, p99 {idle['ack_p99']:.0f} ms",
        "-",
    )
    yield Row(acks, busy["ack_p99"] <= web_bench.TARGET_ACK_P99_MS, ["target Slack ack p99 <= 300 ms"])


def selections(opts: Options) -> Iterator[Row]:
    for topic_row in selector_plans.table_rows(opts.databases, opts.sizes, opts.pg_max):
        yield Row(topic_row[:6], topic_row[6])


# One line per bench: the name --only selects it by, and the function yielding its rows.
BENCHES: dict[str, Callable[[Options], Iterator[Row]]] = {
    "P1": daily_runs,
    "SEL": selections,
    "P2": exports,
    "P2-dm": slack_export,
    "P3": drains,
    "P4": slack_acks,
    "CLI": cli_starts,
    "P5": web_pages,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k consumers only")
    parser.add_argument("--only", default=",".join(BENCHES), help="e.g. P1,P3 (P2 includes P2-dm)")
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


def run_benches(opts: Options, wanted: set[str]) -> list[str]:
    """Print one row per measurement (and its notes beneath); the measurements that missed."""
    print_row(tuple(name for name, _ in COLUMNS))
    missed: list[str] = []
    for name, bench in BENCHES.items():
        if name.upper() not in wanted and name.split("-")[0].upper() not in wanted:
            continue
        for row in bench(opts):
            print_row((*row.cells, verdict(row.passed)))
            for note in row.notes:
                print(f"       {note}", flush=True)
            if not row.passed:
                missed.append(" ".join(row.cells[:3]))
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
    opts = Options(chosen_databases(args.db, args.pg), sizes, args.quick, args.pg_max)
    missed = run_benches(opts, wanted)
    print(f"# {len(missed)} missed" + (": " + "; ".join(missed) if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
