"""Read snapshots: copies of the database that readers use while a writer holds it.

DuckDB allows one writing process and no reader beside it. A writer that finishes a run
(ingest, enrich, maintainers, orgs, demo) therefore publishes a copy of the database
into ``<db>.snapshots/`` when that folder exists (the dashboard creates it), atomically:
the copy is written under a temporary name, then renamed. Readers open the newest copy
and never block the writer (docs/guide.md, "Reading while an ingest writes").

Each copy carries the database file's modification time as its own, so a reader can
tell whether the database changed after it (a writer that was killed, or a lorelens
that did not publish) and take a fresh copy once nobody writes (:func:`current`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.database import connect_readonly, require_database, shared_lock
from core.errors import DatabaseError, DatabaseLocked

SUFFIX = ".duckdb"
KEEP = 2  # the newest copy, and the one before it for a reader that is opening it now


def snapshot_dir(db: Path) -> Path:
    return db.with_name(db.name + ".snapshots")


def snapshots(db: Path) -> list[Path]:
    """The published copies, oldest first (their names sort by time)."""
    folder = snapshot_dir(db)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix == SUFFIX and not p.name.startswith("."))


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def data_mtime(db: Path) -> int:
    """When the database last changed (ns): its file, or its write-ahead log, which
    holds what was committed since the last checkpoint."""
    return max(p.stat().st_mtime_ns for p in (db, wal(db)) if p.exists())


def copy_database(db: Path) -> Path:
    """Copy ``db`` into the snapshot folder under a new name, while nobody writes it (a
    writer after its checkpoint, or a reader holding DuckDB's shared lock). A
    write-ahead log left by a killed writer is copied along. The copy's mtime is
    :func:`data_mtime` of the database. Returns the copy."""
    folder = snapshot_dir(db)
    folder.mkdir(exist_ok=True)
    mtime = data_mtime(db)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    tmp = folder / f".{stamp}.{os.getpid()}.partial"
    final = folder / f"{stamp}{SUFFIX}"
    try:
        if wal(db).exists():
            shutil.copyfile(wal(db), wal(final))
        shutil.copyfile(db, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.utime(tmp, ns=(mtime, mtime))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    _prune(db, final)
    return final


def publish(con: duckdb.DuckDBPyConnection, db: Path) -> Path | None:
    """At the end of a successful writing run: checkpoint, then publish a copy if the
    snapshot folder exists. Returns the copy, or None when there is no folder."""
    if not snapshot_dir(db).is_dir():
        return None
    con.execute("CHECKPOINT")  # everything in the file itself, nothing in the WAL
    return copy_database(db)


def _prune(db: Path, newest: Path) -> None:
    """Drop all but the newest copies, and partial copies of runs that died (only one
    process writes at a time, so any other partial copy is abandoned). A reader that
    has an old copy open keeps reading it: the file goes when it closes."""
    for p in snapshots(db)[:-KEEP]:
        if p != newest:
            p.unlink(missing_ok=True)
            wal(p).unlink(missing_ok=True)
    for p in snapshot_dir(db).glob(".*.partial"):
        if not p.name.endswith(f".{os.getpid()}.partial"):
            p.unlink(missing_ok=True)


# -- readers ---------------------------------------------------------------------------

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
    require_database(db)
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
    return Snapshot(newest, _data_time(newest), writing)


def open_latest(db: Path) -> tuple[duckdb.DuckDBPyConnection, Snapshot]:
    """A locked-down read-only connection to the newest snapshot (:func:`current`)."""
    return _open(lambda: current(db), files=False)


def open_for_reading(db: Path, *, files: bool = False
                     ) -> tuple[duckdb.DuckDBPyConnection, Snapshot | None]:
    """A locked-down read-only connection for a command that reads (``lorelens report``,
    ``sql``, ``status``, the exports): to the database itself, and while a writer holds
    it, to its newest read snapshot when there is one (returned too, else None).

    The database itself is preferred: a snapshot is only as new as the last finished
    writing run, and taking a fresh one copies the whole file. Without a snapshot, a
    writer's lock is :class:`DatabaseLocked`, naming the writer.
    """
    db = Path(db)
    try:
        return connect_readonly(db, files=files), None
    except DatabaseLocked as exc:
        locked = exc  # the error to give when there is no snapshot to read instead

    def newest() -> Snapshot:
        copies = snapshots(db)
        if not copies:
            raise locked
        return Snapshot(copies[-1], _data_time(copies[-1]), writing=True)

    return _open(newest, files=files)


def _open(find: Callable[[], Snapshot], *, files: bool
          ) -> tuple[duckdb.DuckDBPyConnection, Snapshot]:
    """Open the copy that ``find`` names. A writer may prune it between listing and
    opening: then look again, once."""
    snap = find()
    try:
        return connect_readonly(snap.path, files=files), snap
    except DatabaseError:
        if snap.path.exists():
            raise
    snap = find()
    return connect_readonly(snap.path, files=files), snap


def _data_time(copy: Path) -> dt.datetime:
    """When the data of a snapshot was last written (its mtime is the database's)."""
    return dt.datetime.fromtimestamp(copy.stat().st_mtime_ns / 1e9, dt.UTC)


def _refresh(db: Path) -> bool:
    """Copy the database into a new snapshot under DuckDB's shared lock; False when a
    writer holds it."""
    try:
        with shared_lock(db):
            copy_database(db)
    except DatabaseLocked:
        return False
    return True
