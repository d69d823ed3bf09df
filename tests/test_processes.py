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
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.errors import Terminated
from corpus.api import write_sample
from ingest.load import Database
from tests.conftest import make_mail, rows, run_ingest, scalar, skip_or_fail, write_v1

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



# Run as a script of its own (signals, and a fork server that it stops). With the fork
# server stopped, starting a parser process waits in this process (the server has been
# asked for it, its pid not read back yet), and SIGTERM comes to the main thread there.
# A thread then waits (up to 2 s) for what an ingest does when stopped, until it has
# dropped its pool, before it lets the server go on: a SIGTERM acted on at once (as it
# was) gets that far, and its pool's semaphores are gone by the time the process it asked
# for starts, which fails on them and prints a traceback: after `lorelens ingest` had
# said "terminated", in the reported failure. A later pool's start means that the server
# has answered the request before it.
_STOP_WHILE_STARTING = """\
import gc, os, signal, sys, threading
from pathlib import Path
from core.errors import Terminated
from ingest.pipeline import Parser
from ingest.workers import start_server

def stop(_signum, _frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated

def the_fork_server():
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == os.getpid() and b"forkserver" in cmd:
            return int(entry.name)
    raise SystemExit("no fork server")

def starting(thread_id):
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        if frame.f_code.co_name == "read_signed":  # the new process's pid, from the server
            return True
        frame = frame.f_back
    return False

if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    start_server()
    server = the_fork_server()
    os.kill(server, signal.SIGSTOP)
    main = threading.main_thread().ident
    dropped = threading.Event()

    def deliver():
        try:
            while not starting(main):
                dropped.wait(0.01)
            signal.pthread_kill(main, signal.SIGTERM)
            dropped.wait(2)
        finally:
            os.kill(server, signal.SIGCONT)

    deliverer = threading.Thread(target=deliver)
    deliverer.start()
    try:
        Parser(2).close()
    except Terminated:
        print("terminated")
    gc.collect()
    dropped.set()
    deliverer.join()
    Parser(2).close()
"""


def test_a_stop_while_a_parser_process_starts_leaves_nothing_behind(tmp_path: Path) -> None:
    """SIGTERM while a parser process is being started: the pool still stops every
    process it started, and none prints anything after the command's last line."""
    if not Path("/proc/self/stat").exists():
        skip_or_fail("needs /proc (Linux) to find the fork server")
    script = tmp_path / "stop_while_starting.py"
    script.write_text(_STOP_WHILE_STARTING)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["terminated"]
    assert done.stderr == ""


ENDLESS = "SELECT count(*) FROM range(10_000_000_000_000) t(i) WHERE i % 7 = 3"


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_stop_during_a_query_is_the_one_line(tmp_path: Path) -> None:
    """SIGTERM while DuckDB runs a query: DuckDB reports it as an error of its own
    ("Query interrupted"), which ended the command with a traceback; or, where DuckDB
    does not look for signals during the query, the query went on until --timeout
    stopped it. The stop interrupts the query at once (the time limit here is far
    beyond the test's wait), and the command says it was told to stop."""
    if not Path("/proc/self/stat").exists():
        skip_or_fail("needs /proc (Linux) to see the command's CPU time")
    db = tmp_path / "t.duckdb"
    Database(db).close()
    exe = Path(sys.executable).with_name("lorelens")
    child = subprocess.Popen([str(exe), "sql", "--db", str(db), "--timeout", "3600", ENDLESS],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # starting takes the command well under a second of CPU: beyond 2 s, the
        # query runs (and never ends by itself)
        deadline = time.monotonic() + 120
        while cpu_seconds(child.pid) < 2:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the query did not start in 120 s"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGTERM)
        _out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 128 + signal.SIGTERM
    assert err.decode().splitlines() == ["lorelens: terminated"]  # a reader: nothing to keep


def test_a_stop_that_duckdb_reports_leaves_the_run_interrupted(tmp_path: Path) -> None:
    """A stop signal that comes while DuckDB runs a query of the ingest reaches the
    pipeline as DuckDB's error, not the signal's: the run is still recorded as
    interrupted (not failed), and the next run completes it."""
    repo = write_v1(tmp_path / "list.git", [make_mail(i) for i in range(20)])
    db = tmp_path / "t.duckdb"
    came: list[int] = []
    running: list[duckdb.DuckDBPyConnection] = []
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread().ident == main

    def stop(signum: int, _frame: Any) -> None:
        came.append(signum)
        raise Terminated

    def endless_query(store: Database, _counts: object) -> None:
        # with its progress bar on, DuckDB's client looks for signals all through a
        # query, and reports one whose handler raised as "Query interrupted"; off (as
        # lorelens has it, so that it draws nothing), it does so at some points only
        store.con.execute("SET enable_progress_bar = true")
        running.append(store.con)
        store.con.execute(ENDLESS)

    def deliver() -> None:
        deadline = time.monotonic() + 120
        while not running and time.monotonic() < deadline:
            time.sleep(0.01)
        # a second of this process's CPU from then on is the query's: it has started
        cpu = time.process_time()
        while time.process_time() - cpu < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(main, signal.SIGTERM)
        if not done.wait(60):  # rather than an endless test, should DuckDB go on
            running[0].interrupt()

    done = threading.Event()
    before = signal.signal(signal.SIGTERM, stop)
    try:
        threading.Thread(target=deliver, daemon=True).start()
        with pytest.raises(BaseException):  # noqa: B017  # DuckDB's own, whatever it is
            run_ingest([repo], db, after_load=endless_query, stopped=lambda: bool(came))
    finally:
        done.set()
        signal.signal(signal.SIGTERM, before)
    assert came == [signal.SIGTERM]
    assert scalar(db, "SELECT status FROM ingest_runs") == "interrupted"
    run_ingest([repo], db)
    assert rows(db, "SELECT status FROM ingest_runs ORDER BY run_id") == [
        ("interrupted",), ("ok",)]
    assert scalar(db, "SELECT count(*) FROM messages") == 20
