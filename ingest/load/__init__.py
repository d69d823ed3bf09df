"""Everything that writes the database (the rest of lorelens only reads it).

- :mod:`ingest.load.database`: opening a database, the schema and its version; the
  writable ``Database`` (schema upgraded on open, ingest runs, resume markers);
- :mod:`ingest.load.messages`: the ingest's ``BatchWriter`` (messages, copies, trailers,
  errors and the resume marker, one transaction per batch);
- :mod:`ingest.load.enrichment`: enrichment tables, replaced whole in one transaction.
"""

from ingest.load.database import Database, check_schema, connect, schema_sql
from ingest.load.enrichment import (
    derive_message_authors,
    replace_tables,
    set_message_series,
    set_thread_ids,
    store_inputs,
)
from ingest.load.messages import BatchCounts, BatchWriter
from ingest.load.migrations import latest_version, upgrade

SCHEMA_VERSION = str(latest_version())  # the schema this lorelens writes

__all__ = [
    "SCHEMA_VERSION",
    "BatchCounts",
    "BatchWriter",
    "Database",
    "check_schema",
    "connect",
    "derive_message_authors",
    "latest_version",
    "replace_tables",
    "schema_sql",
    "set_message_series",
    "set_thread_ids",
    "store_inputs",
    "upgrade",
]
