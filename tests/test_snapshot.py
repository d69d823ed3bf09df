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
from tests.conftest import held_open, odd_mails, run_ingest, write_mbox

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
    with held_open(small_db, read_only=True) as proc:
        yield proc


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
    with (held_open(small_db, read_only=False,
                    statement="INSERT INTO schema_info VALUES ('x', 'y')"),
          pytest.raises(DatabaseError, match="no read snapshot yet")):
        open_latest(small_db)


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


def report(db: Path, *args: str):
    return CliRunner().invoke(cli.main, ["report", "overview", "--db", str(db),
                                         "--format", "csv", *args])


def test_commands_read_the_newest_snapshot_while_a_writer_works(small_db: Path) -> None:
    count(small_db)  # the dashboard has run: a snapshot of the four messages
    copy = snapshots(small_db)[-1]
    alone = report(small_db)
    assert alone.exit_code == 0 and "snapshot" not in alone.stderr
    with held_open(small_db, read_only=False):
        beside = report(small_db)
        assert beside.exit_code == 0, beside.output
        assert beside.stdout == alone.stdout  # the snapshot's figures, as printed before
        assert f"{small_db} is being written by another process: reading its snapshot " \
            "of " in beside.stderr
        sql = CliRunner().invoke(cli.main, ["sql", "--db", str(small_db), "--format", "csv",
                                            "SELECT count(*) AS n FROM messages"])
        assert sql.exit_code == 0 and sql.stdout == "n\n4\n"
        assert snapshots(small_db) == [copy]  # read, never copied by a command


def test_without_a_snapshot_a_command_names_the_writer(small_db: Path) -> None:
    with held_open(small_db, read_only=False) as holder:
        res = report(small_db)
        assert res.exit_code == 1
        assert f"is being written by another process (process {holder.pid})" in res.stderr
        assert not snapshot_dir(small_db).exists()
