"""The fork server that parser processes are forked from.

Parser processes need b4, pyarrow and the parsing code (~0.6 s of imports). They are
forked from one server process that imports them once. For a first ingest (a whole
archive) the command calls :func:`start_server` before anything else, so the server's
imports run on the other core while this process imports DuckDB and lists the
archive's commits, instead of one after the other; otherwise the pipeline starts it when
an ingest turns out large enough for workers. Kept in a module of its own that imports
nothing heavy, so the command can call it first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

# "__main__": the calling script (the lorelens command) is imported once in the fork
# server instead of once in every worker
PRELOAD = ["__main__", "ingest.batch", "ingest.parse", "ingest.sources.public_inbox"]


@contextmanager
def _safe_path() -> Iterator[None]:
    """While the fork server starts: a fresh interpreter run as ``python -c``, which
    would put the current directory first on its module path, so that a folder holding
    another ``ingest/`` (an older checkout, say) would be what the workers run.
    ``PYTHONSAFEPATH`` (Python ≥ 3.11) leaves it out."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


def start_server() -> BaseContext:
    """Start the fork server now (a no-op when it runs) and return its context.

    Returns at once: the server imports in the background, and the first worker waits
    only for what is left of that. Started early, it is unused when the ingest turns out
    too small for workers: ~0.6 s of CPU on the other core, and the command's output
    stays open until its imports are done (it exits with this process).
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    with _safe_path():
        forkserver.ensure_running()
    return ctx
