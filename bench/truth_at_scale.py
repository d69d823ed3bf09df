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
    for t in truth_array(truth, "series"):
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


# truth.json's messages field → the ``messages`` column; ``(posts)``: posts only
MESSAGE_FIELDS = {
    "lists": "lists",
    "from_email": "from_email",
    "date": "date",
    "date_source": "date_source",
    "thread_root": "thread_id",
    "is_reply": "is_reply",
    "is_patch": "is_patch",
    "is_cover": "is_cover",
    "has_diff": "has_diff",
    "files": "files",
    "lines_added": "lines_added",
    "lines_removed": "lines_removed",
    "series (posts)": "series_id",
    "patch_counter (posts)": "patch_counter",
    "first_response_at (posts)": "first_response_at",
}


def truth_array(path: Path, name: str) -> Iterator[dict[str, Any]]:
    """One of truth.json's record-per-line arrays (``series``, ``messages``)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.rstrip().endswith(f'"{name}":['):
                break
        for line in f:
            if line.startswith("]"):
                return
            yield json.loads(line.rstrip().rstrip(","))


def compare_messages(truth: Path, db: Path) -> tuple[int, Counter[str], dict[str, list]]:
    """Every planted message with a Message-ID against its ``messages`` row (and, for a
    patch or cover letter, its ``posts`` row)."""
    cols = [c for c in dict.fromkeys(MESSAGE_FIELDS.values()) if c != "first_response_at"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        ours = {r[0]: dict(zip(["message_id", *cols], r, strict=True)) for r in con.execute(
            f"SELECT message_id, {', '.join(cols)} FROM messages").fetchall()}
        for mid, at in con.execute("SELECT message_id, first_response_at FROM posts").fetchall():
            if mid in ours:
                ours[mid]["first_response_at"] = at
    finally:
        con.close()
    wrong: Counter[str] = Counter()
    examples: dict[str, list] = defaultdict(list)
    n = 0
    seen: set[str] = set()
    for t in truth_array(truth, "messages"):
        if t["message_id"] is None or t["message_id"] in seen:
            # the mail planted without a Message-ID (a synthetic id here), and the second
            # mail planted with an earlier one's Message-ID (stored as a copy of it)
            continue
        seen.add(t["message_id"])
        n += 1
        o = ours.get(t["message_id"])
        if o is None:
            wrong["(message missing)"] += 1
            continue
        is_post = t["is_patch"] or t["is_cover"]
        for tk, col in MESSAGE_FIELDS.items():
            name = tk.split(" ")[0]
            if tk.endswith("(posts)") and not is_post:
                continue
            want = sorted(t[name]) if isinstance(t[name], list) else t[name]
            got = as_truth(o.get(col))
            if want != got:
                wrong[name] += 1
                if len(examples[name]) < 3:
                    examples[name].append((t["message_id"], want, got))
    return n, wrong, examples


def compare_people(truth: Path, db: Path) -> tuple[int, Counter[str], dict[str, list]]:
    """Identities: the addresses each planted person used are one lorelens person, and
    that person holds no address of another planted person."""
    head = truth.open(encoding="utf-8").read(1 << 24)
    at = head.index('"people":') + len('"people":')
    people, _end = json.JSONDecoder().raw_decode(head, at)
    con = duckdb.connect(str(db), read_only=True)
    try:
        person_of = dict(con.execute("SELECT email, person_id FROM person_addresses").fetchall())
    finally:
        con.close()
    wrong: Counter[str] = Counter()
    examples: dict[str, list] = defaultdict(list)
    owner: dict[str, str] = {}
    for p in people:
        found = {person_of.get(a) for a in p["addresses_used"]}
        if None in found:
            wrong["address not in person_addresses"] += 1
            found.discard(None)
        if len(found) > 1:
            wrong["one person split"] += 1
            if len(examples["one person split"]) < 3:
                examples["one person split"].append((p["id"], sorted(found)))
        for pid in found:
            if pid in owner and owner[pid] != p["id"]:
                wrong["two persons merged"] += 1
                if len(examples["two persons merged"]) < 3:
                    examples["two persons merged"].append((pid, owner[pid], p["id"]))
            owner[pid] = p["id"]
    return len(people), wrong, examples


def report(what: str, wrong: Counter[str], examples: dict[str, list]) -> None:
    print(f"{what}: "
          + (", ".join(f"{k} {v:,} wrong" for k, v in wrong.items()) or "all agree"))
    for field, rows in examples.items():
        for row in rows:
            print(f"  {field}: {row}")


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
        report(f"{n:,} planted series, {len(FIELDS)} fields each, and the totals",
               wrong, examples)
        n, wrong, examples = compare_messages(truth, db)
        report(f"{n:,} planted messages, {len(MESSAGE_FIELDS)} fields each", wrong, examples)
        n, wrong, examples = compare_people(truth, db)
        report(f"{n:,} planted persons (identities)", wrong, examples)
    finally:
        if a.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
