"""Applied evidence from a kernel git tree: a posted patch committed there.

A commit counts for the latest posting before it that carries the patch: the same
normalised subject and author, or the same git patch-id (``patch_ids`` keeps the ids of
posted diffs across runs). Used by the series stage when a kernel tree is set.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from ingest.enrich.context import Context
from ingest.enrich.records import Message
from ingest.enrich.series import Series, normalise_subject
from ingest.load.database import registered
from ingest.load.enrichment import replace_rows
from ingest.sources.kernel_tree import TreeCommit, tree_commits
from ingest.sources.patchid import mail_patch_ids, tree_patch_ids


def tree_evidence(
    ctx: Context, series: dict[str, Series], by_id: dict[str, Message]
) -> dict[str, tuple[dt.datetime, str | None, str]]:
    """Series with a patch committed to the given kernel tree after the posting: the same
    normalised subject and the same author (address or person), or the same git
    patch-id (the same change, whatever the subject or author became). Returns, per
    series, the earliest such commit's time, committer and a notice naming the commit."""
    trees = ctx.inputs("kernel-git")
    if not trees or not series:
        return {}
    repo = Path(trees[-1][0])
    start = min((s.posted_at for s in series.values() if s.posted_at), default=None)
    since = start - dt.timedelta(days=1) if start else None
    index: dict[str, list[TreeCommit]] = defaultdict(list)
    commits: dict[str, TreeCommit] = {}
    for c in tree_commits(repo, since):
        index[normalise_subject(c.subject)].append(c)
        commits[c.sha] = c
    patch_mids = [mid for s in series.values() for mid in s.patch_ids]
    pid_of = _patch_ids_of(ctx, patch_mids)
    paths = {f for mid in patch_mids for f in by_id[mid].files or ()}
    by_pid = tree_patch_ids(repo, since, paths) if pid_of and paths else {}
    # each commit goes to the latest posting before it that carries the patch (a v1
    # and its v2 share subjects and often diffs; the commit is v2's)
    claims: dict[str, tuple[dt.datetime, Series, str]] = {}
    for s in series.values():
        if s.posted_at is None:
            continue
        for mid in s.patch_ids:
            found_by = [
                (c, "same subject and author")
                for c in index.get(normalise_subject(by_id[mid].subject_base or ""), ())
                if c.author_email == s.author_email or ctx.person(c.author_email) == s.author
            ]
            found_by += [(commits[sha], "same patch-id")
                         for sha in by_pid.get(pid_of.get(mid, ""), ()) if sha in commits]
            for c, how in found_by:
                if c.commit_time < s.posted_at:
                    continue
                prior = claims.get(c.sha)
                if prior is None or s.posted_at > prior[0]:
                    claims[c.sha] = (s.posted_at, s, how)
    found: dict[str, tuple[dt.datetime, str | None, str]] = {}
    for sha, (_posted, s, how) in claims.items():
        c = commits[sha]
        best = found.get(s.series_id)
        if best is None or c.commit_time < best[0]:
            found[s.series_id] = (
                c.commit_time, ctx.person(c.committer_email),
                f"commit {c.sha[:12]} in {repo.name} ({how}): {c.subject}"[:200],
            )
    return found


def store_patch_ids(ctx: Context) -> None:
    """git patch-ids of the posted diffs not yet known, read back from the archives
    (``patch_ids`` keeps them across runs; NULL where a mail gave none)."""
    rows = ctx.con.execute(
        "SELECT m.message_id, arg_min(s.kind, s.run_id), arg_min(s.git_dir, s.run_id), "
        "arg_min(s.blob, s.run_id), arg_min(s.path, s.run_id), "
        "arg_min(s.byte_offset, s.run_id) "
        "FROM messages m JOIN message_sources s USING (message_id) "
        "WHERE m.has_diff AND NOT m.is_reply AND s.duplicate <> 'deleted' "
        "AND m.message_id NOT IN (SELECT message_id FROM patch_ids) GROUP BY m.message_id"
    ).fetchall()
    if not rows:
        return
    found = mail_patch_ids({r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows})
    ids = [r[0] for r in rows]
    table = pa.table({"message_id": pa.array(ids, pa.string()),
                      "patch_id": pa.array([found.get(i) for i in ids], pa.string())})
    replace_rows(ctx.con, {"patch_ids": ("message_id", ids, table)})


def _patch_ids_of(ctx: Context, message_ids: list[str]) -> dict[str, str]:
    if not message_ids:
        return {}
    table = pa.table({"i": pa.array(sorted(set(message_ids)), pa.string())})
    with registered(ctx.con, "_pid_of", table):
        return dict(ctx.con.execute(
            "SELECT message_id, patch_id FROM patch_ids WHERE patch_id IS NOT NULL "
            "AND message_id IN (SELECT i FROM _pid_of)").fetchall())
