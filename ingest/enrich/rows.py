"""Query results as Python values, faster than ``pyarrow.Table.to_pylist``.

Arrow turns each time-zone-aware timestamp into a ``datetime`` through the time zone
database (~9 µs a value: a third of the cost of reading every message). A UTC column is
read here as integer microseconds and added to the epoch in the very ``tzinfo`` object
Arrow itself would attach (exact, well under a microsecond a value; no NumPy, which
pyarrow does not require); every other column goes through Arrow as before. The values
are equal, and of the same types, to what ``to_pylist`` gives
(``tests/test_rows.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "+00:00"})


def column_values(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """``column.to_pylist()``, with UTC microsecond timestamps converted in bulk."""
    kind = column.type
    if not (pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz in _UTC_NAMES):
        return column.to_pylist()
    first = next((x for x in column if x.is_valid), None)
    if first is None:
        return column.to_pylist()
    epoch = dt.datetime(1970, 1, 1, tzinfo=first.as_py().tzinfo)
    micros = column.cast(pa.int64()).to_pylist()
    try:
        return [None if x is None else epoch + dt.timedelta(microseconds=x) for x in micros]
    except OverflowError:
        return column.to_pylist()  # outside datetime's range: let Arrow decide


def table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """``table.to_pylist()``: one dict per row, keyed by column name."""
    return column_rows({n: column_values(c) for n, c in zip(table.column_names,
                                                           table.columns, strict=True)})


def column_rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Equal-length columns (name → values) as one dict per row."""
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


class Columns:
    """Rows gathered column by column (a list per column, not a dict per row: an
    enrichment's output rows are its second largest holding, bench/README.md), turned
    into an Arrow table once, as ``pa.Table.from_pylist`` would turn the rows."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.n = 0

    def add(self, **row: Any) -> None:
        """One row; every row names the same columns, in the same order."""
        if not self.columns:
            self.columns = {name: [] for name in row}
        for name, value in row.items():
            self.columns[name].append(value)
        self.n += 1

    def take_table(self) -> pa.Table:
        """The rows as an Arrow table; the columns are let go (the builder is empty)."""
        columns, self.columns, self.n = self.columns, {}, 0
        return pa.Table.from_pydict(columns)
