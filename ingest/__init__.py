"""lorelens ingest: everything that writes the database."""
