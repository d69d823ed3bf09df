"""``write_sample``: the one entry point (``lorelens sample`` calls it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from core.errors import ConfigError
from corpus import maintainers as mt
from corpus.model import LISTS, Mail, SampleSummary, list_address
from corpus.people import domain_map
from corpus.scenario import SHARDS, Scenario
from corpus.shards import ShardRun
from corpus.truth import Truth
from corpus.writers import Copy, Maildir, Mbox, V1Repo, V2Inbox

FORMATS = ("v2", "v1", "mbox", "maildir")
EPOCH_SIZE = 50_000


class SampleError(ConfigError, ValueError):
    """Bad arguments to ``write_sample`` (unknown format, scale too small, …): the CLI
    prints it as one line."""


def first_epoch_size(scale: int) -> int:
    """From scale 2000 on, the first epoch is cut short so that multi-epoch code runs."""
    return min(EPOCH_SIZE, max(300, scale // 6)) if scale >= 2000 else EPOCH_SIZE


def write_sample(
    out_dir: Path,
    seed: int = 42,
    scale: int = 500,
    formats: Sequence[str] = ("v2",),
    git_tree: bool = False,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = True,
) -> SampleSummary:
    """Write the seeded sample corpus under ``out_dir`` (see docs/corpus.md).

    The same ``seed`` and ``scale`` give byte-identical files.  ``scale`` is the
    approximate number of messages; the planted cases are present at every scale.
    ``parallel`` plans the shards in forked worker processes (same bytes as without).
    """
    out_dir = Path(out_dir)
    fmts = tuple(dict.fromkeys(f.strip() for f in formats if f.strip()))
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise SampleError(f"unknown format(s) {bad or fmts}; choose from {', '.join(FORMATS)}")
    if scale < 1:
        raise SampleError("scale must be a positive number of messages")
    out_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("inbox", "v1", "mbox", "maildir", "kernel.git", ".truth-tmp"):
        if (out_dir / sub).exists():
            shutil.rmtree(out_dir / sub)

    tmp = out_dir / ".truth-tmp"
    shards = [Scenario(seed, scale, tmp, keep_applied=git_tree, shard=i) for i in range(SHARDS)]
    cast = shards[0].cast
    people = cast.people
    first_cap = first_epoch_size(scale)
    v2 = {x: V2Inbox(out_dir / "inbox" / x, x, first_cap) for x in LISTS} if "v2" in fmts else {}
    v1 = {x: V1Repo(out_dir / "v1" / f"{x}.git", x) for x in LISTS} if "v1" in fmts else {}
    md = out_dir / "mbox"
    mbox = {x: Mbox(md / f"{x}.mbox", md / f"{x}.mbox.gz") for x in LISTS} if "mbox" in fmts else {}
    mdir = {x: Maildir(out_dir / "maildir" / x) for x in LISTS} if "maildir" in fmts else {}
    truth = Truth(tmp)
    by_list = {x: (v2.get(x), v1.get(x), mbox.get(x), mdir.get(x)) for x in LISTS}
    emit, emit_deleted = truth.emit, truth.emit_deleted

    def sink(mail: Mail, is_delete: bool, copies: tuple[Copy, ...]) -> None:
        """Hand each list's copy to that list's writers, then the mail to the truth."""
        for x, copy in zip(mail.lists, copies, strict=True):
            w2, w1, wm, wd = by_list[x]
            if is_delete:
                if w2 is not None:
                    w2.delete(copy, mail)
                continue
            if w2 is not None:
                w2.add(copy, mail)
            if mail.deleted_at is not None:
                continue  # removed again: only the v2 history keeps it
            if w1 is not None:
                w1.add(copy, mail)
            if wm is not None:
                wm.add(copy, mail)
            if wd is not None:
                wd.add(copy, mail)
        if is_delete:
            return
        if mail.deleted_at is not None:
            emit_deleted(mail)
        else:
            emit(mail, copies[0][0])

    run = ShardRun(shards, parallel, git="v2" in fmts or "v1" in fmts)
    step = max(1, scale // 100)
    done = 0
    for _, _, kind, mail, copies in run.events():
        sink(mail, kind == 1, copies)
        done += 1
        if progress is not None and done % step == 0:
            progress(done, scale)
    if progress is not None:
        progress(done, done)
    applied = []
    for state, commits in run.handovers:
        truth.absorb(state)
        applied.extend(commits)
    epochs = {x: w.close() for x, w in v2.items()}
    writers: tuple[V1Repo | Mbox | Maildir, ...] = (*v1.values(), *mbox.values(), *mdir.values())
    for w in writers:
        w.close()

    maint_text = mt.render(people)
    (out_dir / "MAINTAINERS").write_text(maint_text, encoding="utf-8")
    (out_dir / "domain-map").write_text(domain_map(cast), encoding="utf-8")
    files: dict[str, str] = {}
    kernel = None
    if git_tree:
        from corpus.gittree import write_kernel_tree

        kernel = out_dir / "kernel.git"
        files = write_kernel_tree(kernel, maint_text, applied)
    head = {
        "generator": "lorelens corpus",
        "seed": seed,
        "scale": scale,
        "period": {"start": "2024-01-01T00:00:00Z", "end": "2025-01-01T00:00:00Z"},
        "corpus_end": "2025-01-01T00:00:00Z",
        "ignored_after_days": 30,
        "newcomer_since": "2024-07-01T00:00:00Z",
        "lists": [list_address(x) for x in LISTS],
        "formats": list(fmts),
        "epochs": epochs,
    }
    tail = {
        "files": [
            {"path": f, "last_change": t, "subsystems": list(mt.sections_for_file(f))}
            for f, t in files.items()
        ]
    }
    truth_path = out_dir / "truth.json"
    truth.write(truth_path, head, people, tail)
    t = truth.totals
    return SampleSummary(
        out_dir=out_dir,
        seed=seed,
        scale=scale,
        formats=fmts,
        inboxes={x: out_dir / "inbox" / x for x in v2},
        v1_repos={x: out_dir / "v1" / f"{x}.git" for x in v1},
        mboxes={x: out_dir / "mbox" / f"{x}.mbox" for x in mbox},
        maildirs={x: out_dir / "maildir" / x for x in mdir},
        maintainers=out_dir / "MAINTAINERS",
        domain_map=out_dir / "domain-map",
        truth=truth_path,
        kernel_git=kernel,
        messages=t["messages"],
        threads=t["threads"],
        series=t["series"],
        patches=t["patches"],
        epochs=epochs,
    )
