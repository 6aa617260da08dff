"""Import throughput and peak memory for generated 10k- and 100k-row files of each format.

    .venv/bin/python bench/import.py [--rows 10000 100000] [--formats calheers healthsherpa bob]

Files are generated into a temporary folder (synthetic people only). Each measurement runs
in its own subprocess on a fresh SQLite store, so its peak RSS is its own; the figures show
whether memory stays flat as the file grows tenfold. A large Book of Business is read in a
second process (store/importers/worker.py): "reader MB" is that process's peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGENTS = 50
PROGRAMS = ("Covered California", "Medi-Cal", "Mixed Household")
STATUSES = ("Pending", "Effectuated", "Canceled", "Terminated")


def license_of(n: int) -> str:
    return f"0A{n:05d}"


def book_rows(count: int):
    for n in range(count):
        agent = n % AGENTS
        yield [
            f"CB{n:08d}", f"First{n}", "Synthetic", date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
            f"900-{n % 100:02d}-{n % 10000:04d}", f"person{n}@example.com",
            f"(916) 555-{n % 10000:04d}",
            None, "English", "English", f"{n} Test Way", None, "Sacramento", "CA", "95814",
            "Sacramento", None, 1 + n % 5, 3_000_000 + n, 150 + n % 300, PROGRAMS[n % 3],
            "Complete", "Eligible", None, None, 2026, "Blue Shield", "Silver 70 PPO", "Silver",
            STATUSES[n % 4], date(2026, 1, 1), None, 61240, 50000, 11240, None,
            "Paid" if n % 2 else "Pending", "Delta Dental", "Dental Basic", "Effectuated",
            date(2027, 6, 30), n % 3, n % 2, "Y" if n % 17 == 0 else "N", date(2026, 11, 2),
            "Active", date(2025, 10, 1), f"Agent{agent} Synthetic (License {license_of(agent)})",
        ]  # fmt: skip


def write_calheers(path: Path, count: int) -> None:
    from exports.columns import COLUMNS, HEADERS, KINDS
    from exports.workbook import Sheet, write_workbook

    with path.open("wb") as out:
        write_workbook(
            out,
            Sheet("Book", HEADERS, KINDS, [c.width for c in COLUMNS], book_rows(count)),
            lambda n: Sheet("About", ["Rows"], [KINDS[0]], [10], [[str(n)]], filtered=False),
        )


def write_healthsherpa(path: Path, count: int) -> None:
    header = [
        "first_name", "last_name", "phone", "email", "preferred_language", "ffm_app_id",
        "ffm_subscriber_id", "issuer", "plan_name", "plan_hios_id", "policy_status",
        "effective_date", "policy_aor", "net_premium", "gross_premium", "household_size",
        "household_income", "dmi_outstanding_count", "svi_outstanding_count", "applicant_count",
    ]  # fmt: skip
    statuses = ("Effectuated", "PendingEffectuation", "Cancelled", "Terminated")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(count):
            writer.writerow([
                f"First{n}", "Synthetic", f"(555) 555-{n % 10000:04d}", f"person{n}@example.com",
                "English", f"{4_400_000_000 + n}", f"{n:010d}", "Ambetter", "Silver 1",
                "12345CA0010001", statuses[n % 4], "2026-01-01", license_of(n % AGENTS),
                "45.10", "512.00", 1 + n % 5, "*****", n % 3, n % 2, 1 + n % 4,
            ])  # fmt: skip


def write_consumers(path: Path, count: int) -> None:
    from store.importers.dictionary import ENTITY_COLUMNS

    header = [c.header for c in ENTITY_COLUMNS["consumers"]]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in book_rows(count):
            values = dict(zip(
                ("case_number", "first_name", "last_name", "date_of_birth", "ssn", "email",
                 "primary_phone"), row[:7], strict=True,
            ))  # fmt: skip
            values.update(household_size=row[17], annual_income=f"{row[18] / 100:.2f}", fpl_percent=row[19])
            writer.writerow([values.get(name, "") for name in header])


WRITERS = {"calheers": (write_calheers, ".xlsx"), "healthsherpa": (write_healthsherpa, ".csv"),
           "bob": (write_consumers, ".csv")}  # fmt: skip


def child(kind: str, source: Path, folder: Path) -> None:
    """One measurement: a fresh store with the agency, then the import, timed."""
    from store.db import make_engine, session_factory
    from store.importers.calheers import import_calheers
    from store.importers.dictionary import import_bob_files
    from store.importers.healthsherpa import import_healthsherpa
    from store.migrate import upgrade
    from store.models import Agency, Enroller, Role

    engine = make_engine(f"sqlite:///{folder / f'{kind}-{source.stem}.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        agency = Agency(code="bench", name="Bench Agency")
        session.add(agency)
        session.flush()
        session.add_all(
            Enroller(agency_id=agency.id, first_name=f"Agent{n}", last_name="Synthetic",
                     license_number=license_of(n), email=f"agent{n}@agency.test",
                     role=Role.AGENT_L1)
            for n in range(AGENTS)
        )  # fmt: skip
    start = time.perf_counter()
    if kind == "calheers":
        summaries = [import_calheers(source, sessions, "bench")]
    elif kind == "healthsherpa":
        summaries = [import_healthsherpa(source, sessions, "bench")]
    else:
        summaries = import_bob_files(source, sessions)
    seconds = time.perf_counter() - start
    rows = sum(s.rows for s in summaries)
    rejected = sum(s.rejected for s in summaries)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "rejected": rejected, "seconds": seconds, "peak_mb": peak_mb,
                      "reader_mb": reader_mb}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--formats", nargs="+", choices=sorted(WRITERS), default=["calheers", "healthsherpa", "bob"]
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, folder = args.child
        child(kind, Path(source), Path(folder))
        return
    print(
        f"{'format':<13} {'rows':>8} {'file MB':>8} {'seconds':>8} {'rows/s':>8} "
        f"{'peak RSS MB':>12} {'reader MB':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in args.formats:
            write, suffix = WRITERS[kind]
            for count in args.rows:
                sub = folder / f"{kind}-{count}"
                sub.mkdir()
                source = sub / (f"consumers{suffix}" if kind == "bob" else f"book{suffix}")
                write(source, count)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", kind, str(source), str(sub)],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                result = json.loads(out.strip().splitlines()[-1])
                assert result["rejected"] == 0, result
                size = source.stat().st_size / 1e6
                reader = f"{result['reader_mb']:.0f}" if result["reader_mb"] else "-"
                print(
                    f"{kind:<13} {result['rows']:>8} {size:>8.1f} {result['seconds']:>8.1f} "
                    f"{result['rows'] / result['seconds']:>8.0f} {result['peak_mb']:>12.0f} "
                    f"{reader:>10}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
