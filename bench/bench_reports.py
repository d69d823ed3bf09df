"""Every named report, cold and warm, and `lorelens export-report`, on a database.

Either give a database that is already built (``--db``), or let the script build one
from a generated sample (``--scale`` messages, seed 42, v2 inboxes, its MAINTAINERS and
domain map), kept in ``--work`` so a second run reuses it:

    .venv/bin/python bench/bench_reports.py --scale 1000000 --work /tmp/bench-1m
    .venv/bin/python bench/bench_reports.py --db data/lorelens.duckdb

"Cold" is the first run of a report in a fresh process (a new read-only connection,
nothing cached); "warm" is the best of ``--runs`` further runs on that connection, as
the dashboard runs them. The export is timed as a whole command in a fresh process.
Results go to standard output; record them in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LORELENS = [sys.executable, str(ROOT / "cli.py")]


def run(*args: str) -> str:
    return subprocess.run([*LORELENS, *args], check=True, capture_output=True, text=True,
                          cwd=ROOT).stdout


def build(work: Path, scale: int) -> Path:
    """A generated, ingested and enriched database in ``work`` (reused when there)."""
    db = work / "bench.duckdb"
    if db.exists():
        return db
    sample = work / "sample"
    started = time.perf_counter()
    run("sample", "--out", str(sample), "--seed", "42", "--scale", str(scale))
    print(f"sample: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    run("maintainers", str(sample / "MAINTAINERS"), "--db", str(db))
    run("orgs", "--domain-map", str(sample / "domain-map"), "--db", str(db))
    run("ingest", *sorted(str(p) for p in (sample / "inbox").iterdir()), "--db", str(db),
        "--quiet")
    print(f"ingest + enrichment: {time.perf_counter() - started:.0f} s", flush=True)
    return db


def time_reports(db: Path, runs: int) -> list[tuple[str, float, float, int]]:
    """(report, cold seconds, best warm seconds, rows) for every named report, each
    measured in a child process so that "cold" starts from nothing."""
    code = (
        "import json, sys, time\n"
        "from core.database import connect_readonly\n"
        "from analytics.reports import run_report\n"
        "con = connect_readonly(sys.argv[1])\n"
        "t = time.perf_counter(); r = run_report(con, sys.argv[2], timeout=None)\n"
        "cold = time.perf_counter() - t\n"
        "warm = []\n"
        "for _ in range(int(sys.argv[3])):\n"
        "    t = time.perf_counter(); run_report(con, sys.argv[2], timeout=None)\n"
        "    warm.append(time.perf_counter() - t)\n"
        "print(json.dumps([cold, min(warm), len(r.rows)]))\n"
    )
    from analytics.reports import REPORTS

    out = []
    for name in REPORTS:
        got = subprocess.run([sys.executable, "-c", code, str(db), name, str(runs)],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
        cold, warm, n = json.loads(got)
        out.append((name, cold, warm, n))
        print(f"  {name:<28} cold {cold:6.2f} s  warm {warm:6.2f} s  {n:>8,} rows",
              flush=True)
    return out


def time_export(db: Path) -> float | None:
    """Wall time of `lorelens export-report` into a temporary folder (None when this
    lorelens has no such command)."""
    with tempfile.TemporaryDirectory(prefix="lorelens-bench-export-") as out:
        started = time.perf_counter()
        proc = subprocess.run([*LORELENS, "export-report", "--db", str(db), "--out", out],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            if "No such command" in proc.stderr:
                return None
            raise SystemExit(f"export-report failed: {proc.stderr.strip()}")
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="an existing database (else one is built)")
    ap.add_argument("--scale", type=int, default=200_000, help="messages in the sample")
    ap.add_argument("--work", type=Path, help="where to build and keep the sample database")
    ap.add_argument("--runs", type=int, default=3, help="warm runs per report")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.db is None:
        work = args.work or Path(tempfile.mkdtemp(prefix="lorelens-bench-reports-"))
        work.mkdir(parents=True, exist_ok=True)
        db = build(work, args.scale)
    else:
        db = args.db
    n = json.loads(run("sql", "SELECT count(*) AS n FROM messages", "--db", str(db),
                       "--format", "json"))[0]["n"]
    print(f"database: {db} ({n:,} messages, {db.stat().st_size / 2**20:,.0f} MiB)")
    rows = time_reports(db, args.runs)
    slowest = max(rows, key=lambda r: r[2])
    print(f"slowest warm: {slowest[0]} {slowest[2]:.2f} s; slowest cold: "
          f"{max(r[1] for r in rows):.2f} s")
    export = time_export(db)
    print("export-report: " + ("not available" if export is None else f"{export:.1f} s"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest child process: {peak:,.0f} MiB peak RSS")


if __name__ == "__main__":
    main()
