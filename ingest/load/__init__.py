"""Everything that writes the database (the rest of lorelens only reads it).

- :mod:`ingest.load.database`: the writable ``Database`` (opened by ``core.database``,
  schema upgraded on open, ingest runs, resume markers);
- :mod:`ingest.load.migrations`: the schema's numbered migrations;
- :mod:`ingest.load.messages`: the ingest's ``BatchWriter`` (messages, copies, trailers,
  errors and the resume marker, one transaction per batch);
- :mod:`ingest.load.enrichment`: enrichment tables, replaced whole in one transaction.
"""

from ingest.load.database import Database, schema_sql
from ingest.load.enrichment import (
    derive_message_authors,
    replace_tables,
    set_message_series,
    set_thread_ids,
    store_inputs,
)
from ingest.load.messages import BatchCounts, BatchWriter
from ingest.load.migrations import upgrade

__all__ = [
    "BatchCounts",
    "BatchWriter",
    "Database",
    "derive_message_authors",
    "replace_tables",
    "schema_sql",
    "set_message_series",
    "set_thread_ids",
    "store_inputs",
    "upgrade",
]
