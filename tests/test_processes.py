"""A `lorelens ingest` that dies leaves no process behind.

The parser processes are forked from a fork server (ingest/workers.py), and all of them
(with multiprocessing's resource tracker) used to outlive a killed command for good,
holding ~200 MB and the command's stdout, so that `lorelens ingest … | tee` never ended.
These tests start the real command on a generated sample large enough for worker
processes, kill it mid-run, and look for what remains of it in /proc.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.api import write_sample
from tests.conftest import rows, scalar, skip_or_fail

SCALE = 8000  # messages: well above the pipeline's SMALL, so the workers are used


def session_processes(sid: int) -> dict[int, tuple[int, str]]:
    """``pid: (ppid, command line)`` of every live (not zombie) process of session
    ``sid``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended meanwhile
            continue
        state, ppid, _pgrp, session = stat[stat.rindex(")") + 2:].split()[:4]
        if int(session) == sid and state != "Z":
            found[int(entry.name)] = (int(ppid), cmd)
    return found


def workers_of(main: int) -> list[int]:
    """The parser processes of the command ``main``: children of its fork server."""
    procs = session_processes(main)
    servers = {p for p, (ppid, cmd) in procs.items() if ppid == main and "forkserver" in cmd}
    return [p for p, (ppid, _) in procs.items() if ppid in servers]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], int]:
    """The v1 repositories of a generated sample and its number of distinct messages."""
    if not Path("/proc/self/stat").exists():
        skip_or_fail("needs /proc (Linux) to find the processes of a run")
    out = tmp_path_factory.mktemp("sample")
    summary = write_sample(out, seed=11, scale=SCALE, formats=("v1",))
    return sorted(str(p) for p in summary.v1_repos.values()), summary.messages


@pytest.fixture
def started(sample: tuple[list[str], int],
            tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A running `lorelens ingest` (in a session of its own) whose parser processes have
    started; whatever is left of that session is killed afterwards."""
    db = tmp_path / "t.duckdb"
    exe = Path(sys.executable).with_name("lorelens")
    child = subprocess.Popen([str(exe), "ingest", *sample[0], "--db", str(db), "--no-enrich",
                              "--jobs", "2"], start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(workers_of(child.pid)) < 2:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the workers did not start in 60 s"
            time.sleep(0.05)
        yield child, db
    finally:
        for pid in session_processes(child.pid):
            os.kill(pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()


def gone_within(sid: int, seconds: float) -> dict[int, tuple[int, str]]:
    """What is left of session ``sid`` after waiting up to ``seconds`` for it to end."""
    deadline = time.monotonic() + seconds
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def at_eof(stream, seconds: float) -> bool:
    """Whether reading ``stream`` reaches its end (every writer closed it) in time."""
    deadline = time.monotonic() + seconds
    fd = stream.fileno()
    while (wait := deadline - time.monotonic()) > 0:
        if select.select([fd], [], [], wait)[0] and not os.read(fd, 65536):
            return True
    return False


@pytest.mark.slow
def test_a_killed_ingest_leaves_no_process(started) -> None:
    child, _db = started
    os.kill(child.pid, signal.SIGKILL)  # the command alone, not its process group
    child.wait()
    assert gone_within(child.pid, 5) == {}
    assert at_eof(child.stdout, 2) and at_eof(child.stderr, 2)


@pytest.mark.slow
def test_a_terminated_ingest_says_so_and_resumes(started, sample: tuple[list[str], int]
                                                 ) -> None:
    child, db = started
    os.kill(child.pid, signal.SIGTERM)
    _out, err = child.communicate(timeout=30)
    assert child.returncode == 128 + signal.SIGTERM
    assert err.decode().strip().splitlines()[-1] == (
        "lorelens: terminated (what was committed is kept; run again to resume)")
    assert gone_within(child.pid, 5) == {}
    assert scalar(db, "SELECT status FROM ingest_runs") == "interrupted"
    stored = scalar(db, "SELECT count(*) FROM messages")

    specs, messages = sample
    exe = Path(sys.executable).with_name("lorelens")
    again = subprocess.run([str(exe), "ingest", *specs, "--db", str(db), "--no-enrich",
                            "--quiet"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT status FROM ingest_runs ORDER BY run_id") == [
        ("interrupted",), ("ok",)]
    assert scalar(db, "SELECT n_new FROM ingest_runs WHERE status = 'ok'") == messages - stored
    assert scalar(db, "SELECT count(DISTINCT message_id) FROM messages") == messages
    assert scalar(db, "SELECT count(*) FROM messages") == messages


def test_the_fork_server_starts_without_a_sys_stdout() -> None:
    """A program that embeds lorelens may run with ``sys.stdout`` None (pythonw, some
    services); starting the fork server must not need it."""
    script = ("import sys; sys.stdout = None\n"
              "from ingest.workers import start_server\n"
              "start_server()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
