"""Reading while a writer writes: read snapshots (docs/guide.md, "Reading while an ingest
writes"), and a reader named as such when it blocks a writer."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from core.errors import DatabaseError
from core.snapshot import open_latest, snapshot_dir, snapshots
from corpus.api import write_sample
from tests.conftest import odd_mails, run_ingest, write_mbox

LORELENS = str(Path(sys.executable).with_name("lorelens"))


def count(db: Path) -> tuple[int, bool]:
    con, snap = open_latest(db)
    try:
        return con.execute("SELECT count(*) FROM messages").fetchall()[0][0], snap.writing
    finally:
        con.close()


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    db = tmp_path / "db.duckdb"
    run_ingest([write_mbox(tmp_path / "a.mbox", odd_mails()[:4])], db)
    return db


@pytest.fixture
def held(small_db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database open read-only (like `lorelens sql`)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], "
         "read_only=True); print('ready', flush=True); sys.stdin.read()", str(small_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


def test_a_reader_that_blocks_a_writer_is_called_a_reader(small_db: Path, held) -> None:
    res = CliRunner().invoke(cli.main, ["enrich", "--db", str(small_db)])
    assert res.exit_code == 1
    line = res.stderr.strip()
    assert "open read-only in another process" in line and f"process {held.pid}" in line
    assert "another writer" not in line


def test_first_read_takes_a_snapshot_and_later_ones_reuse_it(small_db: Path) -> None:
    assert not snapshot_dir(small_db).exists()
    assert count(small_db) == (len(odd_mails()[:4]), False)
    first = snapshots(small_db)
    assert len(first) == 1
    assert count(small_db)[0] == 4 and snapshots(small_db) == first
    # a writer that finishes publishes a new copy; the oldest beyond two are dropped
    for n in (5, 6, 7):
        run_ingest([write_mbox(small_db.parent / f"{n}.mbox", odd_mails()[:n])], small_db)
    copies = snapshots(small_db)
    assert len(copies) == 2 and first[0] not in copies
    assert count(small_db)[0] == scalar_count(small_db)


def scalar_count(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM messages").fetchall()[0][0]


def test_no_snapshot_and_a_writer_is_one_clear_error(small_db: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "c.execute('INSERT INTO schema_info VALUES (\\'x\\', \\'y\\')'); "
         "print('ready', flush=True); sys.stdin.read()", str(small_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseError, match="no read snapshot yet"):
            open_latest(small_db)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)


def test_reading_while_a_real_ingest_writes(tmp_path: Path, small_db: Path) -> None:
    """A real `lorelens ingest` in another process: every read succeeds, shows the
    last complete data while it runs, and the new data once it has finished."""
    before = count(small_db)[0]
    write_sample(tmp_path / "sample", seed=3, scale=3000, formats=("mbox",))
    mboxes = sorted(str(p) for p in (tmp_path / "sample" / "mbox").iterdir())
    writer = subprocess.Popen([LORELENS, "ingest", *mboxes, "--db", str(small_db), "-q"],
                              stderr=subprocess.PIPE, text=True)
    seen: list[tuple[int, bool]] = []
    while writer.poll() is None:
        seen.append(count(small_db))
        time.sleep(0.05)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    after = count(small_db)
    assert after[0] == scalar_count(small_db) > before
    assert not after[1]
    assert seen and {n for n, _ in seen} <= {before, after[0]}
    # while it wrote, readers saw the old data, and were told that a writer is at work
    assert (before, True) in seen, sorted(set(seen))
