"""Reading the newest read snapshot of a database, so that readers never block a writer
and are never blocked by one (docs/guide.md, "Reading while an ingest writes")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics.db import connect_readonly
from ingest.errors import DatabaseError
from ingest.load.snapshot import copy_database, data_mtime, snapshot_dir, snapshots


@dataclass(frozen=True)
class Snapshot:
    path: Path  # the copy that is read
    data_time: dt.datetime  # when its data was last written (UTC)
    writing: bool  # a writer held the database when we looked, and it has changed since


def current(db: Path) -> Snapshot:
    """The newest read snapshot of ``db``, fresh.

    When the database changed after the newest snapshot (or there is none) and nobody
    writes it now, a fresh copy is taken first, holding DuckDB's shared read lock for
    the length of the copy. While a writer holds the database, the newest snapshot is
    returned and ``writing`` says so; with no snapshot yet that is one clear error.
    """
    db = Path(db)
    if not db.exists():
        raise DatabaseError(f"{db}: no such database (run `lorelens demo` or "
                            "`lorelens ingest` first)")
    try:
        snapshot_dir(db).mkdir(exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{snapshot_dir(db)}: cannot create the snapshot folder "
                            f"({exc.strerror})") from exc
    writing = False
    copies = snapshots(db)
    if not copies or data_mtime(db) > copies[-1].stat().st_mtime_ns:
        writing = not _refresh(db)
        copies = snapshots(db)
    if not copies:
        raise DatabaseError(f"{db} is being written by another process and has no read "
                            "snapshot yet: it appears here when that run has finished")
    newest = copies[-1]
    when = dt.datetime.fromtimestamp(newest.stat().st_mtime_ns / 1e9, dt.UTC)
    return Snapshot(newest, when, writing)


def open_latest(db: Path) -> tuple[duckdb.DuckDBPyConnection, Snapshot]:
    """A locked-down read-only connection to the newest snapshot (:func:`current`)."""
    for attempt in (1, 2):
        snap = current(db)
        try:
            return connect_readonly(snap.path), snap
        except DatabaseError:
            # a writer may prune the copy between listing and opening: look again once
            if attempt == 2 or snap.path.exists():
                raise
    raise AssertionError("unreachable")


def _refresh(db: Path) -> bool:
    """Copy the database into a new snapshot under DuckDB's shared lock; False when a
    writer holds it."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return False
        raise DatabaseError(f"{db}: {str(exc).splitlines()[0]}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"{db}: {str(exc).splitlines()[0]}") from exc
    try:
        copy_database(db)
    finally:
        con.close()
    return True
