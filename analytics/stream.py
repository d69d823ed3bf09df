"""Writing a running query's rows as they come (``lorelens sql``, the SQL console's
downloads), in the formats of :mod:`analytics.render` and byte for byte as it writes a
whole result, so that a large result never has to fit in memory and the time limit of
:func:`analytics.db.stream_query` covers the writing too."""

from __future__ import annotations

from typing import BinaryIO

from analytics.db import Result, Stream
from analytics.render import render


def write_stream(stream: Stream, fmt: str, sink: BinaryIO, *, width: int | None = None,
                 table_rows: int = 10_000) -> tuple[int, bool]:
    """Write the rows of ``stream`` to ``sink`` in ``fmt``. Returns the rows written and
    whether rows were left out (``table`` draws at most ``table_rows``, all others
    write every row)."""
    if fmt == "table":
        rows = stream.fetch(table_rows)
        more = bool(stream.fetch(1))
        sink.write(render(Result(stream.columns, rows), "table", width=width))
        return len(rows), more
    if fmt == "parquet":
        return _parquet(stream, sink), False
    n = 0
    for chunk in stream.chunks():
        part = render(Result(stream.columns, chunk), fmt)
        if fmt == "json":  # one array: the chunks' arrays joined
            body = part[len(b"[\n"):-len(b"\n]\n")]
            part = (b"[\n" if n == 0 else b",\n") + body
        elif n > 0:  # csv and md: the header once
            part = part.split(b"\n", 1 if fmt == "csv" else 2)[-1]
        sink.write(part)
        n += len(chunk)
    if n == 0:
        sink.write(render(Result(stream.columns, []), fmt))
    elif fmt == "json":
        sink.write(b"\n]\n")
    return n, False


def _parquet(stream: Stream, sink: BinaryIO) -> int:
    import pyarrow.parquet as pq

    n = 0
    writer = None
    for batch in stream.arrow_batches():
        if writer is None:
            writer = pq.ParquetWriter(sink, batch.schema)
        writer.write_batch(batch)
        n += batch.num_rows
    if writer is None:  # no rows: the columns alone, as render writes them
        sink.write(render(Result(stream.columns, []), "parquet"))
    else:
        writer.close()
    return n
