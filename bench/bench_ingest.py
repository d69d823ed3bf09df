"""Ingest speed and memory against the raw git floor, on one public-inbox archive.

    python bench/bench_ingest.py [ARCHIVE] [--repeat N] [--lorelens COMMAND]

(a) raw floor: list the commits and stream every ``m`` blob through one
    ``git cat-file --batch``, reading the bytes and nothing else;
(b) ``lorelens ingest --no-enrich`` into a fresh database (a subprocess, as a user runs it);
(c) ``lorelens ingest`` with enrichment (threads, people, organisations, series, …).

Prints msg/s of each, the ratios b/a and c/a, the CPU seconds of the whole lorelens
process tree (Linux: this script adopts and reaps the parser workers' fork server), the
peak resident memory (RSS) of the lorelens process, and the peak proportional memory
(PSS) of its whole tree — parser workers and git included — sampled every 20 ms in a
run of its own (sampling costs CPU, so timed runs do not sample). Run it on a quiet
machine: it measures wall-clock time. Results go in bench/README.md.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared/data/archives/linux-watchdog.vger.kernel.org.0.git"
GIT = ["git", "-c", "safe.directory=*"]
LORELENS = str(Path(sys.executable).with_name("lorelens"))


def raw_floor(archive: Path) -> tuple[int, float]:
    start = time.perf_counter()
    shas = subprocess.run([*GIT, "--git-dir", str(archive), "log", "--reverse", "--format=%H"],
                          capture_output=True, text=True, check=True).stdout.split()
    proc = subprocess.Popen([*GIT, "--git-dir", str(archive), "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1 << 20)
    assert proc.stdin and proc.stdout

    def feed() -> None:
        for s in shas:
            proc.stdin.write(f"{s}:m\n".encode())
        proc.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    total = 0
    for _ in shas:
        header = proc.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        total += len(proc.stdout.read(int(header[2]) + 1))
    proc.wait()
    return len(shas), time.perf_counter() - start


def _memory(pid: int) -> tuple[int, int]:
    """(RSS of the lorelens process, PSS of it and all its descendants), in bytes.

    PSS (proportional set size) shares a page between the processes that map it, so
    parser workers' copy-on-write module pages and git's mapping of the pack are not
    counted twice, as a sum of RSS would.
    """
    main = tree = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:") and p == pid:
                        main = int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        tree += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return main, tree


def _become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux), so that their CPU time can be counted.

    The parser workers are children of multiprocessing's fork server, which lorelens
    never waits for; as a subreaper this process reaps it, and ``RUSAGE_CHILDREN`` then
    holds the CPU time of the whole tree (lorelens, fork server, workers, git).
    """
    try:
        pr_set_child_subreaper = 36
        return ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _reap_all() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def run_lorelens(archive: Path, enrich: bool, sample_memory: bool, command: str = LORELENS
                 ) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS main, peak PSS tree, CPU seconds of the tree) of one run.

    Reading ``smaps_rollup`` of every process of the tree costs ~10 ms of CPU a time, so
    a sampling run steals a third of a core from lorelens: memory is measured in runs of
    its own, and the timed runs do not sample (their memory figures are 0).
    """
    tmp = Path(tempfile.mkdtemp(prefix="lorelens-bench-"))
    try:
        cmd = [command, "ingest", str(archive),
               "--db", str(tmp / "b.duckdb"), "--quiet"]
        if not enrich:
            cmd.append("--no-enrich")
        cpu0 = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        peak_main = peak_tree = 0
        if sample_memory:
            while proc.poll() is None:
                main, tree = _memory(proc.pid)
                peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
                time.sleep(0.02)
        _, err = proc.communicate()
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"lorelens failed: {err}")
        _reap_all()  # the fork server, adopted when lorelens exited
        return seconds, peak_main, peak_tree, _children_cpu() - cpu0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    ap.add_argument("--lorelens", default=LORELENS, metavar="COMMAND",
                    help="the lorelens command to time, e.g. another checkout's, to compare "
                         "two versions on the same machine [default: %(default)s]")
    args = ap.parse_args()
    if not args.archive.exists():
        raise SystemExit(f"{args.archive}: not found (pass a public-inbox v1 repository)")
    counted = _become_subreaper()
    floors = [raw_floor(args.archive) for _ in range(args.repeat)]
    n, floor = min(floors, key=lambda x: x[1])
    print(f"archive: {args.archive} ({n:,} messages), {os.cpu_count()} CPUs")
    print(f"(a) raw git floor:        {floor:6.2f} s  {n / floor:9,.0f} msg/s")
    results = {}
    for label, enrich in (("(b) ingest", False), ("(c) ingest + enrich", True)):
        runs = [run_lorelens(args.archive, enrich, False, args.lorelens)
                for _ in range(args.repeat)]
        seconds = min(r[0] for r in runs)
        cpu = min(r[3] for r in runs)
        _, main, tree, _ = run_lorelens(args.archive, enrich, True, args.lorelens)
        results[label] = (seconds, main, tree)
        # CPU seconds of the whole process tree: less sensitive than wall time to other
        # work on the machine (which stretches wall time, not the work done)
        cpu_text = f"  CPU {cpu:5.1f} s" if counted else ""
        print(f"{label + ':':<25}{seconds:6.2f} s  {n / seconds:9,.0f} msg/s  "
              f"ratio {seconds / floor:4.2f}{cpu_text}  peak RSS {main / 2**20:,.0f} MiB "
              f"(whole tree, PSS: {tree / 2**20:,.0f} MiB)")


if __name__ == "__main__":
    main()
