"""Book of Business export throughput and peak memory, next to a bare openpyxl loop.

For each size N: seed one agency with N consumers (``bob seed``'s generator) into a fresh
SQLite file, then run each measurement in its own fresh process, so peak RSS belongs to
that measurement alone:

* ``bob``       the whole export as a user gets it: ``plan_export`` + ``run_export`` of the
                agency book (set-based query, streaming writer, streaming encryption
                straight into the 0600 file);
* ``bob_plain`` the same rows through bob's writer into a plain file, without encryption;
* ``openpyxl``  the same query's rows appended to an openpyxl write-only sheet, saved to a
                file, no encryption: the floor the target is measured against.

Every measurement writes to a file, not to memory, so peak RSS is the writer's own.
Targets (issue 3): ``bob`` at least 2x the openpyxl rows/s, and at most 150 MB peak RSS
at 500k rows. About 70 MB of any peak is the interpreter with SQLAlchemy and openpyxl
imported; the book query itself streams (SQLite sorts it in a temp B-tree that spills to
disk past ``cache_size``, so it adds under 10 MB at any size).

    .venv/bin/python bench/export.py                         # 10k, 100k, 500k
    .venv/bin/python bench/export.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.rss import peak_rss_mb  # noqa: E402
from exports.building import run_export  # noqa: E402
from exports.columns import COLUMNS, HEADERS, KINDS, agency_scope, book_query  # noqa: E402
from exports.planning import ExportRequest, plan_export  # noqa: E402
from exports.settings import ExportsConfig  # noqa: E402
from exports.workbook import Sheet, write_workbook  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Agency, Enroller, Role  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402

AS_OF = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
MEASUREMENTS = ("bob", "bob_plain", "openpyxl")


def measure(kind: str, url: str, directory: str) -> dict[str, float]:
    """One measurement in this (fresh) process; returns seconds, rows, bytes and peak RSS."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        agency_id = session.scalars(select(Agency.id).order_by(Agency.id).limit(1)).one()
        manager_id = session.scalars(
            select(Enroller.id)
            .where(Enroller.agency_id == agency_id, Enroller.role == Role.AGENCY_MANAGER)
            .limit(1)
        ).one()
    started = time.perf_counter()
    if kind == "bob":
        config = ExportsConfig(directory=directory)
        plan = plan_export(sessions, config, ExportRequest(manager_id, "agency"), AS_OF)
        result = run_export(sessions, config, plan, AS_OF)
        rows, size = result.row_count, result.path.stat().st_size
    else:
        out = Path(directory) / f"{kind}.xlsx"
        Path(directory).mkdir(parents=True, exist_ok=True)
        with sessions() as session, out.open("wb") as file:
            stream = session.execute(
                book_query(*agency_scope(agency_id)), execution_options={"yield_per": 2000}
            )
            values = (row[2:] for row in stream)
            if kind == "bob_plain":
                book = Sheet("Book", HEADERS, KINDS, [c.width for c in COLUMNS], values)
                rows = write_workbook(file, book, lambda n: Sheet("About", ["Item"], [KINDS[0]], [20], []))
            else:
                rows = openpyxl_loop(file, values)
        size = out.stat().st_size
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "bytes": size, "rss_mb": peak_rss_mb()}


def openpyxl_loop(file: IO[bytes], values: Iterable[Sequence[Any]]) -> int:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Book")
    sheet.append(HEADERS)
    rows = 0
    for row in values:
        sheet.append(list(row))
        rows += 1
    workbook.save(file)
    return rows


def run(sizes: list[int]) -> None:
    print("# targets: bob >= 2.00x the openpyxl rows/s; peak RSS <= 150 MB at 500k rows")
    print(
        f"{'rows':>8} {'measure':>10} {'seconds':>9} {'rows/s':>9} {'vs openpyxl':>11} "
        f"{'MB file':>8} {'peak RSS MB':>11}"
    )
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bob-bench-export-") as tmp:
            url = f"sqlite:///{tmp}/bob.db"
            engine = make_engine(url)
            upgrade(engine)
            seeded = seed_book(engine, SeedPlan(agencies=1, consumers=size, seed=2026, as_of=AS_OF))
            engine.dispose()
            print(
                f"# seeded {seeded.consumers:,} consumers ({seeded.rows:,} rows) in {seeded.seconds:.1f} s",
                flush=True,
            )
            results: dict[str, dict[str, float]] = {}
            for kind in MEASUREMENTS:
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", kind, "--url", url, "--dir", f"{tmp}/exports"],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
            floor = results["openpyxl"]["rows"] / results["openpyxl"]["seconds"]
            for kind in MEASUREMENTS:
                r = results[kind]
                rate = r["rows"] / r["seconds"]
                print(
                    f"{int(r['rows']):>8} {kind:>10} {r['seconds']:>9.2f} {rate:>9,.0f} "
                    f"{rate / floor:>10.2f}x {r['bytes'] / 1e6:>8.1f} {r['rss_mb']:>11.0f}",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,500000", help="comma-separated consumer counts")
    parser.add_argument(
        "--slack-rows",
        type=int,
        default=5000,
        help="consumers in the end-to-end /bob export through the fake Slack (0: skip)",
    )
    parser.add_argument("--measure", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.url, args.dir)))
        return
    run([int(size) for size in args.sizes.split(",")])
    if args.slack_rows:
        from bench.slack_ack import export_once

        r = export_once(args.slack_rows)
        print(
            f"# /bob export agency, {r['rows']:,} consumers through the fake Slack: ack "
            f"{r['ack_s'] * 1000:.0f} ms, file in the DM and password sent {r['end_to_end_s']:.2f} s "
            f"({'PASS' if r['end_to_end_s'] <= 3 else 'MISS'}: target <= 3 s)"
        )


if __name__ == "__main__":
    main()
