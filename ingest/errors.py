"""The few named exceptions of lorelens.

The CLI turns each into one clear line and a non-zero exit; the dashboard into ``st.error``.
"""


class LorelensError(Exception):
    """Base class: a problem the user can act on (never a bug)."""


class SourceError(LorelensError):
    """A source path or URL is not a readable archive."""


class RemoteError(SourceError):
    """A remote inbox could not be reached or mirrored."""


class DatabaseError(LorelensError):
    """The database cannot be opened (locked by another writer, not a DuckDB file, …)."""


class ConfigError(LorelensError):
    """A configuration file (MAINTAINERS, domain map, overrides) is missing or invalid."""


class WorkerError(LorelensError):
    """A parser process died (killed, out of memory) while the ingest ran."""


class Terminated(KeyboardInterrupt):
    """The command got SIGTERM: it ends as on Ctrl-C (the open transaction rolled back,
    the ingest run recorded as interrupted), then says so."""
