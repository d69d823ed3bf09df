"""Time the seeded corpus generator (corpus.api.write_sample) and print messages/second.

    .venv/bin/python bench/bench_corpus.py                 # scale 20,000, v2 only
    .venv/bin/python bench/bench_corpus.py --million       # also scale 1,000,000
    .venv/bin/python bench/bench_corpus.py --formats v2,v1,mbox,maildir --scale 20000

Also reports the Python-only share (planning + rendering + truth, no archive writers) so a
slow run can be told apart from a slow ``git fast-import``.  Never run from the tests.
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
from corpus.scenario import Scenario


def python_only(scale: int, seed: int, tmp: Path) -> tuple[int, float]:
    sc = Scenario(seed, scale, tmp / "truth-only")
    n = 0

    def sink(mail, is_delete: bool) -> None:
        nonlocal n
        n += 1

    cpu0 = time.process_time()
    sc.run(sink)
    return n, time.process_time() - cpu0


def one(scale: int, seed: int, formats: tuple[str, ...], git_tree: bool, keep: Path | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lorelens-bench-"))
    out = keep or tmp / "sample"
    try:
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        s = write_sample(out, seed=seed, scale=scale, formats=formats, git_tree=git_tree)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        git = children.ru_utime + children.ru_stime
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        m = s.messages
        print(
            f"scale={scale:>9,} formats={','.join(formats)} messages={m:,} "
            f"series={s.series:,} epochs={s.epochs}\n"
            f"  wall {wall:7.2f} s  -> {m / wall:9,.0f} msg/s"
            f"   (python cpu {cpu:.1f} s = {cpu / m * 1e6:.0f} us/msg,"
            f" git cpu {git:.1f} s = {git / m * 1e6:.0f} us/msg, {size / 1e6:.0f} MB written)"
        )
        n, secs = python_only(scale, seed, tmp)
        print(
            f"  python only (plan+render, no writers, no truth file): {n / secs:9,.0f} msg"
            f" per cpu-second"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--formats", default="v2")
    ap.add_argument("--git-tree", action="store_true")
    ap.add_argument("--million", action="store_true", help="also time scale 1,000,000")
    ap.add_argument("--keep", type=Path, help="write the (first) sample here and keep it")
    a = ap.parse_args()
    formats = tuple(a.formats.split(","))
    one(a.scale, a.seed, formats, a.git_tree, a.keep)
    if a.million:
        one(1_000_000, a.seed, formats, a.git_tree, None)


if __name__ == "__main__":
    main()
