"""What every part of lorelens shares, and nothing else: the version, the named errors
(``core.errors``), opening a database for writing or reading with its schema version
(``core.database``), and the read snapshots of a database (``core.snapshot``).

``ingest`` (the writing side) and ``analytics`` (the reading side) both build on it; it
imports neither (README.md, "What is where").
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lorelens")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
