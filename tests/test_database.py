"""Opening a database (core/database.py): one clear line for each way it cannot be
opened, for a reader and for a writer, and the schema version checked for both."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from core.database import SCHEMA_VERSION, connect_readonly, open_writable, shared_lock
from core.errors import DatabaseError, DatabaseLocked
from ingest.load import Database
from tests.conftest import held_open


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db.duckdb"
    Database(path).close()
    return path


@pytest.fixture
def writer(db: Path) -> Iterator[subprocess.Popen[str]]:
    with held_open(db, read_only=False) as proc:
        yield proc


def one_line(exc: pytest.ExceptionInfo[DatabaseError]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_a_reader_beside_a_writer_is_told_who_writes(db: Path, writer) -> None:
    with pytest.raises(DatabaseLocked) as exc:
        connect_readonly(db)
    line = one_line(exc)
    assert f"{db} is being written by another process (process {writer.pid})" in line
    with pytest.raises(DatabaseLocked), shared_lock(db):
        pass


def test_a_second_writer_is_told_of_the_first(db: Path, writer) -> None:
    with pytest.raises(DatabaseLocked) as exc:
        open_writable(db)
    assert one_line(exc) == f"{db} is locked by another writer (process {writer.pid})"


def test_a_shared_lock_keeps_a_writer_out_and_lets_readers_in(db: Path) -> None:
    with shared_lock(db):
        connect_readonly(db).close()
        probe = subprocess.run(
            [sys.executable, "-c", "from core.database import open_writable; import sys; "
             "open_writable(sys.argv[1])", str(db)], capture_output=True, text=True)
        assert probe.returncode != 0 and "open read-only in another process" in probe.stderr
    open_writable(db).close()


def test_a_missing_database_is_not_created_by_a_reader(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    for opening in (connect_readonly, shared_lock):
        with pytest.raises(DatabaseError, match="no such database") as exc, opening(missing):
            pass
        one_line(exc)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_database_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a DuckDB file\n" * 200)
    for opening in (connect_readonly, open_writable):
        with pytest.raises(DatabaseError) as exc:
            opening(junk)
        assert one_line(exc).startswith(f"{junk}: ")


def test_readers_refuse_a_schema_of_another_lorelens(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE schema_info SET value = ? WHERE key = 'schema_version'",
                    [str(SCHEMA_VERSION + 1)])
    with pytest.raises(DatabaseError, match=f"schema version {SCHEMA_VERSION + 1}, which "
                       "this lorelens") as exc:
        connect_readonly(db)
    one_line(exc)
    with pytest.raises(DatabaseError, match=f"schema version {SCHEMA_VERSION + 1}"):
        Database(db)


def test_every_session_runs_in_utc_and_a_reader_cannot_change_it(db: Path) -> None:
    with open_writable(db) as con:
        assert con.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
    con = connect_readonly(db)
    second = connect_readonly(db)  # shares the first one's locked instance
    try:
        for c in (con, second):
            assert c.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
        with pytest.raises(duckdb.Error):
            second.execute("SET GLOBAL TimeZone = 'Europe/Paris'")
    finally:
        second.close()
        con.close()
