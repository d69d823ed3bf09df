"""lorelens ingest: everything that writes the database."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lorelens")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
