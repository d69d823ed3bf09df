"""Read-only access to a lorelens database: the one query layer of CLI and dashboard."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.errors import DatabaseError, LorelensError


class QueryError(LorelensError):
    """A query the user wrote failed (syntax, unknown column, timeout, forbidden)."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def connect_readonly(path: Path | str, *, files: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database read-only and lock it down for user SQL.

    No file access outside the database (no read_csv('/etc/passwd'), no COPY, no
    ATTACH of other files), no extensions loaded, UTC session time zone. ``files``
    allows file access, for lorelens' own exports (never for user SQL).
    """
    path = Path(path)
    if not path.exists():
        raise DatabaseError(f"{path}: no such database (run `lorelens ingest` first)")
    try:
        con = duckdb.connect(
            str(path),
            read_only=True,
            config={
                "enable_external_access": files,
                "autoload_known_extensions": False,
                "autoinstall_known_extensions": False,
            },
        )
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseError(f"{path} is being written by another process; try again "
                                "when the ingest has finished") from exc
        raise DatabaseError(f"{path}: {text.splitlines()[0]}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"{path}: {str(exc).splitlines()[0]}") from exc
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # none of DuckDB's own in the output
    con.execute("SET lock_configuration = true")
    from ingest.load import check_schema

    check_schema(con, path)
    return con


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | list[Any] | None = None,
    *,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
) -> Result:
    """Run one query; stop it after ``timeout`` seconds with a clear error.

    One statement only: DuckDB would run every statement of a script and show the last
    result alone, hiding what the others did.
    """
    try:
        n = len(con.extract_statements(sql))
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from exc
    if n != 1:
        raise QueryError("no SQL statement given" if n == 0 else
                         f"one statement at a time, please ({n} given)")
    timer = None
    timed_out = threading.Event()
    if timeout:
        def stop() -> None:
            timed_out.set()
            con.interrupt()

        timer = threading.Timer(timeout, stop)
        timer.start()
    try:
        cur = con.execute(sql, params) if params else con.execute(sql)
        if cur.description is None:
            return Result([], [])
        columns = [d[0] for d in cur.description]
        rows = cur.fetchmany(max_rows) if max_rows else cur.fetchall()
        return Result(columns, [tuple(_plain(v) for v in r) for r in rows])
    except duckdb.Error as exc:
        if timed_out.is_set():
            raise QueryError(f"query stopped after {timeout:g}s (raise --timeout)") from exc
        raise QueryError(_first_line(exc)) from exc
    finally:
        if timer is not None:
            timer.cancel()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _plain(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC)
    return v
