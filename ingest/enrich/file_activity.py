"""File activity: when each file last changed in the kernel git tree, and which
MAINTAINERS sections it belongs to (docs/metrics.md, "Staleness").

One row per path that the tree's history or a posted patch names. The tree's history is
read with one ``git log --name-only`` pass; the next run reads only the commits after the
HEAD it stopped at (when that commit is still an ancestor of HEAD, else everything again).
The sections are recomputed every run from the stored MAINTAINERS.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from core.errors import LorelensError
from ingest.enrich.context import Context
from ingest.load.database import now_utc
from ingest.load.enrichment import replace_tables
from ingest.sources.kernel_tree import check_repo, file_changes, is_ancestor

_SCHEMA = pa.schema([("path", pa.string()), ("subsystems", pa.list_(pa.string())),
                     ("last_commit_at", pa.timestamp("us", "UTC")), ("commits", pa.int32())])


def file_activity_stage(ctx: Context) -> str:
    """Rebuild ``file_activity``: the tree's history (only the new commits when the last
    pass's HEAD is still an ancestor) and every posted path, each with its sections."""
    con = ctx.con
    old = {p: (t, n) for p, t, n in con.execute(
        "SELECT path, last_commit_at, commits FROM file_activity "
        "WHERE last_commit_at IS NOT NULL").fetchall()}
    trees = ctx.inputs("kernel-git")
    note = "no kernel tree (lorelens enrich --kernel-git REPO): staleness from the lists"
    source: list[dict] = []
    activity: dict[str, tuple[dt.datetime, int]] = {}
    if trees:
        repo = Path(trees[-1][0])
        try:
            activity, note, head = _read_tree(con, repo, old)
            source = [{"repo": str(repo), "head": head, "updated_at": now_utc()}]
        except LorelensError as exc:
            activity, note = old, f"kernel tree unreadable ({exc}): file activity kept"
            source = [dict(zip(("repo", "head", "updated_at"), r, strict=True)) for r in
                      con.execute("SELECT repo, head, updated_at FROM file_activity_source")
                      .fetchall()]
    posted = [p for (p,) in con.execute(
        "SELECT DISTINCT unnest(files) FROM messages WHERE is_patch").fetchall()]
    paths = sorted(set(activity) | set(posted))
    rows = {
        "path": paths,
        "subsystems": [list(ctx.sections_for_files([p])) or None for p in paths],
        "last_commit_at": [activity[p][0] if p in activity else None for p in paths],
        "commits": [activity[p][1] if p in activity else None for p in paths],
    }
    replace_tables(con, {
        "file_activity": pa.table(rows, schema=_SCHEMA),
        "file_activity_source": pa.Table.from_pylist(source) if source else pa.table({}),
    })
    return f"{len(paths):,} paths, {len(activity):,} with tree history; {note}"


def _read_tree(con: duckdb.DuckDBPyConnection, repo: Path, old: dict[str, tuple[dt.datetime, int]]
               ) -> tuple[dict[str, tuple[dt.datetime, int]], str, str]:
    """(path -> (last commit time, commits), a note, HEAD) after reading what is new."""
    head = check_repo(repo)
    before = con.execute("SELECT repo, head FROM file_activity_source").fetchall()
    after = None
    if before and before[0][0] == str(repo) and is_ancestor(repo, before[0][1]):
        after = before[0][1]
    activity = dict(old) if after is not None else {}
    n = 0
    if after != head:
        for when, touched in file_changes(repo, after):
            n += 1
            for p in touched:
                last, count = activity.get(p, (when, 0))
                activity[p] = (max(last, when), count + 1)
    how = f"{n:,} commits read since {after[:12]}" if after else f"{n:,} commits read"
    return activity, f"{how} from {repo} at {head[:12]}", head
