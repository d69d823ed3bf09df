"""pyarrow, imported the way every lorelens process needs it.

The first time pyarrow converts a Python list it imports pandas to check whether the
list is a pandas object: ~0.7 s of CPU in every process that converts (the loading
process and each parser process), a tenth of an ingest of a 16k-message archive.
lorelens never hands pandas objects to Arrow or DuckDB, so that probe is answered here,
once per process, with pandas hidden; code that does want pandas later
(``Table.to_pandas``, DuckDB's ``.df()``) still imports it then. Import ``pa`` from here.
"""

from __future__ import annotations

import sys

import pyarrow as pa

__all__ = ["pa"]


class _HidePandas:
    """A meta-path finder under which ``import pandas`` fails (see below)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not needed here")


def _skip_pandas_probe() -> None:
    """Answer pyarrow's one-time "is pandas installed?" probe with no, without importing
    it."""
    if "pandas" in sys.modules:
        return
    finder = _HidePandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


_skip_pandas_probe()
