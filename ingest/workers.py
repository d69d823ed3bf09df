"""The fork server that parser processes are forked from.

Parser processes need b4, pyarrow and the parsing code (~0.6 s of imports). They are
forked from one server process that imports them once. For a first ingest (a whole
archive) the command calls :func:`start_server` before anything else, so the server's
imports run on the other core while this process imports DuckDB and lists the
archive's commits, instead of one after the other; otherwise the pipeline starts it when
an ingest turns out large enough for workers. Kept in a module of its own that imports
nothing heavy, so the command can call it first.

Nothing of an ingest outlives it, however it ends (docs/guide.md, "Stopping an ingest"):
the fork server and multiprocessing's resource tracker end when the last process that
uses them does; the workers, whose parent is the fork server, not the command, watch a
pipe whose only writer is the command and end when it closes, which the kernel does when
the command dies, even by ``kill -9``. None of them holds the command's stdout open, so
``lorelens ingest … | tee log`` ends with the command. A SIGTERM or Ctrl-C waits while a
parser process is being started (:func:`_stops_held`), so that the pool knows every
process it started and stops it before the command ends.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from types import FrameType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

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


@contextmanager
def _no_stdout() -> Iterator[None]:
    """While the fork server (and the resource tracker) start: stdin and stdout are
    /dev/null, so that they and the workers forked from them inherit those instead of
    the command's, which a pipe reader (``| tee``) would otherwise wait on until they
    end. Workers never print; stderr stays, so a warning of theirs is still seen."""
    if sys.stdout is not None:
        sys.stdout.flush()
    null = os.open(os.devnull, os.O_RDWR)
    saved: dict[int, int | None] = {}
    try:
        for fd in (0, 1):
            try:
                saved[fd] = os.dup(fd)
            except OSError:  # the command was started with it closed
                saved[fd] = None
            os.dup2(null, fd)
        yield
    finally:
        for fd, copy in saved.items():
            if copy is None:
                os.close(fd)
            else:
                os.dup2(copy, fd)
                os.close(copy)
        os.close(null)


def start_server() -> BaseContext:
    """Start the fork server now (a no-op when it runs) and return its context.

    Returns at once: the server imports in the background, and the first worker waits
    only for what is left of that. Started early, it is unused when the ingest turns out
    too small for workers: ~0.6 s of CPU on the other core (it exits with this process).
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    with _safe_path(), _no_stdout():
        forkserver.ensure_running()
    return ctx


def _exit_with(alive: Connection) -> None:
    """In each worker: end it as soon as the command that owns the pool is gone.

    ``alive`` is the read end of a pipe whose write end only the command holds; the
    read returns (end of file) when the command closes it or dies."""
    def watch() -> None:
        with suppress(EOFError, OSError):
            while True:
                alive.recv_bytes()
        os._exit(1)

    threading.Thread(target=watch, name="lorelens-exit-with-parent", daemon=True).start()


@contextmanager
def _stops_held() -> Iterator[None]:
    """SIGTERM and SIGINT (Ctrl-C) that arrive in the block take effect at its end.

    For the start of a parser process: the pool learns of a process only once it has
    started (its pid read back from the fork server), and that process then opens the
    pool's named semaphores. Stopped in between, the command ended without stopping a
    process its pool did not know of, removed the semaphores on its way out (as
    multiprocessing does at exit), and the process, still starting, failed on them and
    printed a ``FileNotFoundError`` traceback after the command's last line.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread handles signals
        return
    came: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        came.append(signum)

    before = {s: signal.signal(s, hold) for s in (signal.SIGTERM, signal.SIGINT)
              if signal.getsignal(s) is not None}  # None: a handler not set from Python
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        for signum in dict.fromkeys(came):
            signal.raise_signal(signum)  # now handled as it would have been


class WorkerPool:
    """``jobs`` parser processes forked from the fork server, which end with this
    process however it ends (``executor`` is the pool to submit to)."""

    def __init__(self, jobs: int) -> None:
        ctx = start_server()  # already running when the command started it
        # the write end stays here (not inheritable: git children do not get it)
        self._alive_r, self._alive_w = ctx.Pipe(duplex=False)
        self.executor = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_exit_with,
                                            initargs=(self._alive_r,))

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """``executor.submit``, which starts a parser process when fewer than ``jobs``
        are idle: a stop signal waits until it has started (:func:`_stops_held`)."""
        with _stops_held():
            return self.executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        """Stop the workers (after the batches they are parsing; the ones not started
        are cancelled)."""
        self.executor.shutdown(cancel_futures=True)
        self._alive_w.close()
        self._alive_r.close()
