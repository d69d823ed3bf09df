"""Wall time and peak memory of a whole enrichment (`lorelens enrich --full`).

    python bench/bench_enrich_memory.py DB [--repeat N] [--lorelens COMMAND]

``DB`` is an ingested database (e.g. built with ``--no-enrich`` from a generated
sample, as ``bench_reports.py``'s build does); it is never written: each run enriches
a fresh copy in a temporary folder, in a process of its own. Timed runs do not sample
memory; a separate run polls the RSS of the whole ``lorelens`` process tree from
/proc every 0.2 s and keeps the peak (RSS of each process summed: enrichment runs in
one process, so this is its RSS). Prints the wall time (best of ``--repeat``), the peak
RSS, and the stage lines of the timed run, each with the seconds since the start.
Results go in bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LORELENS = str(Path(sys.executable).with_name("lorelens"))


def tree_rss(pid: int) -> int:
    """The summed RSS of ``pid`` and all its descendants, in bytes (0 once it is gone)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def enrich_copy(db: Path, command: str, sample: bool) -> tuple[float, int, str]:
    """(wall seconds, peak tree RSS or 0 when not sampled, stderr) of one
    ``enrich --full`` on a copy of ``db``; copying is not timed."""
    tmp = Path(tempfile.mkdtemp(prefix="lorelens-bench-enrich-"))
    try:
        copy = tmp / "b.duckdb"
        shutil.copyfile(db, copy)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        start = time.perf_counter()
        proc = subprocess.Popen([command, "enrich", "--full", "--db", str(copy)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []

        def read() -> None:  # each line with the seconds since the start
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(f"{time.perf_counter() - start:6.1f} s  {line.rstrip()}")

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        peak = 0
        if sample:
            while proc.poll() is None:
                peak = max(peak, tree_rss(proc.pid))
                time.sleep(0.2)
        proc.wait()
        seconds = time.perf_counter() - start
        reader.join()
        out = "\n".join(lines)
        if proc.returncode != 0:
            raise SystemExit(f"lorelens enrich failed:\n{out}")
        return seconds, peak, out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path, help="an ingested database (only copied, never written)")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs; the best is kept")
    ap.add_argument("--lorelens", default=LORELENS, metavar="COMMAND",
                    help="the lorelens command to run, e.g. another checkout's, to compare "
                         "two versions on the same machine [default: %(default)s]")
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db}: not found")
    runs = [enrich_copy(args.db, args.lorelens, False) for _ in range(args.repeat)]
    seconds, _, out = min(runs, key=lambda r: r[0])
    _, peak, _ = enrich_copy(args.db, args.lorelens, True)
    print(f"database: {args.db} ({args.db.stat().st_size / 2**20:,.0f} MiB)")
    print(f"enrich --full: {seconds:.1f} s (best of {args.repeat}), "
          f"peak RSS of the process tree {peak / 2**20:,.0f} MiB (sampled every 0.2 s)")
    for line in out.splitlines():
        print("  " + line)


if __name__ == "__main__":
    main()
