"""Run the shards of a corpus (``corpus.scenario``) and merge their mails in archive order.

Planning and rendering are most of the generator's CPU and each shard's random stream is
its own, so with ``parallel`` every shard runs in a forked worker process that sends its
finished mails (in archive order) through a pipe in batches of ~256 KiB; this process
merges the streams by (time, sequence number) and writes the archives.  Without fork (or
with ``parallel=False``) the same shard generators run here, interleaved by the same
merge: the output is byte-identical either way (tested).
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import marshal
import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Generator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from core.errors import LorelensError
from corpus.model import Mail
from corpus.scenario import Scenario
from corpus.writers import Copy, list_copies

_BATCH_BYTES = 256 << 10
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux); not exported by the fcntl module of 3.11
_JOIN_SECONDS = 10

#: (time, seq, 0 = add / 1 = delete, mail, each list's copy of it)
Event = tuple[int, int, int, Mail, tuple[Copy, ...]]


class ShardError(RuntimeError):
    """A worker process failed; the message holds its traceback."""


class ShardDied(ShardError, LorelensError):
    """A worker process died (killed, out of memory) before its shard was done: one
    line for the user."""


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class ShardRun:
    """``events()`` yields the merged (time, seq, kind, mail, copies) of all shards, with
    each list's ``Copy`` of the mail (git objects prepared when ``git``); afterwards
    ``handovers`` holds each shard's truth hand-over and kernel-tree commits, in shard
    order. A consumer that stops early closes the generator (``contextlib.closing``)."""

    def __init__(self, scenarios: list[Scenario], parallel: bool, git: bool) -> None:
        self.scenarios = scenarios
        self.git = git
        self.parallel = parallel and len(scenarios) > 1 and fork_available()
        self.handovers: list[tuple[dict, list]] = []

    def events(self) -> Generator[Event, None, None]:
        """Closing it early stops the workers and closes every pipe end and shard file
        at once."""
        try:
            if self.parallel:
                yield from self._forked()
            else:
                git = self.git
                for t, seq, kind, mail in heapq.merge(*(sc.events() for sc in self.scenarios)):
                    yield t, seq, kind, mail, list_copies(mail, kind == 1, git)
                self.handovers = [_handover(sc) for sc in self.scenarios]
        finally:
            for sc in self.scenarios:
                sc.truth.handover()  # this process's copies of the shard files: close them

    def _forked(self) -> Generator[Event, None, None]:
        """Every receive end is closed here, once, however the run ends (the streams only
        read them), and every worker is stopped: a stream left suspended by an early stop
        or by another shard's error leaves nothing open for the garbage collector to close
        at some later moment, by then perhaps in the middle of another run."""
        ctx = multiprocessing.get_context("fork")
        got: dict[int, tuple[dict, list]] = {}
        procs: list[BaseProcess] = []
        recvs: list[Connection] = []
        streams: list[Generator[Event, None, None]] = []
        try:
            for i, sc in enumerate(self.scenarios):
                recv, send = ctx.Pipe(duplex=False)
                recvs.append(recv)
                try:
                    _grow_pipe(send)
                    p = ctx.Process(target=_work, args=(sc, send, recvs, self.git),
                                    name=f"lorelens-shard-{i}", daemon=True)
                    _start(p)
                    procs.append(p)
                finally:
                    send.close()  # the worker's copy is the pipe's only write end
                streams.append(_receive(recv, i, got, p))
            yield from heapq.merge(*streams)
        finally:
            for s in streams:
                s.close()
            _stop(procs, finished=len(got) == len(procs))
            for r in recvs:
                r.close()
        self.handovers = [got[i] for i in range(len(self.scenarios))]


def _handover(sc: Scenario) -> tuple[dict, list]:
    return sc.truth.handover(), sc.engine.applied


def _grow_pipe(conn: Connection) -> None:
    """A 1 MiB pipe lets a worker run a few batches ahead of the merge."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), _F_SETPIPE_SZ, 1 << 20)
    except OSError:  # pragma: no cover - other kernels / a lower pipe-max-size
        pass


def _start(p: BaseProcess) -> None:
    """Fork the worker with every object of this process frozen for the garbage
    collector (``gc.freeze``), so that the worker never collects this process's garbage:
    finalizers of objects it did not make are not its to run. In a full test run one of
    a library's, run by a worker while it collected, crashed it with SIGSEGV; others
    could flush a buffer into a file this process writes, or close a database."""
    gc.freeze()
    try:
        p.start()
    finally:
        gc.unfreeze()


def _work(sc: Scenario, conn: Connection, recvs: list[Connection], git: bool) -> None:
    """Worker process: plan and render one shard, prepare each list's copy (and its git
    objects), send the mails as flat tuples of plain values (``marshal``: about half the
    CPU of ``pickle`` for these; the body goes only inside the copies, which the writers
    use), then the shard's hand-over (pickled: it holds paths and counters).

    ``recvs`` are the receive ends of the run's pipes so far, this one's included, which
    the fork copied: closed at once, so that the run's process is the only reader of
    every pipe. Once it is gone (killed, say), the worker's next send fails and it ends,
    quietly: there is no one to tell.

    The signal handlers are the default ones, not those the fork copied (the CLI's for
    SIGTERM): Ctrl-C, which the terminal sends to every process of the command, is left
    to the run's process, which then ends the workers by SIGTERM, and that ends a worker
    at once, without a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for r in recvs:
        r.close()
    try:
        batch: list[tuple] = []
        size = 0
        for t, seq, kind, m in sc.events():
            batch.append(
                (t, seq, kind, list_copies(m, kind == 1, git), m.seq, m.archive_ts, m.lists,
                 m.mid, m.sender_name, m.from_addr, m.subject, m.date_ts, m.date_tz, b"",
                 m.truth, m.deleted_at)
            )  # fmt: skip
            size += len(m.body)
            if size >= _BATCH_BYTES:
                conn.send_bytes(marshal.dumps(("rows", batch)))
                batch, size = [], 0
        if batch:
            conn.send_bytes(marshal.dumps(("rows", batch)))
        handover = pickle.dumps(_handover(sc), pickle.HIGHEST_PROTOCOL)
        conn.send_bytes(marshal.dumps(("end", handover)))
    except BrokenPipeError:
        raise SystemExit(1) from None  # the run stopped reading: nobody to tell
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send_bytes(marshal.dumps(("error", traceback.format_exc())))
        raise
    finally:
        conn.close()


def _receive(
    conn: Connection, shard: int, got: dict[int, tuple[dict, list]], proc: BaseProcess
) -> Generator[Event, None, None]:
    """One worker's events, rebuilt as (time, seq, kind, Mail, copies); stores its
    hand-over. Only reads: ``ShardRun`` closes ``conn``."""
    while True:
        try:
            what, msg = marshal.loads(conn.recv_bytes())
        except EOFError:
            raise ShardDied(f"shard {shard}: {_how_it_ended(proc)}") from None
        if what == "error":
            raise ShardError(f"shard {shard} failed:\n{msg}")
        if what == "end":
            got[shard] = pickle.loads(msg)
            return
        for row in msg:
            yield row[0], row[1], row[2], Mail(*row[4:]), row[3]


def _how_it_ended(proc: BaseProcess) -> str:
    """Why a worker's pipe ended before its hand-over: its process died."""
    proc.join(_JOIN_SECONDS)
    code = proc.exitcode
    if code is None:
        return "the worker process closed its pipe before finishing"
    if code < 0:
        return (f"the worker process was killed by {signal.Signals(-code).name} before "
                "finishing (out of memory?); the sample is incomplete: run again")
    return f"the worker process exited with status {code} before finishing"


def _stop(procs: list[BaseProcess], finished: bool) -> None:
    """No worker outlives its run: after the last hand-over they are exiting already;
    otherwise SIGTERM, and SIGKILL to one still there after a while. Then each one's
    sentinel pipe is released now, not when the process object is collected."""
    if not finished:
        for p in procs:
            if p.is_alive():
                p.terminate()
    for p in procs:
        p.join(_JOIN_SECONDS)
        if p.exitcode is None:
            p.kill()
            p.join()
        p.close()
