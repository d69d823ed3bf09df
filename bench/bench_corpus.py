"""Time the seeded corpus generator (corpus.api.write_sample) and print messages/second.

    .venv/bin/python bench/bench_corpus.py                 # scale 20,000, v2 only
    .venv/bin/python bench/bench_corpus.py --million       # also scale 1,000,000
    .venv/bin/python bench/bench_corpus.py --formats v2,v1,mbox,maildir --scale 20000
    .venv/bin/python bench/bench_corpus.py --serial        # shards in this process only

Prints the wall-clock rate and the CPU per message of this process (merge, archive
writers, truth) and of the shard worker processes (planning and rendering), because on a
shared machine the wall clock is noisy and CPU seconds are not.  Also reports the
planning/rendering share alone (all shards in one process, no writers).  Never run from
the tests.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.api import write_sample
from corpus.scenario import SHARDS, Scenario


def python_only(scale: int, seed: int, tmp: Path) -> tuple[int, float]:
    """Plan and render every shard in this process, writing nothing but series truth."""
    cpu0 = time.process_time()
    n = 0
    for shard in range(SHARDS):
        sc = Scenario(seed, scale, tmp / "truth-only", shard=shard)
        n += sum(1 for _ in sc.events())
    return n, time.process_time() - cpu0


def one(
    scale: int,
    seed: int,
    formats: tuple[str, ...],
    git_tree: bool,
    keep: Path | None,
    parallel: bool,
    plan_only: bool = True,
) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lorelens-bench-corpus-"))
    out = keep or tmp / "sample"
    try:
        kids0 = _children_cpu()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        s = write_sample(
            out, seed=seed, scale=scale, formats=formats, git_tree=git_tree, parallel=parallel
        )
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        kids = _children_cpu() - kids0
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        m = s.messages
        print(
            f"scale={scale:>9,} formats={','.join(formats)} messages={m:,} "
            f"series={s.series:,} epochs={s.epochs} {'parallel' if parallel else 'serial'}\n"
            f"  wall {wall:7.2f} s  -> {m / wall:9,.0f} msg/s   cpu: main {cpu:.1f} s ="
            f" {cpu / m * 1e6:.0f} us/msg, workers {kids:.1f} s = {kids / m * 1e6:.0f} us/msg,"
            f" total {(cpu + kids) / m * 1e6:.0f} us/msg  ({size / 1e6:.0f} MB written)"
        )
        if not plan_only:
            return
        n, secs = python_only(scale, seed, tmp)
        print(
            f"  python only (plan+render, no writers, no truth file): {n / secs:9,.0f} msg"
            f" per cpu-second"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the shard workers, git for the tree)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--formats", default="v2")
    ap.add_argument("--git-tree", action="store_true")
    ap.add_argument("--million", action="store_true", help="also time scale 1,000,000")
    ap.add_argument("--keep", type=Path, help="write the (first) sample here and keep it")
    ap.add_argument("--serial", action="store_true", help="no worker processes")
    ap.add_argument(
        "--no-plan-only", action="store_true", help="skip the planning/rendering-only timing"
    )
    a = ap.parse_args()
    formats = tuple(a.formats.split(","))
    plan_only = not a.no_plan_only
    one(a.scale, a.seed, formats, a.git_tree, a.keep, not a.serial, plan_only)
    if a.million:
        one(1_000_000, a.seed, formats, a.git_tree, None, not a.serial, plan_only)


if __name__ == "__main__":
    main()
