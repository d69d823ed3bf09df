"""A small kernel-like git tree: the files of the sample MAINTAINERS with planted
last-change dates (some stale for years, some busy), plus one commit per patch of the
applied series (same subject and author, committed by the maintainer who applied it)."""

from __future__ import annotations

import calendar
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.maintainers import all_sample_files
from corpus.render import iso
from corpus.writers import GIT_ENV, init_bare

if TYPE_CHECKING:
    from corpus.model import Person
    from corpus.thread import SeriesBuild


def _ts(date: str) -> int:
    y, m, d = (int(x) for x in date.split("-"))
    return calendar.timegm((y, m, d, 12, 0, 0, 0, 0, 0))


#: Planted history before the corpus period: (date, files touched, subject).
HISTORY: tuple[tuple[str, tuple[str, ...] | None, str], ...] = (
    ("2015-03-02", None, "Initial import of the frob and widget subsystems"),
    ("2016-05-03", ("drivers/frob/legacy/frob-pcmcia.c",), "frob: legacy: pcmcia: fix probe"),
    ("2017-09-12", ("drivers/frob/legacy/frob-isa.c",), "frob: legacy: isa: use ioremap"),
    ("2019-11-20", ("drivers/widget/gpio-acme.c",), "widget: gpio: acme: add wakeup support"),
    ("2021-02-14", ("arch/arm64/boot/dts/acme/acme-w100.dts",), "arm64: dts: acme: add w100"),
    (
        "2023-02-01",
        ("rust/kernel/frob/mod.rs", "rust/kernel/frob/device.rs"),
        "rust: frob: add safe abstractions",
    ),
    (
        "2023-08-30",
        ("Documentation/frob/index.rst", "Documentation/widget/overview.rst"),
        "docs: frob, widget: convert to ReST",
    ),
)
TREE_AUTHOR = "Evelyn Treadwell <treadwell@kernel.org>"


#: (author time, committer time, author, committer, subject, files) of one commit
TreeCommit = tuple[int, int, str, str, str, tuple[str, ...]]


def applied_commits(b: SeriesBuild, people: dict[str, Person]) -> list[TreeCommit]:
    """The kernel-tree commits of an applied series, one per patch (plain tuples, so that
    a shard planned in another process can hand them over cheaply)."""
    assert b.applied_at is not None and b.applied_by is not None
    m = people[b.applied_by]
    committer = f"{m.name} <{m.addresses[0]}>"
    return [
        (
            p.date_ts,
            b.applied_at,
            f"{b.author.name} <{p.addr}>",
            committer,
            p.subject.split("] ", 1)[1],
            p.patch.files,
        )
        for p in b.posts
        if p.kind == "patch" and p.patch is not None
    ]


def write_kernel_tree(git_dir: Path, maintainers: str, applied: list[TreeCommit]) -> dict:
    """Write the tree; return {path: last-change iso time (committer date)}."""
    init_bare(git_dir, description="kernel-like tree of the lorelens sample")
    files = all_sample_files()
    content = {f: f"// SPDX-License-Identifier: GPL-2.0\n/* {f} */\n" for f in files}
    last: dict[str, int] = {}
    commits: list[TreeCommit] = []
    for date, touched, subject in HISTORY:
        t = _ts(date)
        commits.append(
            (t, t, TREE_AUTHOR, TREE_AUTHOR, subject, touched or (*files, "MAINTAINERS"))
        )
    commits.extend(applied)
    commits.sort(key=lambda c: (c[1], c[0], c[4]))
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
        env=GIT_ENV,
    )
    assert proc.stdin is not None
    w = proc.stdin.write
    for n, (at, ct, author, committer, subject, touched) in enumerate(commits):
        msg = f"{subject}\n".encode()
        w(
            f"commit refs/heads/master\nauthor {author} {at} +0000\n"
            f"committer {committer} {ct} +0000\ndata {len(msg)}\n".encode()
            + msg
        )
        for f in touched:
            if f == "MAINTAINERS":
                data = maintainers.encode()
            else:
                content[f] += f"/* {n}: {subject} */\n"
                data = content[f].encode()
            w(f"M 100644 inline {f}\ndata {len(data)}\n".encode() + data + b"\n")
            last[f] = ct
        w(b"\n")
    w(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed for the kernel tree")
    return {f: iso(t) for f, t in sorted(last.items())}
