"""The SQL sandbox of `lorelens sql` and the dashboard has no door into the spill
directory (docs/guide.md, "Read the numbers")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import odd_mails, run_ingest, write_v1


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sqllimits")
    path = tmp / "db.duckdb"
    run_ingest([write_v1(tmp / "linux-watchdog.vger.kernel.org.0.git", odd_mails())], path)
    return path


def sql(*args: str):
    return CliRunner().invoke(cli.main, ["sql", *args], catch_exceptions=True)


def test_spill_directory_is_closed_too(db: Path) -> None:
    # DuckDB's temporary directory for a database file is <db>.tmp/; a locked-down
    # connection could read (and write) files there
    spill = db.with_name(db.name + ".tmp")
    spill.mkdir(exist_ok=True)
    (spill / "secret.csv").write_text("secret\nhunter2\n")
    res = sql(f"SELECT * FROM read_csv('{spill / 'secret.csv'}')", "--db", str(db))
    assert res.exit_code == 1
    assert "hunter2" not in res.output
    assert "disabled by configuration" in res.stderr
