"""How much of a real archive the organisation rules attribute, measured through
lorelens itself (not a test).

Ingests each public-inbox archive into a database of its own (all into one with
``--combined``), gives it the gitdm maps as ``lorelens orgs --domain-map`` does, enriches
it, and prints the product's ``org_coverage`` report (the figures `lorelens orgs`
prints), then, to see where the rules could do better, messages by organisation kind
and by rule (the first word of ``message_authors.org_reason``) and the top unknown
domains, from the same tables.

    .venv/bin/python bench/org_coverage.py                      # the two shared archives
    .venv/bin/python bench/org_coverage.py ARCHIVE.git ... --map FILE ... [--combined]
    .venv/bin/python bench/org_coverage.py --keep DIR           # keep (and reuse) the databases
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.db import run_query
from analytics.reports import run_report
from core.database import connect_readonly
from ingest.enrich.inputs import set_org_inputs
from ingest.enrich.stages import enrich
from ingest.load import Database
from ingest.pipeline import ingest

# the shared data: ../shared beside the checkout, or $LORELENS_SHARED
SHARED = Path(os.environ.get(
    "LORELENS_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data"
DEFAULT_ARCHIVES = [
    SHARED / "archives/linux-watchdog.vger.kernel.org.0.git",
    SHARED / "archives/live-patching.vger.kernel.org.0.git",
]
# newest first: the first map that knows a domain decides it (after the built-in one)
DEFAULT_MAPS = [
    SHARED / "gitdm/cncf-domain-map",
    SHARED / "gitdm/ossystems-meta-freescale-domain-to-employer",
    SHARED / "gitdm/lwn-sample-domain-map",
]
# details of the messages the report counts (bots left out), for tuning the rules
BY_KIND = """
SELECT org_kind, count(*) AS n FROM message_authors WHERE NOT is_bot
GROUP BY ALL ORDER BY n DESC, org_kind"""
BY_RULE = """
SELECT split_part(org_reason, ':', 1) AS rule, count(*) AS n FROM message_authors
WHERE NOT is_bot GROUP BY ALL ORDER BY n DESC, rule"""
UNKNOWN_DOMAINS = """
SELECT m.from_domain, count(*) AS n
FROM message_authors ma JOIN messages m USING (message_id)
WHERE NOT ma.is_bot AND ma.org_kind = 'unknown'
GROUP BY ALL ORDER BY n DESC, m.from_domain LIMIT 30"""


def build(db: Path, archives: list[Path], maps: list[Path]) -> None:
    """Ingest ``archives`` into ``db`` (only what is new), set the maps, enrich."""
    ingest([str(a) for a in archives], db, mirrors=db.parent / "mirrors", show_progress=False)
    store = Database(db)
    try:
        set_org_inputs(store.con, domain_maps=maps)
        enrich(store.con)
    finally:
        store.close()


def report(title: str, db: Path) -> None:
    con = connect_readonly(db)
    try:
        print(f"\n== {title}")
        for r in run_report(con, "org_coverage").records():
            pct = "n/a" if r["known_pct"] is None else f"{r['known_pct']}%"
            print(f"{r['population']}: {r['known']:,}/{r['total']:,} = {pct} known kind")
        kinds = run_query(con, BY_KIND).rows
        total = sum(n for _, n in kinds)
        print("messages by kind:", ", ".join(f"{k} {n:,} ({n / total:.1%})" for k, n in kinds))
        print("messages by rule:")
        for rule, n in run_query(con, BY_RULE).rows:
            print(f"  {rule:18} {n:6,}  {n / total:6.1%}")
        print("top unknown domains (messages):")
        print("  " + "  ".join(f"{d}:{n}" for d, n in run_query(con, UNKNOWN_DOMAINS).rows))
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archives", nargs="*", type=Path, default=DEFAULT_ARCHIVES)
    ap.add_argument("--map", dest="maps", action="append", type=Path,
                    help="gitdm map, highest priority first (default: the three shared maps)")
    ap.add_argument("--combined", action="store_true",
                    help="all archives in one database (identities resolved over all)")
    ap.add_argument("--keep", type=Path,
                    help="keep the databases in this folder (a later run reuses them)")
    args = ap.parse_args()
    maps = [p for p in (args.maps or DEFAULT_MAPS) if p.exists()]
    print("maps (after the built-in one):", ", ".join(p.name for p in maps))
    groups = ({"combined": args.archives} if args.combined
              else {a.name.removesuffix(".git"): [a] for a in args.archives})
    with tempfile.TemporaryDirectory(prefix="org-coverage-") as tmp:
        work = args.keep or Path(tmp)
        for name, archives in groups.items():
            db = work / f"{name}.duckdb"
            build(db, archives, maps)
            report(" + ".join(a.name for a in archives), db)


if __name__ == "__main__":
    main()
