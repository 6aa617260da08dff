"""Benchmark: `bob summary run --from D1 --to D2` over 100 dates against a single-date run.

Seeds a book (50k consumers by default) as of the last date, copies it, then times, each as
the real command in its own process (`bob summary run … --allow-old`):

* single: the last date alone, on one copy (the work a morning run does);
* range: the 100 dates ending on that date, in order, on the other copy: each date reads
  the book as it stood at its own cutoff (the history tables), records its alerts and
  writes its digests and emails.

It prints seconds for each, seconds per date of the range, and the ratio of a range date to
the single date. Process start-up (about 2 s of imports, issue 14) is measured once with
``bob --help`` and reported beside them, so it can be subtracted by eye. SQLite only.

    .venv/bin/python bench/replay_range.py                  # 50k consumers, 100 dates
    .venv/bin/python bench/replay_range.py --consumers 10000 --dates 30
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.seed import SeedPlan, seed_book  # noqa: E402
from store.zones import DEFAULT_TIME_ZONE, local_midnight  # noqa: E402

BOB = Path(sys.executable).with_name("bob")


def seeded(folder: Path, consumers: int, last: date) -> Path:
    path = folder / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    as_of = local_midnight(last, ZoneInfo(DEFAULT_TIME_ZONE))
    seed_book(
        engine, SeedPlan(agencies=max(1, consumers // 5000), consumers=consumers, seed=2026, as_of=as_of)
    )
    engine.dispose()
    return path


def timed(db: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "BOB_DATABASE_URL": f"sqlite:///{db}"}
    env.pop("BOB_CONFIG", None)
    started = time.perf_counter()
    done = subprocess.run([str(BOB), *args], env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consumers", type=int, default=50_000)
    parser.add_argument("--dates", type=int, default=100)
    args = parser.parse_args()
    last = date.today() - timedelta(days=1)
    first = last - timedelta(days=args.dates - 1)
    with tempfile.TemporaryDirectory(prefix="bob-replay-") as folder:
        started = time.perf_counter()
        source = seeded(Path(folder), args.consumers, last)
        seed_s = time.perf_counter() - started
        single_db, range_db = Path(folder) / "single.db", Path(folder) / "range.db"
        shutil.copy(source, single_db)
        shutil.copy(source, range_db)
        startup, _ = timed(single_db, "--help")
        single, _ = timed(single_db, "summary", "run", "--date", last.isoformat(), "--allow-old")
        whole, out = timed(
            range_db, "summary", "run", "--from", first.isoformat(), "--to", last.isoformat(), "--allow-old"
        )
    ran = sum(1 for line in out.splitlines() if line[:10].count("-") == 2)
    per_date = whole / args.dates
    print(f"replay over {args.dates} dates ({first} .. {last}) of a {args.consumers:,}-consumer book, SQLite")
    print(f"  seed {seed_s:.1f} s; process start-up (bob --help) {startup:.2f} s")
    print(f"  single date (last date alone):  {single:7.2f} s")
    print(f"  range ({ran} dates in one process): {whole:7.2f} s = {per_date:.2f} s per date")
    print(f"  a range date / the single date:  {per_date / single:7.2f}x")
    return 0 if ran == args.dates else 1


if __name__ == "__main__":
    sys.exit(main())
