"""Schema versions (docs/schema.md, "Schema versions"): a database of the first release
upgrades on open to the shape of a new one, keeping its rows; readers never upgrade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from core.database import SCHEMA_VERSION, connect_readonly
from core.errors import DatabaseError
from ingest.load import Database
from ingest.load.migrations import migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def release_1_database(path: Path) -> Path:
    """A database as the first release wrote it, with one message and one series."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute((FIXTURES / "schema-1.sql").read_text())
    con.execute("INSERT INTO schema_info VALUES ('schema_version', '1')")
    con.execute("INSERT INTO messages (message_id, msgid_synthetic, date, date_source, "
                "subject, is_reply, is_patch, is_cover, is_rfc, is_resend, has_diff, lists, "
                "content_hash, first_seen_run) VALUES ('m1@example.org', false, ?, 'header', "
                "'[PATCH] x', false, true, false, false, false, true, ['l@example.org'], "
                "'0', 1)", [dt.datetime(2024, 1, 1, tzinfo=dt.UTC)])
    con.close()
    return path


def shape(path: Path) -> set[tuple[str, str, str, bool]]:
    """Every table's columns: (table, column, type, nullable), order aside."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return set(con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE NOT internal AND database_name = current_database()").fetchall())
    finally:
        con.close()


def test_a_release_1_database_upgrades_to_the_shape_of_a_new_one(tmp_path):
    old = release_1_database(tmp_path / "old.duckdb")
    fresh = tmp_path / "fresh.duckdb"
    Database(fresh).close()
    assert shape(old) != shape(fresh)
    Database(old).close()
    assert shape(old) == shape(fresh)
    con = duckdb.connect(str(old), read_only=True)
    try:
        assert con.execute("SELECT value FROM schema_info").fetchall() == [(str(SCHEMA_VERSION),)]
        assert [v for v, _n in con.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version").fetchall()] == \
            list(range(2, SCHEMA_VERSION + 1))
        assert con.execute("SELECT message_id FROM messages").fetchall() == \
            [("m1@example.org",)]
    finally:
        con.close()
    Database(old).close()  # a second open applies nothing again
    assert shape(old) == shape(fresh)


def test_a_new_database_is_created_at_the_latest_version_without_migrations(tmp_path):
    db = tmp_path / "new.duckdb"
    Database(db).close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM schema_info").fetchall() == [(str(SCHEMA_VERSION),)]
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchall() == [(0,)]
    finally:
        con.close()


def test_a_reader_asks_for_the_upgrade_and_lorelens_upgrade_does_it(tmp_path):
    old = release_1_database(tmp_path / "old.duckdb")
    with pytest.raises(DatabaseError, match="lorelens upgrade --db"):
        connect_readonly(old)
    out = CliRunner().invoke(main, ["upgrade", "--db", str(old)])
    assert out.exit_code == 0, out.output
    assert f"schema 1 → {SCHEMA_VERSION}" in out.output
    connect_readonly(old).close()
    again = CliRunner().invoke(main, ["upgrade", "--db", str(old)])
    assert again.exit_code == 0 and "already at schema" in again.output


def test_migrations_are_numbered_without_gaps():
    assert [m.version for m in migrations()] == list(range(2, SCHEMA_VERSION + 1))
    assert all(m.sql.strip() for m in migrations())
