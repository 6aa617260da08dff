"""How long `bob` takes to answer when it has little or nothing to do.

Builds a small SQLite book in a temporary folder with bob's own commands (``bob seed``, then
``bob summary run`` for a date, so that date is done), then times each command as a fresh
process, median of 10 runs, the commands interleaved so a burst of load hits all alike:

* ``bob --help`` and ``bob summary run --help``: target ≤ 0.3 s;
* ``bob summary run --date D`` for the date already done, and ``bob outbox status``:
  target ≤ 0.6 s.

Each figure is wall time; beside it the median CPU time (user + system) of the same runs,
which is what a quiet machine's wall time would be. Each target is read against a floor
measured in the same rounds: ``python -c pass`` (the interpreter and this venv's site
packages) for ``--help``; for a command with nothing to do, a bare SQLAlchemy script that
opens the same book and counts the outbox by status (SQLAlchemy, the SQLite dialect and its
driver, one connection, one query: what any command reading the store pays before bob's own
code runs). ``python -c "import sqlalchemy"`` is shown too.

The commands run with their bytecode cached (in a temporary ``PYTHONPYCACHEPREFIX``, written
by a warm-up round), as an installed bob runs, even where ``PYTHONDONTWRITEBYTECODE`` is set:
without it each run compiles bob's own modules again (about 80 files, 30 ms).

    .venv/bin/python bench/cli_startup.py
    .venv/bin/python bench/cli_startup.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HELP_TARGET_S = 0.3
NOTHING_TO_DO_TARGET_S = 0.6
RUNS = 10


def bob_command() -> list[str]:
    """The `bob` script installed beside this interpreter (as an operator runs it)."""
    script = Path(sys.executable).with_name("bob")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


# The floor of a command that reads the store: SQLAlchemy opens the book and runs one query.
OPEN_THE_BOOK = """
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).connect() as conn:
    conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all()
"""
BARE_PYTHON, BOOK_FLOOR = "python -c pass", "floor: SQLAlchemy opens the book"


@dataclass(frozen=True)
class Line:
    """A timed command line, with its target and the floor it is read against (no target:
    it is a floor)."""

    argv: list[str]
    target_s: float | None = None
    floor: str | None = None


def commands(day: date, url: str) -> dict[str, Line]:
    """Each timed command line by its label."""
    bob, python = bob_command(), sys.executable
    done = ["summary", "run", "--date", day.isoformat(), "--allow-old"]
    return {
        BARE_PYTHON: Line([python, "-c", "pass"]),
        "python -c 'import sqlalchemy'": Line([python, "-c", "import sqlalchemy"]),
        BOOK_FLOOR: Line([python, "-c", OPEN_THE_BOOK, url]),
        "bob --help": Line([*bob, "--help"], HELP_TARGET_S, BARE_PYTHON),
        "bob summary run --help": Line([*bob, "summary", "run", "--help"], HELP_TARGET_S, BARE_PYTHON),
        "bob summary run, date done": Line([*bob, *done], NOTHING_TO_DO_TARGET_S, BOOK_FLOOR),
        "bob outbox status": Line([*bob, "outbox", "status"], NOTHING_TO_DO_TARGET_S, BOOK_FLOOR),
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], folder: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds of wall time and of CPU time (user + system) for one run of ``argv``, which
    must succeed. On a busy machine the CPU time is what a quiet one would take."""
    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run(argv, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def prepared_book(folder: Path, env: dict[str, str], day: date) -> None:
    """A small book whose Daily Summary for ``day`` has run, made with bob's own commands."""
    bob = bob_command()
    seed = [*bob, "seed", "--agencies", "1", "--consumers", "500", "--as-of", day.isoformat()]
    subprocess.run(seed, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    first = [*bob, "summary", "run", "--date", day.isoformat(), "--allow-old"]
    subprocess.run(first, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)


def measure(runs: int = RUNS) -> dict[str, dict[str, Any]]:
    """Median wall and CPU seconds of each command over ``runs`` interleaved rounds, with its
    target and its floor's label."""
    day = date.today() - timedelta(days=10)
    folder = Path(tempfile.mkdtemp(prefix="bob-bench-cli-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOB_", "PYTHONDONTWRITEBYTECODE"))}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    url = env["BOB_DATABASE_URL"] = f"sqlite:///{folder / 'bob.db'}"
    try:
        prepared_book(folder, env, day)
        lines = commands(day, url)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in lines}
        for line in lines.values():  # a warm-up round: page cache, .pyc files
            run(line.argv, folder, env)
        for _ in range(runs):
            for label, line in lines.items():
                times[label].append(run(line.argv, folder, env))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        label: {
            "median_s": statistics.median(wall for wall, _ in times[label]),
            "cpu_s": statistics.median(cpu for _, cpu in times[label]),
            "target_s": line.target_s,
            "floor": line.floor,
        }
        for label, line in lines.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs of each command (default {RUNS})")
    args = parser.parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"# median of {args.runs} runs, fresh process each; load average before: {load}")
    results = measure(args.runs)
    missed = 0
    for label, result in results.items():
        median, cpu, target = result["median_s"], result["cpu_s"], result["target_s"]
        figures = f"{label:<34} {median:6.3f} s  (cpu {cpu:.3f} s)"
        if target is None:
            print(f"{figures}   floor")
            continue
        floor = results[result["floor"]]
        passed = median <= target
        missed += not passed
        print(
            f"{figures}   target ≤ {target:.1f} s   {'PASS' if passed else 'MISS'}   "
            f"{median / floor['median_s']:.2f}x wall, {cpu / floor['cpu_s']:.2f}x cpu of {result['floor']!r}"
        )
    print(f"# load average after: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
