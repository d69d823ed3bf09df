"""Running queries on a read-only connection: the one query layer of CLI and dashboard.

The connection comes from ``core.database.connect_readonly`` (locked down for user SQL);
here a query gets its time limit, is streamed, and its errors become one line."""

from __future__ import annotations

import datetime as dt
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from core.errors import LorelensError


class QueryError(LorelensError):
    """A query the user wrote failed (syntax, unknown column, timeout, forbidden)."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def check_timeout(timeout: float) -> float:
    """A time limit must be a positive number of seconds (not 0, negative, NaN or inf)."""
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
        raise QueryError(f"the time limit must be a positive number of seconds, not {timeout}")
    return float(timeout)


class _Deadline:
    """Interrupts ``con`` after ``timeout`` seconds; :meth:`check` raises once it has."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timeout: float | None) -> None:
        self.timeout = timeout
        self.expired = threading.Event()

        def stop() -> None:
            self.expired.set()
            con.interrupt()

        self._timer = threading.Timer(timeout, stop) if timeout else None
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()

    def error(self) -> QueryError:
        return QueryError(f"query stopped after {self.timeout:g}s (raise --timeout)")

    def check(self) -> None:
        if self.expired.is_set():
            raise self.error()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _one_statement(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """One statement only: DuckDB would run every statement of a script and show the
    last result alone, hiding what the others did."""
    try:
        n = len(con.extract_statements(sql))
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from exc
    if n != 1:
        raise QueryError("no SQL statement given" if n == 0 else
                         f"one statement at a time, please ({n} given)")


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | list[Any] | None = None,
    *,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
) -> Result:
    """Run one query; stop it after ``timeout`` seconds with a clear error."""
    with stream_query(con, sql, params, timeout=timeout) as stream:
        if max_rows:
            rows = stream.fetch(max_rows)
        else:
            rows = [r for chunk in stream.chunks() for r in chunk]
        return Result(stream.columns, rows)


@dataclass
class Stream:
    """The rows of a running query, fetched chunk by chunk under its time limit."""

    columns: list[str]
    _cur: duckdb.DuckDBPyConnection | None
    _deadline: _Deadline

    def chunks(self, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows in chunks; the time limit also covers what the caller does with
        each chunk (formatting, writing), checked before the next one is fetched."""
        while self._cur is not None:
            chunk = self.fetch(size)
            if not chunk:
                return
            yield chunk

    def fetch(self, n: int) -> list[tuple[Any, ...]]:
        if self._cur is None:
            return []
        self._deadline.check()
        try:
            rows = self._cur.fetchmany(n)
        except duckdb.Error as exc:
            if self._deadline.expired.is_set():
                raise self._deadline.error() from exc
            raise QueryError(_first_line(exc)) from exc
        self._deadline.check()
        return [tuple(_plain(v) for v in r) for r in rows]

    def arrow_batches(self, size: int = 100_000) -> Iterator[Any]:
        """The rows as Arrow record batches (for CSV/Parquet downloads), same limit."""
        if self._cur is None:
            return
        try:
            with warnings.catch_warnings():
                # DuckDB notes that a DB-API result is copied into Arrow: fine here
                warnings.simplefilter("ignore", UserWarning)
                reader: Any = self._cur.to_arrow_reader(size)
            for batch in reader:
                self._deadline.check()
                yield batch
        except duckdb.Error as exc:
            if self._deadline.expired.is_set():
                raise self._deadline.error() from exc
            raise QueryError(_first_line(exc)) from exc
        self._deadline.check()


@contextmanager
def stream_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | list[Any] | None = None,
    *,
    timeout: float | None = 30.0,
) -> Iterator[Stream]:
    """Start one query and hand over its rows as a :class:`Stream`.

    The time limit runs from the start of the query to the end of the ``with`` block:
    it bounds the whole command (the query, fetching and the caller's output), not
    DuckDB's execution alone, so a fast query with ten million rows is stopped too.
    """
    if timeout is not None:
        check_timeout(timeout)
    _one_statement(con, sql)
    deadline = _Deadline(con, timeout)
    try:
        try:
            cur = con.execute(sql, params) if params else con.execute(sql)
        except duckdb.Error as exc:
            if deadline.expired.is_set():
                raise deadline.error() from exc
            raise QueryError(_first_line(exc)) from exc
        columns = [d[0] for d in cur.description] if cur.description else []
        yield Stream(columns, cur if cur.description else None, deadline)
    finally:
        deadline.cancel()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _plain(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC)
    return v
