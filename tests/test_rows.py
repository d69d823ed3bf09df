"""ingest.enrich.rows: the same Python values as pyarrow's to_pylist, faster."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from ingest.enrich.rows import column_values, table_rows

UTC = dt.UTC
STAMPS = [
    dt.datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC),
    None,
    dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # before the epoch
    dt.datetime(1991, 1, 1, tzinfo=UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(1, 1, 1, tzinfo=UTC),
]


@pytest.mark.parametrize("tz", ["UTC", "+00:00", "Etc/UTC"])
def test_utc_timestamps_equal_arrow(tz: str) -> None:
    col = pa.chunked_array([pa.array(STAMPS[:3], pa.timestamp("us", tz=tz)),
                            pa.array(STAMPS[3:], pa.timestamp("us", tz=tz))])
    got = column_values(col)
    want = col.to_pylist()
    assert got == want
    assert [type(x) for x in got] == [type(x) for x in want]
    assert [x.tzinfo for x in got if x] == [x.tzinfo for x in want if x]


@pytest.mark.parametrize("array", [
    pa.array([None, None], pa.timestamp("us", tz="UTC")),
    pa.array([1, 2], pa.timestamp("us", tz="Europe/Berlin")),
    pa.array([1000, 2000], pa.timestamp("ns", tz="UTC")),
    pa.array(["a", None]),
    pa.array([[1], None, []], pa.list_(pa.int32())),
])
def test_other_columns_go_through_arrow(array: pa.Array) -> None:
    assert column_values(array) == array.to_pylist()


def test_table_rows_equal_to_pylist() -> None:
    table = pa.table({
        "id": ["a", "b", "c", "d", "e", "f"],
        "at": pa.array(STAMPS, pa.timestamp("us", tz="UTC")),
        "n": [1, None, 3, 4, 5, 6],
    })
    assert table_rows(table) == table.to_pylist()
