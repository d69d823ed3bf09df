"""source → parse → load, with progress, for ``lorelens ingest``."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ingest import __version__, sources
from ingest.load import BatchCounts, Store
from ingest.model import Deletion, ParsedMessage, ParseFailure, RawMail
from ingest.parse import parse_mail
from ingest.progress import Progress
from ingest.sources.base import Item, Unit

BATCH = 1000
SMALL = 4000  # below this many mails, worker processes cost more than they save


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


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
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
        if jobs > 1:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["ingest.parse"])
            self.pool = ProcessPoolExecutor(jobs, mp_context=ctx)
            for f in [self.pool.submit(parse_items, []) for _ in range(jobs)]:
                f.result  # noqa: B018 - warm-up tasks are submitted now, awaited lazily

    def map(self, batches: Iterator[list[Item]]) -> Iterator[tuple[list[Item], Parsed]]:
        if self.pool is None:
            for batch in batches:
                yield batch, parse_items([item for item, _ in batch])
            return
        window: deque[tuple[list[Item], Future[Parsed]]] = deque()
        for batch in batches:
            window.append((batch, self.pool.submit(parse_items, [i for i, _ in batch])))
            if len(window) > self.jobs:
                b, fut = window.popleft()
                yield b, fut.result()
        while window:
            b, fut = window.popleft()
            yield b, fut.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


Parsed = tuple[list[ParsedMessage], list[ParseFailure], list[tuple[Deletion, str | None]]]


def parse_items(items: list[RawMail | Deletion]) -> Parsed:
    """Parse one batch (runs in a worker process when there are several)."""
    parsed: list[ParsedMessage] = []
    failures: list[ParseFailure] = []
    deletions: list[tuple[Deletion, str | None]] = []
    for item in items:
        if isinstance(item, Deletion):
            res = parse_mail(RawMail(item.data, item.location, None))
            deletions.append((item, res.message_id if isinstance(res, ParsedMessage) else None))
            continue
        if not item.data and item.location.commit and item.location.blob is None:
            failures.append(ParseFailure(item.location, "commit holds neither m nor d", 0))
            continue
        res = parse_mail(item)
        if isinstance(res, ParseFailure):
            failures.append(res)
        else:
            parsed.append(res)
    return parsed, failures, deletions


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
    after_load: Callable[[Store, BatchCounts], None] | None = None,
) -> RunSummary:
    """Ingest every source into ``db``; resumable, idempotent, one transaction per batch."""
    keys = [sources.source_key(s) for s in specs]
    for spec in specs:
        sources.detect(spec)  # fail fast, before anything is written
    store = Store(db)
    parser: Parser | None = None
    try:
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
                jobs = os.cpu_count() or 1
            parser = Parser(jobs if total > SMALL else 1)
            with Progress(total, enabled=show_progress) as bar:
                for unit in plans:
                    bar.describe(unit.description or unit.source)
                    for batch, res in parser.map(_batches(unit.read(), batch_size)):
                        parsed, failures, deletions = res
                        marker = batch[-1][1]
                        summary.counts.add(
                            store.write_batch(run_id, unit, parsed, failures, deletions, marker)
                        )
                        bar.advance(len(batch))
            if after_load is not None:
                after_load(store, summary.counts)
        except KeyboardInterrupt:
            summary.status = "interrupted"
            raise
        except BaseException:
            summary.status = "failed"
            raise
        finally:
            summary.seconds = time.perf_counter() - started
            store.finish_run(run_id, summary.counts, summary.seconds, summary.status)
        return summary
    finally:
        if parser is not None:
            parser.close()
        store.close()
