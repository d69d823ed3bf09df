"""How much of a real archive the organisation rules attribute (not a test).

Reads the senders (and the Signed-off-by lines of patches) of public-inbox v1 archives
straight from git, runs people + orgs with the given gitdm maps and the built-in lists,
and prints coverage of messages, of distinct persons and of patch authors, the top
unknown domains and the breakdown by rule.

    .venv/bin/python bench/org_coverage.py                      # the two shared archives
    .venv/bin/python bench/org_coverage.py ARCHIVE.git ... --map FILE ... [--combined]

On these archives the commit author is the message's From and the author time its Date
(public-inbox v1 writes them so; checked on samples against the ``m`` file).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.enrich.coverage import (
    Coverage,
    message_coverage,
    patch_author_coverage,
    people_coverage,
)
from ingest.enrich.domainmap import DomainMap
from ingest.enrich.orgs import DEFAULT_MARGIN, BuiltinLists, OrgKind, OrgResolver, Signoff
from ingest.enrich.people import AddressStat, email_domain, resolve_identities

# the shared data: ../shared beside the checkout, or $LORELENS_SHARED
SHARED = Path(os.environ.get(
    "LORELENS_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data"
DEFAULT_ARCHIVES = [
    SHARED / "archives/linux-watchdog.vger.kernel.org.0.git",
    SHARED / "archives/live-patching.vger.kernel.org.0.git",
]
# newest first: the first map that knows a domain decides it
DEFAULT_MAPS = [
    SHARED / "gitdm/cncf-domain-map",
    SHARED / "gitdm/ossystems-meta-freescale-domain-to-employer",
    SHARED / "gitdm/lwn-sample-domain-map",
]
TRAILER = re.compile(
    r"^[ \t]*(Signed-off-by|Reviewed-by|Acked-by|Tested-by):[ \t]*(.*?)[ \t]*"
    r"<([^<>\s]+@[^<>\s]+)>",
    re.M | re.I,
)
PATCH = re.compile(r"^\s*\[[^\]]*PATCH", re.I)
SEP = "\x1f"

Message = tuple[str, str, datetime, bool]  # name, email, date, is_patch


def git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    cmd = ["git", "-c", "safe.directory=*", "-C", str(repo), *args]
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def read_archive(repo: Path) -> tuple[list[Message], list[Signoff]]:
    """Messages, and the trailers (Signed-off-by, Reviewed-by…) each message carries."""
    fmt = SEP.join(["%H", "%an", "%ae", "%at", "%s"])
    out = git(repo, "log", f"--format={fmt}").decode("utf-8", "replace")
    msgs, commits = [], []
    for line in out.splitlines():
        commit, name, email, ts, subject = line.split(SEP, 4)
        date = datetime.fromtimestamp(int(ts), UTC)
        is_patch = bool(PATCH.match(subject)) and not subject.lower().startswith("re:")
        msgs.append((name, email.lower(), date, is_patch))
        commits.append(commit)
    blobs = git(repo, "cat-file", "--batch", data="".join(f"{c}:m\n" for c in commits).encode())
    trailers, pos = [], 0
    for name, email, date, _ in msgs:
        header_end = blobs.index(b"\n", pos)
        size = int(blobs[pos:header_end].split()[2])
        body = blobs[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
        for kind, t_name, t_email in TRAILER.findall(body):
            trailers.append(Signoff(email, t_email.lower(), date, t_name, name, kind.capitalize()))
    return msgs, trailers


def stats_of(msgs: list[Message]) -> list[AddressStat]:
    agg: dict[tuple[str, str], list] = {}
    for name, email, date, _ in msgs:
        a = agg.setdefault((name, email), [0, date, date])
        a[0] += 1
        a[1], a[2] = min(a[1], date), max(a[2], date)
    return [AddressStat(n, e, c, f, la) for (n, e), (c, f, la) in agg.items()]


def show(label: str, cov: Coverage) -> None:
    print(
        f"{label}: {cov.known}/{cov.total} = {cov.share:.1%} non-unknown"
        f" ({cov.bots} from bots left out)"
    )


def report(title: str, msgs: list[Message], resolver: OrgResolver) -> None:
    print(f"\n== {title}: {len(msgs)} messages")
    events = [(e, d) for _, e, d, _ in msgs]
    cov = message_coverage(resolver, events)
    show("messages", cov)
    with_bots = message_coverage(resolver, events, exclude_bots=False)
    print(f"messages, bots counted as unknown: {with_bots.share:.1%}")
    print("by kind:", ", ".join(f"{k} {v} ({v / cov.total:.1%})" for k, v in cov.by_kind))
    show("distinct senders (persons, at their latest message)", people_coverage(resolver, events))
    show(
        "patch authors (persons)",
        patch_author_coverage(resolver, [(e, d) for _, e, d, p in msgs if p]),
    )
    print("by rule (messages):")
    for rule, c in cov.by_rule:
        print(f"  {rule:18} {c:6}  {c / cov.total:6.1%}")
    unknown = Counter(
        email_domain(e)
        for e, d in events
        if resolver.attribute(e, d).kind is OrgKind.UNKNOWN
        and resolver.attribute(e, d).reason != "bot"
    )
    print("top unknown domains (messages):")
    print("  " + "  ".join(f"{d}:{c}" for d, c in unknown.most_common(30)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archives", nargs="*", type=Path, default=DEFAULT_ARCHIVES)
    ap.add_argument(
        "--map",
        dest="maps",
        action="append",
        type=Path,
        help="gitdm map, highest priority first (default: the three shared maps)",
    )
    ap.add_argument(
        "--builtin-last",
        action="store_true",
        help="let the given maps win over the built-in map (default: built-in first)",
    )
    ap.add_argument(
        "--margin-days",
        type=int,
        default=DEFAULT_MARGIN.days,
        help="how far around an address's use its evidence reaches (rule 5, 6)",
    )
    ap.add_argument(
        "--combined",
        action="store_true",
        help="resolve identities over all archives together (as one database would)",
    )
    args = ap.parse_args()

    lists = BuiltinLists.load()
    given = [DomainMap.from_file(p) for p in (args.maps or DEFAULT_MAPS) if p.exists()]
    maps = [*given, lists.domain_map] if args.builtin_last else [lists.domain_map, *given]
    print("maps (priority order):", ", ".join(s for m in maps for s in m.sources))

    data = {repo.name: read_archive(repo) for repo in args.archives}
    groups = (
        {
            "combined: " + " + ".join(data): (
                [m for ms, _ in data.values() for m in ms],
                [s for _, ss in data.values() for s in ss],
            )
        }
        if args.combined
        else data
    )
    for title, (msgs, signoffs) in groups.items():
        stats = stats_of(msgs)
        identities = resolve_identities(stats)
        resolver = OrgResolver(
            maps,
            identities=identities,
            stats=stats,
            signoffs=signoffs,
            lists=lists,
            builtin_map=False,
            margin=timedelta(days=args.margin_days),
        )
        print(
            f"\n{title}: {len(signoffs)} trailer lines,"
            f" {len(identities.people)} persons from {len(stats)} name/address pairs"
        )
        report(title, msgs, resolver)
        if args.combined:  # per archive too, with the combined identities
            for repo, (ms, _) in data.items():
                report(f"{repo} (combined identities)", ms, resolver)


if __name__ == "__main__":
    main()
