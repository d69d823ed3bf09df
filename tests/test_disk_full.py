"""A full disk is one clear line, and a run it ends is never shown as still running.

The table below holds the errors DuckDB gave on a full tmpfs (copied from real runs);
the end-to-end test fills a small tmpfs with a real ingest, which needs root to mount
(it skips locally without, and fails in CI).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from core.errors import disk_full
from corpus.api import write_sample
from tests.conftest import rows, scalar, skip_or_fail

WAL_COMMIT = ('TransactionContext Error: Failed to commit: Could not write file '
              '"{dir}/t.duckdb.wal": No space left on device')
CHECKPOINT = ('FATAL Error: Failed to create checkpoint because of error: Could not write '
              'file "{dir}/t.duckdb": No space left on device')
INVALIDATED = ('FATAL Error: Failed: database has been invalidated because of a previous '
               'fatal error. The database must be restarted prior to being used again.\n'
               'Original error: "Failed to create checkpoint because of error: Could not '
               'write file "{dir}/t.duckdb": No space left on device"')
FREE = re.compile(r" \(\d[\d,]* MB free\)$")


def chained(first: BaseException, then: BaseException) -> BaseException:
    """``then`` raised while handling ``first``, as a failed clean-up would be."""
    then.__context__ = first
    return then


def failed(message: str) -> Callable[[Path], BaseException]:
    return lambda d: RuntimeError(message.format(dir=d))


@pytest.mark.parametrize(("error", "names"), [
    (failed(WAL_COMMIT), "t.duckdb.wal"),
    (failed(CHECKPOINT), "t.duckdb"),
    (failed(INVALIDATED), "t.duckdb"),
    (lambda d: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"{d}/mirror/pack"),
     "mirror/pack"),
    (lambda d: OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)), "db.duckdb"),
    # the clean-up's error hides the first one, as in a run's final bookkeeping
    (lambda d: chained(failed(CHECKPOINT)(d), RuntimeError("database has been invalidated")),
     "t.duckdb"),
])
def test_a_full_disk_is_recognised(error: Callable[[Path], BaseException], names: str,
                                   tmp_path: Path) -> None:
    found = disk_full(error(tmp_path), tmp_path / "db.duckdb")
    assert found is not None
    line = str(found)
    assert "\n" not in line
    assert line.startswith(f"disk full: {tmp_path / names} (")
    assert FREE.search(line), line


@pytest.mark.parametrize("error", [
    RuntimeError('IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held'),
    RuntimeError("Out of Memory Error: failed to allocate data of size 16.0 MiB"),
    RuntimeError("Constraint Error: Duplicate key"),
    OSError(errno.EACCES, os.strerror(errno.EACCES), "/root/x"),
    KeyboardInterrupt(),
])
def test_other_errors_are_not_a_full_disk(error: BaseException) -> None:
    assert disk_full(error, Path("db.duckdb")) is None


# -- a real full disk ------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs: a sample of ~20,000 mails fills it while DuckDB checkpoints."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        skip_or_fail("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        skip_or_fail(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.slow
def test_a_full_disk_ends_the_run_with_one_line(small_disk: Path, tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "sample", seed=3, scale=20000, formats=("v1",))
    specs = [str(p) for p in summary.v1_repos.values()]
    db = small_disk / "t.duckdb"
    exe = Path(sys.executable).with_name("lorelens")
    run = [str(exe), "ingest", *specs, "--db", str(db), "--quiet", "--no-enrich"]
    full = subprocess.run(run, capture_output=True, text=True)
    assert full.returncode == 1
    assert full.stderr.count("\n") == 1, full.stderr
    free = shutil.disk_usage(small_disk).free // 2**20
    assert re.fullmatch(rf"lorelens: error: disk full: {re.escape(str(small_disk))}/t\.duckdb"
                        rf"(\.wal)? \({free:,} MB free\)\n", full.stderr), full.stderr
    status = CliRunner().invoke(cli.main, ["status", "--db", str(db)]).stdout
    assert re.search(r"^last run: #1 (failed|interrupted) at", status, re.M), status

    # with room again, the next run resumes
    subprocess.run(["mount", "-o", "remount,size=400m", str(small_disk)], check=True)
    again = subprocess.run(run, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT status FROM ingest_runs ORDER BY run_id")[-1] == ("ok",)
    assert scalar(db, "SELECT count(DISTINCT message_id) FROM messages") == summary.messages
    assert scalar(db, "SELECT count(*) FROM messages") == summary.messages
