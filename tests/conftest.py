"""Shared fixtures: real git / public-inbox archives built at test time, shared data.

Missing tools or data skip a test with a clear reason on a developer machine and FAIL
it when the environment variable ``CI`` is set, so CI can never go green by skipping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from corpus import writers

ROOT = Path(__file__).resolve().parents[1]
MAILS = Path(__file__).resolve().parent / "mails"
UTC = dt.UTC
T0 = dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)  # archive time of the first built mail
WATCHDOG = "linux-watchdog.vger.kernel.org.0.git"
LIVEPATCH = "live-patching.vger.kernel.org.0.git"


# -- skip locally, fail in CI ---------------------------------------------------------
def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_tool(*names: str) -> None:
    """Skip (locally) or fail (in CI) when a command-line tool is not installed."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        package = "public-inbox" if any(m.startswith("public-inbox") for m in missing) else "git"
        skip_or_fail(f"needs {', '.join(missing)} on PATH (Debian: apt-get install {package})")


def shared_root() -> Path:
    env = os.environ.get("LORELENS_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_archives() -> Path:
    """The folder holding the real archives (linux-watchdog, live-patching)."""
    path = shared_root() / "data" / "archives"
    if not (path / WATCHDOG).is_dir() or not (path / LIVEPATCH).is_dir():
        skip_or_fail(f"the shared real archives are not at {path} (set LORELENS_SHARED)")
    require_tool("git")
    return path


# -- mails ----------------------------------------------------------------------------
def make_mail(
    n: int | str,
    *,
    subject: str | None = None,
    sender: str = "Tester <tester@example.com>",
    date: str | None = "Mon, 01 Jan 2024 10:00:00 +0000",
    body: str | None = None,
    msgid: str | None = None,
    list_id: str | None = None,
    extra: str = "",
) -> bytes:
    """A small plain-text mail; ``n`` makes its Message-ID and subject unique."""
    msgid = msgid or f"mail-{n}@example.com"
    lines = [f"From: {sender}", "To: test@example.com"]
    lines.append(f"Subject: {subject or f'test mail {n}'}")
    if date:
        lines.append(f"Date: {date}")
    lines.append(f"Message-ID: <{msgid}>")
    if list_id:
        lines.append(f"List-Id: <{list_id}>")
    if extra:
        lines.extend(extra.rstrip("\n").split("\n"))
    text = "\n".join(lines) + "\n\n" + (body or f"Body of mail {n}.\n")
    return text.encode()


def odd_mails() -> list[bytes]:
    """Every hand-written mail of tests/mails, in name order."""
    return [p.read_bytes() for p in sorted(MAILS.glob("*.eml"))]


def times(n: int, start: dt.datetime = T0, step: int = 60) -> list[dt.datetime]:
    """Archive times one ``step`` seconds apart (whole seconds: mbox From_ lines)."""
    return [start + dt.timedelta(seconds=i * step) for i in range(n)]


# -- git / public-inbox archives ------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One public-inbox commit: a message (file ``m``) or a deletion (file ``d``)."""

    data: bytes
    when: dt.datetime
    file: str = "m"


def init_bare(git_dir: Path) -> Path:
    """An empty bare repository (``corpus.writers.init_bare``)."""
    writers.init_bare(git_dir)
    return git_dir


def _ts(when: dt.datetime) -> int:
    return int(when.timestamp())


def add_commits(git_dir: Path, entries: Iterable[Entry]) -> None:
    """Append one commit per entry (tree: only ``m``, ``d`` or the entry's file), as
    public-inbox does, written as a git pack by ``corpus.writers.CommitLog``."""
    log = writers.CommitLog(git_dir, "lorelens tests <tests@example.invalid>")
    for e in entries:
        copy, mail = writers.raw_mail(e.data, _ts(e.when), file=e.file)
        log.commit(copy, mail, mail.archive_ts, "+0000", mail.archive_ts)
    log.close()


def entries(mails: Sequence[bytes], whens: Sequence[dt.datetime] | None = None) -> list[Entry]:
    whens = whens or times(len(mails))
    return [Entry(m, w) for m, w in zip(mails, whens, strict=True)]


def write_v1(git_dir: Path, mails: Sequence[bytes], whens=None) -> Path:
    """A public-inbox v1 archive: one bare repository, one commit per mail."""
    repo = writers.V1Repo(git_dir, git_dir.name.removesuffix(".git"))
    for e in entries(mails, whens):
        repo.add(*writers.raw_mail(e.data, _ts(e.when)))
    repo.close()
    return git_dir


def write_v2(inbox: Path, epochs: Sequence[Sequence[Entry]]) -> Path:
    """A public-inbox v2 inbox folder with ``git/N.git`` per epoch (entries with file
    ``d`` are deletions); an inbox that exists gets the epochs' commits on top of its
    own, from epoch 0 on."""
    v2 = writers.V2Inbox(inbox, inbox.name, first_cap=sys.maxsize, cap=sys.maxsize)
    for ents in epochs:
        v2.next_epoch()
        for e in ents:
            copy, mail = writers.raw_mail(e.data, _ts(e.when), file=e.file)
            (v2.delete if e.file == "d" else v2.add)(copy, mail)
    v2.close()
    return inbox


def write_mbox(path: Path, mails: Sequence[bytes], whens=None, *, gz: bool = False) -> Path:
    """An mboxrd file (gzip-compressed when ``gz``) with the archive times in From_ lines
    (``corpus.writers.Mbox``)."""
    mbox = writers.Mbox(None, path) if gz else writers.Mbox(path, None)
    for e in entries(mails, whens):
        mbox.add(*writers.raw_mail(e.data, _ts(e.when), git=False))
    mbox.close()
    return path


def write_maildir(path: Path, mails: Sequence[bytes], whens=None) -> Path:
    """A maildir (mails in cur/, named by archive time, then order given), file mtimes set
    to the archive times (``corpus.writers.Maildir``)."""
    md = writers.Maildir(path)
    for i, e in enumerate(entries(mails, whens)):
        md.add(*writers.raw_mail(e.data, _ts(e.when), seq=i, git=False))
    md.close()
    return path


# -- public-inbox (Debian 1.9) ----------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PublicInbox:
    """A real v2 inbox made with public-inbox-init, fed with public-inbox-mda."""

    root: Path
    name: str
    port: int
    address: str = "test@example.com"
    folder: str = "inbox"  # the inbox's folder under root

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.root), "PI_CONFIG": str(self.root / "pi-config")}

    @property
    def path(self) -> Path:
        return self.root / self.folder

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}"

    def create(self) -> None:
        subprocess.run(
            ["public-inbox-init", "-V2", "-L", "basic", self.name, str(self.path), self.url,
             self.address], env=self.env, check=True, capture_output=True,
        )
        subprocess.run(
            ["git", "config", "-f", str(self.root / "pi-config"), "publicinboxmda.spamcheck",
             "none"], check=True, capture_output=True,
        )

    def deliver(self, mails: Iterable[bytes]) -> None:
        env = {**self.env, "ORIGINAL_RECIPIENT": self.address}
        for data in mails:
            proc = subprocess.run(["public-inbox-mda", "--no-precheck"], input=data, env=env,
                                  capture_output=True)
            if proc.returncode != 0:
                raise RuntimeError(f"public-inbox-mda failed: {proc.stderr.decode()}")


@pytest.fixture
def public_inbox(tmp_path: Path) -> PublicInbox:
    require_tool("public-inbox-init", "public-inbox-mda", "public-inbox-httpd", "git")
    inbox = PublicInbox(tmp_path / "pi", "test", free_port())
    inbox.root.mkdir()
    inbox.create()
    return inbox


def wait_for_port(port: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def serving(inbox: PublicInbox) -> Iterator[PublicInbox]:
    """public-inbox-httpd on 127.0.0.1 serving every inbox of ``inbox``'s configuration
    (stopped by its pid after)."""
    log = (inbox.root / "httpd.log").open("wb")
    proc = subprocess.Popen(
        ["public-inbox-httpd", "-l", f"http://127.0.0.1:{inbox.port}"],
        env=inbox.env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        if not wait_for_port(inbox.port):
            pytest.fail(f"public-inbox-httpd did not listen on {inbox.port}: "
                        f"{(inbox.root / 'httpd.log').read_text()}")
        yield inbox
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def served_inbox(public_inbox: PublicInbox) -> Iterator[PublicInbox]:
    """The inbox served by public-inbox-httpd on 127.0.0.1."""
    with serving(public_inbox) as inbox:
        yield inbox


# -- the database -----------------------------------------------------------------------
MESSAGE_LOCATION_COLUMNS = ("first_seen_run", "thread_id", "series_id")


def rows(db: Path, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(db: Path, sql: str, params: Sequence[object] | None = None) -> Any:
    return rows(db, sql, params)[0][0]


@contextlib.contextmanager
def held_open(db: Path, *, read_only: bool, statement: str = "") -> Iterator[subprocess.Popen]:
    """Another process holding ``db`` open (a writer, or a reader such as `lorelens
    sql`), after running ``statement``, until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], "
         "read_only=sys.argv[2] == 'r'); c.execute(sys.argv[3]) if sys.argv[3] else None; "
         "print('ready', flush=True); sys.stdin.read()",
         str(db), "r" if read_only else "w", statement],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()


def report_records(db: Path, name: str, params: dict[str, Any] | None = None
                   ) -> list[dict[str, Any]]:
    """The rows of report ``name`` on ``db``, as the CLI and the dashboard get them."""
    from analytics.reports import run_report
    from core.database import connect_readonly

    con = connect_readonly(db)
    try:
        return run_report(con, name, params).records()
    finally:
        con.close()


def table_digest(db: Path, table: str, exclude: Sequence[str] = (), order: str = "ALL") -> str:
    """An md5 over every row of ``table`` (minus ``exclude`` columns), order-independent."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in exclude]
        sel = ", ".join(f'"{c}"' for c in cols)
        return fetch_one(con.execute(
            f"SELECT coalesce(md5(string_agg(r, '\n' ORDER BY r)), '') FROM "
            f"(SELECT CAST(ROW({sel}) AS VARCHAR) AS r FROM {table})"
        ))[0]
    finally:
        con.close()


def run_ingest(specs: Sequence[str | Path], db: Path, **kw: Any):
    """The library entry point of `lorelens ingest` (no enrichment, no progress bar)."""
    from ingest.pipeline import ingest

    kw.setdefault("mirrors", db.parent / "mirrors")
    kw.setdefault("show_progress", False)
    kw.setdefault("jobs", 1)
    return ingest([str(s) for s in specs], db, **kw)


def fetch_one(cur: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """``cur.fetchone()`` of a query that has a row to give (typed without the None)."""
    row = cur.fetchone()
    assert row is not None, "the query gave no row"
    return row


def last_run(db: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT 1")
        return dict(zip([d[0] for d in cur.description], fetch_one(cur), strict=True))
    finally:
        con.close()


# -- databases for the reports ------------------------------------------------------------
@dataclass(frozen=True)
class ReportDB:
    """An ingested and enriched sample with its planted truths (docs/corpus.md)."""

    path: Path
    truth: dict[str, Any]
    sample: Path


def build_report_db(out: Path, *, seed: int = 42, scale: int = 1500,
                    maintainers: bool = True) -> ReportDB:
    """Write a seeded sample into ``out``, ingest it and enrich it (with its MAINTAINERS
    and domain map unless ``maintainers`` is false)."""
    import json

    from corpus.api import write_sample
    from ingest.enrich.inputs import set_maintainers, set_org_inputs
    from ingest.enrich.stages import run_stages
    from ingest.load import Database

    write_sample(out, seed=seed, scale=scale, formats=("v2",))
    db = out / "t.duckdb"
    run_ingest(sorted((out / "inbox").iterdir()), db, mirrors=out / "mirrors")
    store = Database(db)
    try:
        if maintainers:
            set_maintainers(store.con, out / "MAINTAINERS")
        set_org_inputs(store.con, domain_maps=[out / "domain-map"])
        run_stages(store.con)
    finally:
        store.close()
    return ReportDB(db, json.loads((out / "truth.json").read_text()), out)


@pytest.fixture(scope="session")
def report_db(tmp_path_factory: pytest.TempPathFactory) -> ReportDB:
    """One enriched sample per test session, opened read-only by the report tests."""
    return build_report_db(tmp_path_factory.mktemp("report-db"))


@pytest.fixture(scope="session")
def bare_report_db(tmp_path_factory: pytest.TempPathFactory) -> ReportDB:
    """The same kind of sample, enriched without a MAINTAINERS file."""
    return build_report_db(tmp_path_factory.mktemp("report-db-bare"), seed=3, scale=400,
                           maintainers=False)


@pytest.fixture(scope="session")
def odd_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The odd mails (``odd_mails``) of one v1 list ingested, not enriched: shared by the
    tests that only read it."""
    tmp = tmp_path_factory.mktemp("odd-db")
    path = tmp / "db.duckdb"
    run_ingest([write_v1(tmp / "linux-watchdog.vger.kernel.org.0.git", odd_mails())], path)
    return path


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema and no mail."""
    from ingest.load import Database

    path = tmp_path_factory.mktemp("empty-db") / "empty.duckdb"
    Database(path).close()
    return path


@pytest.fixture(scope="session")
def tree_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sample with its kernel-like git tree (docs/corpus.md, kernel.git), ingested
    but not enriched: the tests enrich copies of it with and without the tree."""
    require_tool("git")
    from corpus.api import write_sample

    out = tmp_path_factory.mktemp("tree-sample")
    write_sample(out, seed=7, scale=400, formats=("v2",), git_tree=True)
    run_ingest(sorted((out / "inbox").iterdir()), out / "t.duckdb", mirrors=out / "mirrors")
    return out


# -- the command line ------------------------------------------------------------------------
def invoke_cli(*args: str | Path) -> Any:
    """``lorelens ARGS`` through click's runner (a ``click.testing.Result``)."""
    from click.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=True)


def one_error_line(res: Any) -> str:
    """The single error line of a command that failed as a user mistake should: exit
    status 1, one line on stderr, no traceback."""
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    return lines[0]
