"""source → parse → load, with progress, for ``lorelens ingest``."""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeVar

import duckdb

from core import __version__, snapshot
from core.errors import WorkerError, disk_full
from ingest import sources
from ingest.batch import Parsed, fetch_and_parse, parse_items
from ingest.load import BatchCounts, BatchWriter, Database
from ingest.progress import Progress
from ingest.sources.base import Unit
from ingest.sources.gitstream import all_commits
from ingest.workers import WorkerPool

T = TypeVar("T")
BATCH = 1000
SMALL = 4000  # below this many mails, worker processes cost more than they save
# ingest appends in batches and needs little working memory; a cap keeps the resident
# size flat however large the archive (DuckDB spills beyond it; docs/guide.md)
MEMORY_LIMIT = "256MB"


@dataclass
class RunSummary:
    run_id: int
    db: Path
    sources: list[str]
    counts: BatchCounts = field(default_factory=BatchCounts)
    seconds: float = 0.0
    status: str = "ok"

    @property
    def rate(self) -> float:
        return self.counts.read / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        c = self.counts
        return (
            f"ingested {c.read:,} mails in {self.seconds:.1f}s ({self.rate:,.0f}/s): "
            f"{c.new:,} new, {c.cross_posted:,} cross-posted copies, "
            f"{c.duplicate:,} duplicate, {c.failed:,} failed, "
            f"{c.deleted:,} deleted → {self.db}"
        )


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch


class Parser:
    """Parses batches in order, in worker processes when ``jobs`` > 1.

    Git streaming runs in its own process and the database load in this one, so on a
    two-core machine two parse workers keep both cores busy. At most ``jobs + 1``
    batches are in flight, which bounds memory whatever the archive size.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self._workers: WorkerPool | None = None
        if jobs > 1:
            self._workers = WorkerPool(jobs)
            self.pool = self._workers.executor
            try:
                # start the workers now (they import b4 and friends) while git lists
                # commits
                self._warm_up = [self._workers.submit(parse_items, []) for _ in range(jobs)]
            except BaseException:  # stopped meanwhile: no caller holds this to close it
                self._workers.close()
                raise

    def map_unit(self, unit: Unit, size: int) -> Iterator[tuple[int, str | None, Parsed]]:
        """``(items read, progress marker, parsed batch)`` for each batch, in order.

        With workers and a git source, the workers fetch the blobs themselves: this
        process only lists commits and writes the database, so no mail crosses a pipe
        twice.
        """
        tasks: Iterator[tuple[int, str | None, Callable[..., Parsed], tuple]]
        workers = self._workers
        if workers is not None and unit.refs is not None and unit.fetch is not None:
            fetch = unit.fetch
            tasks = ((len(b), b[-1][0], fetch_and_parse, (fetch, b))
                     for b in _chunks(unit.refs(), size))
        else:
            tasks = ((len(b), b[-1][1], parse_items, ([i for i, _ in b],))
                     for b in _chunks(unit.read(), size))
        if workers is None:
            for n, marker, fn, args in tasks:
                yield n, marker, fn(*args)
            return
        window: deque[tuple[int, str | None, Future[Parsed]]] = deque()
        try:
            for n, marker, fn, args in tasks:
                window.append((n, marker, workers.submit(fn, *args)))
                if len(window) > self.jobs:
                    n0, m0, fut = window.popleft()
                    yield n0, m0, fut.result()
            while window:
                n0, m0, fut = window.popleft()
                yield n0, m0, fut.result()
        except BrokenProcessPool as exc:
            raise WorkerError(
                "a parser process died (killed, or out of memory?); what was committed "
                "is kept: run again to resume (-j 1 parses in this process)") from exc

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()


def _finish(store: Database, run_id: int, summary: RunSummary) -> None:
    """Record how the run ended. When it failed because DuckDB invalidated the database
    (a full disk while it checkpointed), nothing more can be written: the run's row then
    stays 'running', which `lorelens status` and the next ingest show as interrupted (no
    run can still be writing once the file opens), and the error that ended the run is
    the one reported, not this one."""
    try:
        store.finish_run(run_id, summary.counts, summary.seconds, summary.status)
    except duckdb.Error:
        if summary.status == "ok":
            raise


def ingest(
    specs: Sequence[str],
    db: Path,
    *,
    mirrors: Path,
    label: str | None = None,
    show_progress: bool = True,
    log: Callable[[str], None] = lambda _m: None,
    batch_size: int = BATCH,
    jobs: int | None = None,
    after_load: Callable[[Database, BatchCounts], object] | None = None,  # result ignored
    publish: bool = True,
    stopped: Callable[[], bool] = lambda: False,
) -> RunSummary:
    """Ingest every source into ``db``; resumable, idempotent, one transaction per batch.

    A mirror folder among ``specs`` stands for every inbox in it (``sources.expand``).
    When it succeeds (and ``publish``), the result is published as a read snapshot
    (:mod:`core.snapshot`). ``stopped`` says whether the command has been told to stop
    (SIGTERM, Ctrl-C): the run is then recorded as interrupted, even when a library
    reported the stop as an error of its own (DuckDB's "Query interrupted").
    """
    specs = sources.expand(specs, label, log)
    keys = [sources.source_key(s) for s in specs]
    for spec in specs:
        sources.detect(spec)  # fail fast, before anything is written
    fresh = not db.exists()
    new_dirs = [d for d in db.parents if not d.exists()]  # innermost first
    store = Database(db)
    parser: Parser | None = None
    stored_nothing = False
    try:
        store.set_memory_limit(MEMORY_LIMIT)
        writer = BatchWriter(store.con)
        run_id = store.start_run(keys, __version__)
        summary = RunSummary(run_id, db, keys)
        started = time.perf_counter()
        try:
            plans: list[Unit] = []
            for spec, key in zip(specs, keys, strict=True):
                units = sources.plan(spec, store.state(key), label=label, mirrors=mirrors, log=log)
                for u in units:
                    if u.rescan:
                        log(f"{u.source} {u.description}: last seen commit is gone, rereading")
                plans.extend(units)
            total = sum(u.total for u in plans)
            if jobs is None:
                # each worker holds b4 and friends (~100 MB): more than four buys little
                jobs = min(os.cpu_count() or 1, 4)
            parser = Parser(jobs if total > SMALL else 1)
            with Progress(total, enabled=show_progress) as bar:
                for unit in plans:
                    bar.describe(unit.description or unit.source)
                    # an epoch whose history was rewritten (public-inbox-purge or -edit):
                    # copies whose commits are gone go first; what the rescan does not
                    # bring back was purged
                    pruned = (
                        writer.prune_vanished(unit, all_commits(unit.git_dir))
                        if unit.rescan and unit.git_dir is not None else set()
                    )
                    for n, marker, (parsed, failures, deletions) in parser.map_unit(
                        unit, batch_size
                    ):
                        summary.counts.add(
                            writer.write_batch(run_id, unit, parsed, failures, deletions, marker)
                        )
                        bar.advance(n)
                    if pruned:
                        summary.counts.deleted += writer.record_purged(run_id, unit, pruned)
            if after_load is not None:
                after_load(store, summary.counts)
        except KeyboardInterrupt:
            summary.status = "interrupted"
            raise
        except BaseException as exc:
            if stopped():
                summary.status = "interrupted"
                raise
            summary.status = "failed"
            stored_nothing = summary.counts.read == 0
            if full := disk_full(exc, db):
                raise full from exc
            raise
        finally:
            summary.seconds = time.perf_counter() - started
            _finish(store, run_id, summary)
        if publish:
            snapshot.publish(store.con, db)
        return summary
    finally:
        if parser is not None:
            parser.close()
        store.close()
        if fresh and stored_nothing:
            # a first run that failed before storing anything (an unreachable URL, a
            # source that cannot be read) leaves no empty database behind
            for path in (db, db.with_name(db.name + ".wal")):
                path.unlink(missing_ok=True)
            for folder in new_dirs:
                with contextlib.suppress(OSError):  # only while empty
                    folder.rmdir()
