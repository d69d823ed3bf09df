"""A mirror of many lists in one ``lorelens ingest DIR``: the cost per list.

    python bench/bench_mirror.py [--lists 300] [--mails 40]

Writes a mirror folder as grokmirror or public-inbox-clone leave one (half the lists
v2 inboxes with two epochs, half v1 repositories; one mail in ten cross-posted to the
next list), then times, as a user runs them (``lorelens ingest DIR --no-enrich -q``):
(1) the first ingest, (2) a run with nothing new, which is what a cron job pays for
each list it watches, and (3) a run after one new mail in one list. Prints the wall
time of each and the time per list of (2). Results go in bench/README.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402  (the test suite's archive writers)
    Entry,
    add_commits,
    make_mail,
    times,
    write_v1,
    write_v2,
)

LORELENS = str(Path(sys.executable).with_name("lorelens"))


def write_mirror(top: Path, lists: int, mails: int) -> int:
    """The mirror folder; returns the number of mails (copies) written."""
    written = 0
    for i in range(lists):
        name = f"list-{i:03d}"
        batch = [make_mail(f"{name}-{j}", list_id=f"{name}.example.org") for j in range(mails)]
        # one in ten of the previous list's mails is cross-posted here too
        batch += [make_mail(f"list-{i - 1:03d}-{j}", list_id=f"{name}.example.org")
                  for j in range(0, mails, 10) if i > 0]
        ents = [Entry(m, w) for m, w in zip(batch, times(len(batch)), strict=True)]
        if i % 2:
            write_v1(top / f"{name}.git", batch)
        else:
            write_v2(top / name, [ents[: len(ents) // 2], ents[len(ents) // 2:]])
        written += len(batch)
    return written


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([LORELENS, "ingest", *args, "--no-enrich", "-q"], check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists", type=int, default=300)
    ap.add_argument("--mails", type=int, default=40, help="new mails per list")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lorelens-bench-mirror-") as tmp:
        top, db = Path(tmp) / "lore", Path(tmp) / "db.duckdb"
        start = time.perf_counter()
        n = write_mirror(top, args.lists, args.mails)
        print(f"mirror: {args.lists} lists, {n:,} mails in {time.perf_counter() - start:.1f}s")
        first = timed(str(top), "--db", str(db))
        print(f"(1) first ingest: {first:.1f}s ({n / first:,.0f} mails/s)")
        again = timed(str(top), "--db", str(db))
        print(f"(2) nothing new: {again:.1f}s ({1000 * again / args.lists:.0f} ms a list)")
        add_commits(top / "list-001.git", [Entry(make_mail("late"), times(1)[0])])
        one = timed(str(top), "--db", str(db))
        print(f"(3) one new mail: {one:.1f}s")


if __name__ == "__main__":
    main()
