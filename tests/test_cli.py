"""The `lorelens` command: --db everywhere, sql output formats, status, help texts, and
one clear line (never a traceback) for bad input; the SQL console is locked down."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner, Result

import cli
from tests.conftest import (
    held_open,
    last_run,
    odd_mails,
    run_ingest,
    scalar,
    write_mbox,
    write_v1,
)

# commands that do not work on a database, and why
NO_DB = {"sample": "writes a sample archive, not a database"}


@pytest.fixture
def db(odd_db: Path) -> Path:
    return odd_db


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), env=env, catch_exceptions=True)


def one_clear_line(res: Result) -> str:
    """The command failed with exactly one line on stderr and no traceback."""
    assert res.exit_code != 0, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output
    return lines[0]


# -- --db, --help ---------------------------------------------------------------------------
def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


COMMANDS = list(all_commands(cli.main))


def test_there_are_commands() -> None:
    names = {p[-1] for p, _ in COMMANDS}
    assert {"ingest", "status", "sql"} <= names


def test_main_help() -> None:
    res = invoke("--help")
    assert res.exit_code == 0
    assert "lorelens" in res.stdout
    for path, _cmd in COMMANDS:
        if len(path) == 1:
            assert path[0] in res.stdout


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_explains_itself(path: tuple[str, ...], cmd: click.Command) -> None:
    assert (cmd.help or "").strip(), f"`lorelens {' '.join(path)}` has no help text"
    res = invoke(*path, "--help")
    assert res.exit_code == 0, res.output
    assert cmd.help.strip().split("\n")[0][:30] in " ".join(res.stdout.split())
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"


# commands that work on a database: all but groups and those listed in NO_DB (with why)
DB_COMMANDS = [(p, c) for p, c in COMMANDS
               if not isinstance(c, click.Group) and p[-1] not in NO_DB]


@pytest.mark.parametrize("path, cmd", DB_COMMANDS, ids=[" ".join(p) for p, _ in DB_COMMANDS])
def test_every_command_takes_db(path: tuple[str, ...], cmd: click.Command) -> None:
    opts = [p for p in cmd.params if p.name == "db"]
    assert opts, f"`lorelens {' '.join(path)}` has no --db"
    assert "--db" in opts[0].opts
    assert str(opts[0].default) == "data/lorelens.duckdb"
    assert opts[0].envvar == "LORELENS_DB"


def test_db_from_environment(db: Path) -> None:
    res = invoke("sql", "SELECT count(*) AS n FROM messages", "--format", "csv",
                 env={"LORELENS_DB": str(db)})
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "n"


# -- sql ------------------------------------------------------------------------------------
def test_sql_csv(db: Path) -> None:
    res = invoke("sql", "SELECT count(*) AS n FROM messages", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["n", str(len(odd_mails()) - 1)]


def test_sql_csv_quotes_and_lists(db: Path) -> None:
    res = invoke("sql", "SELECT subject, files FROM messages WHERE is_patch ORDER BY subject",
                 "--db", str(db), "--format", "csv")
    assert res.exit_code == 0, res.output
    got = list(csv.reader(io.StringIO(res.stdout)))
    assert got[0] == ["subject", "files"]
    assert ["[PATCH v3 2/5] watchdog: foo: reset on start",
            '["drivers/watchdog/foo_wdt.c", "Documentation/watchdog/foo.rst"]'] in got


def test_sql_json(db: Path) -> None:
    res = invoke("sql", "SELECT message_id, date, lists FROM messages ORDER BY message_id "
                 "LIMIT 3", "--db", str(db), "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert isinstance(data, list) and len(data) == 3
    assert set(data[0]) == {"message_id", "date", "lists"}
    assert data[0]["date"].endswith("+00:00")
    assert all(isinstance(r["lists"], list) and r["lists"] for r in data)


def test_sql_table(db: Path) -> None:
    res = invoke("sql", "SELECT message_id, is_patch FROM messages WHERE is_patch "
                 "ORDER BY message_id", "--db", str(db), "--format", "table")
    assert res.exit_code == 0, res.output
    assert "message_id" in res.stdout and "is_patch" in res.stdout
    assert "patch-attachment@example.com" in res.stdout
    assert "rows" in res.stdout.splitlines()[-1]


@pytest.mark.parametrize("query", [
    "CREATE TABLE t (a INTEGER)",
    "DELETE FROM messages",
    "UPDATE messages SET subject = 'x'",
    "INSERT INTO schema_info VALUES ('a', 'b')",
    "DROP TABLE messages",
])
def test_sql_cannot_write(db: Path, query: str) -> None:
    before = invoke("sql", "SELECT count(*) FROM messages", "--db", str(db), "--format", "csv")
    one_clear_line(invoke("sql", query, "--db", str(db)))
    after = invoke("sql", "SELECT count(*) FROM messages", "--db", str(db), "--format", "csv")
    assert before.stdout == after.stdout


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "COPY (SELECT 1) TO '/tmp/tests-helper-cli-copy.csv'",
    "ATTACH '/tmp/tests-helper-cli-attach.duckdb' AS other",
    "SET enable_external_access = true",
    "INSTALL httpfs",
])
def test_sql_cannot_read_or_write_files(db: Path, query: str) -> None:
    res = invoke("sql", query, "--db", str(db))
    one_clear_line(res)
    assert "root:" not in res.output
    assert not Path("/tmp/tests-helper-cli-copy.csv").exists()
    assert not Path("/tmp/tests-helper-cli-attach.duckdb").exists()


def test_sql_stops_long_queries(db: Path) -> None:
    started = time.monotonic()
    res = invoke("sql", "SELECT count(*) FROM range(1000000000) a, range(1000) b "
                 "WHERE (a.range * b.range) % 7 = 3", "--db", str(db), "--timeout", "0.5")
    line = one_clear_line(res)
    assert "0.5" in line and "timeout" in line
    assert time.monotonic() - started < 20


def test_sql_error_is_one_line(db: Path) -> None:
    line = one_clear_line(invoke("sql", "SELECT no_such_column FROM messages", "--db", str(db)))
    assert "no_such_column" in line


@pytest.mark.parametrize("query, says", [
    ("SELECT 1; SELECT count(*) FROM messages", "one statement at a time, please (2 given)"),
    ("CREATE TEMP TABLE t AS SELECT 1; SELECT * FROM t", "(2 given)"),
    ("  ;  ", "no SQL statement given"),
    ("SELEC 1", "syntax error"),
])
def test_sql_runs_one_statement(db: Path, query: str, says: str) -> None:
    assert says in one_clear_line(invoke("sql", query, "--db", str(db)))


def test_sql_on_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    line = one_clear_line(invoke("sql", "SELECT 1", "--db", str(missing)))
    assert str(missing) in line
    assert not missing.exists()


@pytest.mark.parametrize("command", [("sql", "SELECT 1"), ("status",), ("ingest", "MBOX")])
def test_not_a_database(tmp_path: Path, command: tuple[str, ...]) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("this is not a database\n" * 100)
    mbox = write_mbox(tmp_path / "l.mbox", odd_mails()[:2])
    args = [str(mbox) if a == "MBOX" else a for a in command]
    line = one_clear_line(invoke(*args, "--db", str(bogus)))
    assert str(bogus) in line
    assert bogus.read_text() == "this is not a database\n" * 100


# -- status -----------------------------------------------------------------------------------
def test_status(db: Path) -> None:
    res = invoke("status", "--db", str(db))
    assert res.exit_code == 0, res.output
    out = res.stdout
    n = len(odd_mails()) - 1
    assert f"messages: {n:,}" in out
    assert "linux-watchdog@vger.kernel.org" in out and "test@lists.example.org" not in out
    assert "1970" not in out and "2035" not in out  # absurd dates were replaced
    assert "2024-03-05" in out  # the earliest date of the odd mails
    assert f"last run: #{last_run(db)['run_id']}" in out
    assert "enriched: never: run `lorelens enrich`" in out  # the fixture ingests only


def test_status_says_whether_enrichment_is_up_to_date(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    mails = odd_mails()
    run_ingest([write_mbox(tmp_path / "a.mbox", mails[:6])], db)
    assert invoke("enrich", "--db", str(db)).exit_code == 0
    out = invoke("status", "--db", str(db)).stdout
    assert "enriched: #1 full at " in out and "; up to date" in out
    run_ingest([write_mbox(tmp_path / "b.mbox", mails[6:10])], db)
    new = last_run(db)["n_new"]
    assert new > 0
    out = invoke("status", "--db", str(db)).stdout
    assert f"; {new:,} messages ingested since: run `lorelens enrich`" in out


def test_status_says_when_another_lorelens_computed_the_enrichment(tmp_path: Path) -> None:
    """Tables enriched by a lorelens whose enrichment differs (an upgrade) are not up to
    date, although no message is new: the next `lorelens enrich` recomputes them whole."""
    db = tmp_path / "s.duckdb"
    run_ingest([write_mbox(tmp_path / "a.mbox", odd_mails()[:6])], db)
    assert invoke("enrich", "--db", str(db)).exit_code == 0
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE enrich_runs SET version = 'enrich 1, schema 1, lorelens 0.0.1'")
    out = invoke("status", "--db", str(db)).stdout
    assert "; computed by another lorelens: run `lorelens enrich`" in out
    assert "up to date" not in out
    assert "  - the enrichment tables were computed by another lorelens (enrich 1, schema 1, " \
        "lorelens 0.0.1; this one is enrich " in out
    assert invoke("enrich", "--db", str(db)).exit_code == 0
    out = invoke("status", "--db", str(db)).stdout
    assert "; up to date" in out and "another lorelens" not in out


def test_status_shows_a_run_left_running_as_interrupted(tmp_path: Path) -> None:
    """A run whose process died before recording its end (kill -9, or DuckDB refusing
    every write after a full disk) is not "running": no writer can hold the file while
    `lorelens status` has it open."""
    from ingest.load import Database

    db = tmp_path / "t.duckdb"
    store = Database(db)
    store.start_run(["somewhere"], "test")
    store.close()
    assert "last run: #1 interrupted at" in invoke("status", "--db", str(db)).stdout


def test_status_on_missing_database(tmp_path: Path) -> None:
    one_clear_line(invoke("status", "--db", str(tmp_path / "nope.duckdb")))


# -- ingest -----------------------------------------------------------------------------------
def test_ingest_summary(tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "l.mbox", odd_mails()[:5])
    res = invoke("ingest", str(mbox), "--db", str(tmp_path / "db.duckdb"), "--no-enrich")
    assert res.exit_code == 0, res.output
    assert "5 new" in res.stdout


@pytest.mark.parametrize("what", ["text-file", "missing", "empty-dir"])
def test_ingest_not_an_archive(tmp_path: Path, what: str) -> None:
    path = tmp_path / "x"
    if what == "text-file":
        path.write_text("not mail\n")
    elif what == "empty-dir":
        path.mkdir()
    db = tmp_path / "db.duckdb"
    line = one_clear_line(invoke("ingest", str(path), "--db", str(db)))
    assert str(path) in line
    assert not db.exists()  # nothing is written for a bad source


@pytest.fixture
def locked_db(tmp_path: Path) -> Iterator[Path]:
    """A database held open for writing by another process."""
    path = tmp_path / "locked.duckdb"
    run_ingest([write_mbox(tmp_path / "l.mbox", odd_mails()[:3])], path)
    with held_open(path, read_only=False, statement="BEGIN; INSERT INTO schema_info "
                   "VALUES ('x', 'y')"):
        yield path


@pytest.mark.parametrize("command", [("sql", "SELECT 1"), ("status",), ("ingest", "MBOX")])
def test_locked_database(locked_db: Path, command: tuple[str, ...]) -> None:
    args = [str(locked_db.parent / "l.mbox") if a == "MBOX" else a for a in command]
    line = one_clear_line(invoke(*args, "--db", str(locked_db)))
    assert str(locked_db) in line
    assert "lock" in line.lower() or "another process" in line


def test_locked_database_real_process(locked_db: Path) -> None:
    exe = Path(sys.executable).with_name("lorelens")
    proc = subprocess.run([str(exe), "ingest", str(locked_db.parent / "l.mbox"), "--db",
                           str(locked_db)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1, proc.stderr


def test_bad_alias_file_is_one_line(db: Path, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases"
    aliases.write_text("alice@example.org bob@example.org\nnot-an-address\n")
    line = one_clear_line(invoke("orgs", "--aliases", str(aliases), "--db", str(db)))
    assert "aliases" in line and ":2:" in line


def test_bad_sample_format_is_one_line(tmp_path: Path) -> None:
    line = one_clear_line(invoke("sample", "--out", str(tmp_path / "s"), "--formats", "foo"))
    assert "foo" in line


# -- the main job -----------------------------------------------------------------------------


def test_demo_builds_the_sample_database_and_reuses_the_sample(tmp_path: Path) -> None:
    """`lorelens demo` (what `make demo` runs), offline: sample written, every mail of it
    ingested, enrichment up to date, what to try next printed; a second run reuses the
    sample (read from the head of its truth.json alone), and a truth.json that is not
    one of ours is written anew."""
    db = tmp_path / "data" / "lorelens.duckdb"
    first = invoke("demo", "--db", str(db), "--scale", "400", "--no-app")
    assert first.exit_code == 0, first.output
    assert "writing a sample of about 400 messages" in first.output
    truth = json.loads((tmp_path / "data" / "sample" / "truth.json").read_text())
    n_messages = truth["totals"]["messages"]
    assert scalar(db, "SELECT count(*) FROM messages") == n_messages
    assert "Try:" in first.output and "report series_outcomes" in first.output
    status = invoke("status", "--db", str(db))
    assert "up to date" in status.output, status.output

    again = invoke("demo", "--db", str(db), "--scale", "400", "--no-app")
    assert again.exit_code == 0, again.output
    assert "using the sample in" in again.output
    assert "writing a sample" not in again.output

    (tmp_path / "data" / "sample" / "truth.json").write_text("{}\n")
    third = invoke("demo", "--db", str(db), "--scale", "400", "--no-app")
    assert third.exit_code == 0, third.output
    assert "writing a sample of about 400 messages" in third.output



def test_only_a_first_ingest_starts_the_parser_server_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first ingest (no database yet) starts the parser processes' fork server before
    anything else, so its imports overlap the command's own; a later run, mostly a few
    new mails, must not pay for it (nor keep its output open while the server imports)."""
    import ingest.workers

    calls: list[int] = []
    monkeypatch.setattr(ingest.workers, "start_server", lambda: calls.append(1))
    repo = write_v1(tmp_path / "linux-watchdog.vger.kernel.org.0.git", odd_mails())
    db = tmp_path / "x.duckdb"
    for _ in range(2):
        res = invoke("ingest", str(repo), "--db", str(db), "--jobs", "2", "--quiet")
        assert res.exit_code == 0, res.output
    assert calls == [1]
    res = invoke("ingest", str(repo), "--db", str(tmp_path / "y.duckdb"), "-j", "1", "-q")
    assert res.exit_code == 0, res.output
    assert calls == [1]  # one parser process: no server at all
