"""The generator's worker processes (corpus/shards.py): however a run ends (to the end,
stopped early, a consumer's error, a worker killed, its own process killed), no worker
outlives it and each of its pipe ends is closed once, when the run ends, not later by
the garbage collector.

What is open is read from /proc/self/fd and what runs from /proc, so these tests need
Linux (as ``fork``, which the parallel mode uses)."""

from __future__ import annotations

import gc
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import BinaryIO

import pytest

from corpus.api import write_sample
from corpus.scenario import SHARDS, Scenario
from corpus.shards import Event, ShardDied, ShardRun, fork_available

pytestmark = pytest.mark.skipif(
    not fork_available() or not Path("/proc/self/fd").is_dir(),
    reason="needs fork and /proc (Linux)")

BIG = 6000  # messages: each shard sends far more than its pipe holds


def pipes() -> dict[int, int]:
    """``fd: inode`` of each pipe this process has open."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            st = os.fstat(int(name))
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if stat.S_ISFIFO(st.st_mode):
            found[int(name)] = st.st_ino
    return found


def children(parent: int) -> set[int]:
    """The live (not zombie) processes whose parent is ``parent``."""
    found = set()
    for entry in Path("/proc").iterdir():
        state = _state(int(entry.name)) if entry.name.isdigit() else None
        if state is not None and state[0] not in ("Z", "X") and int(state[1]) == parent:
            found.add(int(entry.name))
    return found


def _state(pid: int) -> tuple[str, str] | None:
    """(state, ppid) of a process, None when it is gone."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], fields[1]


def alive(pid: int) -> bool:
    state = _state(pid)
    return state is not None and state[0] not in ("Z", "X")


def ignores_sigint(pid: int) -> bool:
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return False
    mask = next(int(line.split()[1], 16) for line in status.splitlines()
                if line.startswith("SigIgn:"))
    return bool(mask >> (signal.SIGINT - 1) & 1)


def shards(tmp: Path, scale: int = BIG) -> list[Scenario]:
    return [Scenario(5, scale, tmp / "truth", shard=i) for i in range(SHARDS)]


def started(run: ShardRun) -> tuple[Generator[Event, None, None], set[int]]:
    """The run's events, once its workers run (one event taken), and the workers'
    process ids."""
    before = children(os.getpid())
    events = run.events()
    next(events)
    workers = children(os.getpid()) - before
    assert len(workers) == SHARDS
    return events, workers


def test_an_early_stop_ends_the_workers_and_closes_each_pipe_end_once(tmp_path: Path) -> None:
    """Closing the events early stops the workers and closes the pipes there and then;
    files opened afterwards, which take the freed descriptor numbers, stay open through
    a garbage collection (nothing closes those numbers a second time)."""
    run = ShardRun(shards(tmp_path), parallel=True, git=False)
    before = pipes()
    events, workers = started(run)
    used = set(pipes()) - set(before)
    assert used
    events.close()
    assert pipes() == before
    assert not any(alive(w) for w in workers)
    reused: list[BinaryIO] = []  # files taking every freed number (the lowest free one comes first)
    try:
        while not used <= {f.fileno() for f in reused} and len(reused) < 4096:
            reused.append(open(os.devnull, "rb"))  # noqa: SIM115
        assert used <= {f.fileno() for f in reused}
        del events, run
        gc.collect()
        for f in reused:
            os.fstat(f.fileno())  # raises when something closed it
    finally:
        for f in reused:
            f.close()


def test_a_killed_worker_is_one_line_and_leaves_no_process_or_pipe(tmp_path: Path) -> None:
    """A worker killed mid-run (the OOM killer, say) ends the run with one line saying
    so; the other worker is stopped and every pipe end closed, even while the error's
    traceback (which holds the other shard's suspended stream) is still alive."""
    run = ShardRun(shards(tmp_path), parallel=True, git=False)
    before = pipes()
    events, workers = started(run)
    os.kill(max(workers), signal.SIGKILL)
    with pytest.raises(ShardDied) as caught:
        for _ in events:
            pass
    message = str(caught.value)
    assert "\n" not in message
    assert " was killed by SIGKILL before finishing" in message, message
    assert not any(alive(w) for w in workers)
    assert pipes() == before


class Stop(Exception):
    pass


def test_an_error_of_the_consumer_leaves_no_worker_and_no_pipe(tmp_path: Path) -> None:
    """An error in what consumes the mails (here the progress callback) ends the run at
    once: no worker is left blocked on a full pipe until the error is collected."""
    before = pipes()
    workers: set[int] = set()
    outside = children(os.getpid())

    def progress(done: int, _total: int) -> None:
        if done > 100:
            workers.update(children(os.getpid()) - outside)
            raise Stop

    with pytest.raises(Stop) as caught:
        write_sample(tmp_path / "s", seed=5, scale=BIG, formats=("mbox",), progress=progress)
    assert caught.traceback  # alive: it holds write_sample's frame, as a CLI runner would
    assert len(workers) == SHARDS
    assert not any(alive(w) for w in workers)
    assert pipes() == before


def test_the_workers_end_when_the_process_running_them_is_killed(tmp_path: Path) -> None:
    """``kill -9`` of a `lorelens sample` ends its workers too, quietly: once the killed
    process is gone no one reads their pipes (each worker closed its copies of the run's
    receive ends), and each ends at its next write."""
    code = ("import sys; from pathlib import Path; from corpus.api import write_sample; "
            "write_sample(Path(sys.argv[1]), seed=5, scale=40000, formats=('mbox',))")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s")], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(proc.pid)) < SHARDS:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 30
    while (left := [w for w in workers if alive(w)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    for w in left:  # not to leave them to the next test; the assertion says it
        os.kill(w, signal.SIGKILL)
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read().decode(errors="replace")  # the workers' too: all ended
    assert left == []
    assert "Traceback" not in err, err


def test_ctrl_c_of_lorelens_sample_is_one_line_and_ends_the_workers(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to every process of the command, as a terminal sends it) while
    `lorelens sample` runs: the command's one line, and no worker traceback."""
    lorelens = Path(sys.executable).with_name("lorelens")
    # caught here, so the command starts with the default: started by a shell's `… &`,
    # this process ignores SIGINT, and so would the command
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen([lorelens, "sample", "--out", str(tmp_path / "s"),
                                 "--scale", "40000"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(proc.pid)) < SHARDS:
            assert proc.poll() is None and time.monotonic() < deadline, "no workers"
            time.sleep(0.05)
        # past the fork: each worker has set up its signals (or 5 s went by)
        deadline = time.monotonic() + 5
        while not all(ignores_sigint(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 128 + signal.SIGINT
    assert err.decode().splitlines() == ["lorelens: interrupted"]
    assert not any(alive(w) for w in workers)


class Finalized:
    """Garbage (a cycle) whose finalizer notes which process ran it."""

    def __init__(self, note: Path) -> None:
        self.note = note
        self.me = self

    def __del__(self) -> None:
        with open(self.note, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")


def test_the_workers_leave_this_process_s_garbage_alone(tmp_path: Path) -> None:
    """A worker never runs the finalizers of garbage it inherited: they are this
    process's to run (a library's crashed a worker with SIGSEGV)."""
    run = ShardRun(shards(tmp_path), parallel=True, git=False)
    note = tmp_path / "finalized"
    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(100_000)  # the garbage stays uncollected here until the fork
    try:
        Finalized(note)
        for _ in run.events():
            pass
    finally:
        gc.set_threshold(*thresholds)
    assert not note.exists(), "a worker ran this process's finalizer"
    gc.collect()
    assert note.read_text() == f"{os.getpid()}\n"

