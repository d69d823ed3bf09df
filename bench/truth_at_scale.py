"""lorelens against the generator's planted truths at a scale the tests do not reach.

The tests check exact agreement with truth.json on samples of a few hundred to a few
thousand messages; some disagreements only appear in a larger sample (a RESEND that
dropped its RFC tag: none in the tests' samples, one at seed 1 and 6,000 messages, 20
series at seed 42 and 200,000). This writes a sample, runs the main job's steps on it
(ingest, MAINTAINERS, domain map, enrichment) and compares every series of truth.json
with the ``series`` table, field by field, and the planted totals with the database.

    .venv/bin/python bench/truth_at_scale.py [--scale 200000] [--seed 42] [--keep DIR]

Prints the totals, then per field how many series disagree, with a few examples.
Takes ~2.5 min at 200,000 messages on the project's 2-core machine (sample ~26 s,
ingest ~76 s, MAINTAINERS and domain map with their enrichments ~35 s). Not a test: run
by hand; results in README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
LORELENS = [sys.executable, str(ROOT / "cli.py")]

# truth.json's series field → the ``series`` column it is checked against
FIELDS = {
    "version": "version",
    "prev_version": "prev_series_id",
    "next_version": "next_series_id",
    "resend_of": "resend_of",
    "outcome": "outcome",
    "applied_at": "applied_at",
    "first_response_at": "first_response_at",
    "first_maintainer_response_at": "first_maintainer_response_at",
    "first_review_at": "first_review_at",
    "subsystems": "subsystems",
    "org_kind": "author_org_kind",
    "author_email": "author_email",
    "n_patches": "n_patches",
    "has_cover": "has_cover",
    "is_rfc": "is_rfc",
    "is_resend": "is_resend",
    "lists": "lists",
}


def timed(name: str, *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([*LORELENS, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"{name:18s} {time.perf_counter() - started:7.1f} s", flush=True)


def truth_series(path: Path) -> Iterator[dict[str, Any]]:
    """The ``series`` array of truth.json, one record at a time (the file is written
    one record a line; at a million messages it is over a gigabyte)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.rstrip().endswith('"series":['):
                break
        for line in f:
            if line.startswith("]"):
                return
            yield json.loads(line.rstrip().rstrip(","))


def truth_totals(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        head = f.read(1 << 16)
    start = head.index('"totals":') + len('"totals":')
    totals, _end = json.JSONDecoder().raw_decode(head, start)
    return totals


def as_truth(value: Any) -> Any:
    """A database value in truth.json's form: ISO UTC seconds, sorted lists."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        return sorted(value)
    return value


def compare(truth: Path, db: Path) -> tuple[int, Counter[str], dict[str, list[tuple]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = ["series_id", "outcome_detail", *FIELDS.values()]
        ours = {r[0]: dict(zip(cols, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(dict.fromkeys(cols))} FROM series").fetchall()}
    finally:
        con.close()
    wrong: Counter[str] = Counter()
    examples: dict[str, list[tuple]] = defaultdict(list)
    n = 0
    for t in truth_series(truth):
        n += 1
        o = ours.pop(t["key"], None)
        if o is None:
            wrong["(series missing)"] += 1
            examples["(series missing)"].append((t["key"],))
            continue
        for tk, col in FIELDS.items():
            want = sorted(t[tk]) if isinstance(t[tk], list) else t[tk]
            got = as_truth(o[col])
            if tk == "outcome":
                # truth.json spells out a pending series' detail ("discussed": answered,
                # "pending"); a stable backport has no outcome; every other outcome is
                # its own detail
                detail = o["outcome_detail"]
                consistent = (
                    (got is None and detail == "backport")
                    or (got == "pending" and detail in ("pending", "discussed"))
                    or (got is not None and got == detail)
                )
                if not consistent:
                    wrong["(outcome and outcome_detail disagree)"] += 1
                got = detail if got == "pending" else got
            if want != got:
                wrong[tk] += 1
                if len(examples[tk]) < 3:
                    examples[tk].append((t["key"], want, got))
    for key in ours:
        wrong["(series not planted)"] += 1
        if len(examples["(series not planted)"]) < 3:
            examples["(series not planted)"].append((key,))
    return n, wrong, examples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", type=Path, help="write the sample and database here and keep them")
    a = ap.parse_args()
    tmp = a.keep or Path(tempfile.mkdtemp(prefix="lorelens-truth-at-scale-"))
    try:
        sample, db = tmp / "sample", tmp / "lorelens.duckdb"
        timed("sample", "sample", "--out", str(sample), "--seed", str(a.seed),
              "--scale", str(a.scale))
        inboxes = sorted(str(p) for p in (sample / "inbox").iterdir())
        timed("ingest", "ingest", "--quiet", "--no-enrich", "--db", str(db), *inboxes)
        timed("maintainers", "maintainers", str(sample / "MAINTAINERS"), "--db", str(db))
        timed("orgs + enrichment", "orgs", "--domain-map", str(sample / "domain-map"),
              "--db", str(db))
        truth = sample / "truth.json"
        totals = truth_totals(truth)
        con = duckdb.connect(str(db), read_only=True)
        try:
            got = con.execute(
                "SELECT (SELECT count(*) FROM messages), (SELECT count(DISTINCT thread_id) "
                "FROM messages), (SELECT count(*) FROM series)").fetchall()[0]
        finally:
            con.close()
        print(f"messages {got[0]:,} (planted {totals['messages']:,}), threads {got[1]:,} "
              f"(planted {totals['threads']:,}), series {got[2]:,} "
              f"(planted {totals['series']:,})")
        n, wrong, examples = compare(truth, db)
        for name, value, planted in zip(("messages", "threads", "series"), got,
                                        (totals["messages"], totals["threads"],
                                         totals["series"]), strict=True):
            if value != planted:
                wrong[f"(total {name})"] += 1
        print(f"{n:,} planted series, {len(FIELDS)} fields each, and the totals: "
              + (", ".join(f"{k} {v:,} wrong" for k, v in wrong.items()) or "all agree"))
        for field, rows in examples.items():
            for row in rows:
                print(f"  {field}: {row}")
    finally:
        if a.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
