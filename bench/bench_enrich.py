"""Incremental against whole enrichment after an ingest that added the newest mails.

A public-inbox v1 archive (default: the shared linux-watchdog) is cloned, cut back by
``--tail`` commits, ingested and enriched with the shared MAINTAINERS and gitdm maps;
then the newest commits are ingested without enrichment. Copies of that database are
enriched in fresh processes, incrementally (``lorelens enrich``) and whole
(``lorelens enrich --full``), alternately, and the best wall time of each is printed
with each stage's line from the last run.

    .venv/bin/python bench/bench_enrich.py [ARCHIVE.git] [--tail 818] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
# the shared data: ../shared beside the checkout, or $LORELENS_SHARED
SHARED = Path(os.environ.get(
    "LORELENS_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data"
LORELENS = [sys.executable, str(ROOT / "cli.py")]
GIT = ["git", "-c", "safe.directory=*"]


def run(*args: str) -> str:
    return subprocess.run([*LORELENS, *args], check=True, capture_output=True,
                          text=True, cwd=ROOT).stdout


def git(*args: str) -> str:
    return subprocess.run([*GIT, *args], check=True, capture_output=True, text=True).stdout


def timed_enrich(db: Path, full: bool) -> tuple[float, float, str]:
    """Wall time of the whole command, the run's own time (``enrich_runs.seconds``: no
    start-up or imports), and its output."""
    args = ["enrich", "--db", str(db)] + (["--full"] if full else [])
    started = time.perf_counter()
    out = run(*args)
    wall = time.perf_counter() - started
    con = duckdb.connect(str(db), read_only=True)
    try:
        inner = con.execute(
            "SELECT seconds FROM enrich_runs ORDER BY enrich_id DESC LIMIT 1").fetchall()[0][0]
    finally:
        con.close()
    return wall, float(inner), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", nargs="?", type=Path,
                    default=SHARED / "archives/linux-watchdog.vger.kernel.org.0.git")
    ap.add_argument("--tail", type=int, default=818, help="newest commits added last")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not args.archive.exists():
        sys.exit(f"no archive at {args.archive}")
    with tempfile.TemporaryDirectory(prefix="lorelens-bench-enrich-") as tmp_name:
        tmp = Path(tmp_name)
        repo = tmp / args.archive.name
        git("clone", "-q", "--mirror", str(args.archive), str(repo))
        branch = git("-C", str(repo), "symbolic-ref", "HEAD").strip()
        head = git("-C", str(repo), "rev-parse", "HEAD").strip()
        git("-C", str(repo), "update-ref", branch, f"{head}~{args.tail}")
        base = tmp / "base.duckdb"
        run("maintainers", str(SHARED / "MAINTAINERS"), "--db", str(base))
        run("orgs", *[a for m in sorted((SHARED / "gitdm").glob("*-map*"))
                      for a in ("--domain-map", str(m))], "--db", str(base))
        run("ingest", str(repo), "--db", str(base), "--quiet")
        git("-C", str(repo), "update-ref", branch, head)
        run("ingest", str(repo), "--db", str(base), "--quiet", "--no-enrich")
        best = {False: float("inf"), True: float("inf")}
        inner_best = dict(best)
        logs = {}
        for _ in range(args.runs):
            for full in (False, True):
                db = tmp / f"run-{int(full)}.duckdb"
                shutil.copy(base, db)
                seconds, inner, logs[full] = timed_enrich(db, full)
                best[full] = min(best[full], seconds)
                inner_best[full] = min(inner_best[full], inner)
        print(f"archive: {args.archive.name}, newest {args.tail:,} commits added last")
        for full in (True, False):
            label = "whole (--full)" if full else "incremental"
            print(f"{label:16} {inner_best[full]:6.2f} s enrichment, {best[full]:6.2f} s "
                  f"command (best of {args.runs}, fresh process each)")
            for line in logs[full].splitlines():
                print(f"    {line}")


if __name__ == "__main__":
    main()
