"""The main job: a sample (offline) or a lore inbox (online) ingested and enriched.

It lives beside the generator, not in ingest/, so that the import runs one way: this
module uses both, ingest never imports corpus."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from core import snapshot
from ingest.enrich.inputs import set_maintainers, set_org_inputs
from ingest.enrich.stages import run_stages
from ingest.load import Database
from ingest.pipeline import ingest

SEED = 42


def _sample(out: Path, scale: int, echo: Callable[[str], None]) -> None:
    """Write the offline sample unless the same one is already there."""
    from corpus.api import write_sample
    from corpus.truthjson import read_head

    truth = out / "truth.json"
    if truth.exists():
        with contextlib.suppress(ValueError):  # not one of ours: written anew
            head = read_head(truth)
            if head.get("seed") == SEED and head.get("scale") == scale:
                echo(f"using the sample in {out}")
                return
    echo(f"writing a sample of about {scale:,} messages to {out} (seed {SEED})")
    write_sample(out, seed=SEED, scale=scale, formats=("v2",))


def run_demo(
    db: Path,
    *,
    url: str | None = None,
    maintainers: Path | None = None,
    scale: int = 20000,
    echo: Callable[[str], None] = print,
    stopped: Callable[[], bool] = lambda: False,
) -> None:
    """Build ``db`` from the offline sample (or the inbox at ``url``) and enrich it;
    ``stopped`` says whether the command has been told to stop, as for an ingest."""
    mirrors = db.parent / "mirrors"
    if url:
        summary = ingest([url], db, mirrors=mirrors, log=echo, publish=False,
                         stopped=stopped)
        maint, maps = maintainers, []
    else:
        out = db.parent / "sample"
        _sample(out, scale, echo)
        inboxes = sorted(str(p) for p in (out / "inbox").iterdir() if p.is_dir())
        summary = ingest(inboxes, db, mirrors=mirrors, log=echo, publish=False,
                         stopped=stopped)
        maint, maps = out / "MAINTAINERS", [out / "domain-map"]
    echo(summary.line())
    store = Database(db)
    try:
        if maint is not None:
            loaded = set_maintainers(store.con, maint)
            echo(f"MAINTAINERS: {loaded.detail} from {loaded.origin}")
        if maps:
            set_org_inputs(store.con, domain_maps=maps)
        run_stages(store.con, echo)
        snapshot.publish(store.con, db)
    finally:
        store.close()
    # the command as the user can type it: on PATH, or the script that is running
    cmd = "lorelens" if shutil.which("lorelens") else os.path.relpath(sys.argv[0])
    echo("")
    echo(f"Done. The database is {db}. Try:")
    echo(f"  {cmd} status --db {db}")
    echo(f"  {cmd} report series_outcomes --db {db}")
    echo(f"  {cmd} sql \"SELECT outcome, count(*) FROM series GROUP BY ALL\" --db {db}")
