"""Ingest into a real DuckDB file: equivalence of sources, idempotency, incremental runs,
v2 deletions and epochs, cross-posting, and a real crash (SIGKILL) and resume."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import WorkerError
from ingest.model import SourceKind
from ingest.pipeline import Parser
from ingest.sources.base import Unit
from tests.conftest import (
    MESSAGE_LOCATION_COLUMNS,
    T0,
    Entry,
    add_commits,
    init_bare,
    last_run,
    make_mail,
    odd_mails,
    rows,
    run_ingest,
    scalar,
    table_digest,
    times,
    write_maildir,
    write_mbox,
    write_v1,
    write_v2,
)

ODD = odd_mails()
LABEL = "test@lists.example.org"
TABLES = ("messages", "trailers", "message_sources", "deleted_messages", "ingest_errors",
          "source_state")


def digests(db: Path) -> dict[str, str]:
    return {t: table_digest(db, t) for t in TABLES}


def counts(db: Path) -> dict[str, int]:
    return {t: scalar(db, f"SELECT count(*) FROM {t}") for t in TABLES}


def build(kind: str, tmp: Path, mails: list[bytes]) -> Path:
    whens = times(len(mails))
    if kind == "v1":
        return write_v1(tmp / "list.git", mails, whens)
    if kind == "v2":
        ents = [Entry(m, w) for m, w in zip(mails, whens, strict=True)]
        return write_v2(tmp / "inbox", [ents[: len(ents) // 2], ents[len(ents) // 2 :]])
    if kind == "mbox":
        return write_mbox(tmp / "list.mbox", mails, whens)
    if kind == "mbox.gz":
        return write_mbox(tmp / "list.mbox.gz", mails, whens, gz=True)
    return write_maildir(tmp / "maildir", mails, whens)


# -- v1 = v2 = mbox = mbox.gz = maildir ---------------------------------------------------
@pytest.fixture(scope="module")
def per_kind(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for kind in ("v1", "v2", "mbox", "mbox.gz", "maildir"):
        tmp = tmp_path_factory.mktemp(kind.replace(".", "-"))
        spec = build(kind, tmp, ODD)
        db = tmp / "db.duckdb"
        run_ingest([spec], db, label=LABEL)
        out[kind] = db
    return out


@pytest.mark.parametrize("kind", ["v2", "mbox", "mbox.gz", "maildir"])
def test_sources_give_the_same_messages(per_kind: dict[str, Path], kind: str) -> None:
    ref = per_kind["v1"]
    assert scalar(ref, "SELECT count(*) FROM messages") == len(ODD) - 1  # one duplicate id
    assert table_digest(per_kind[kind], "messages", MESSAGE_LOCATION_COLUMNS) == table_digest(
        ref, "messages", MESSAGE_LOCATION_COLUMNS)
    assert table_digest(per_kind[kind], "trailers") == table_digest(ref, "trailers")
    got = rows(per_kind[kind], "SELECT duplicate, count(*) FROM message_sources GROUP BY 1")
    assert sorted(got) == [("different-content", 1), ("first", len(ODD) - 1)]


def test_every_mail_read_is_accounted_for(per_kind: dict[str, Path]) -> None:
    for kind, db in per_kind.items():
        run = last_run(db)
        assert run["status"] == "ok", kind
        assert run["n_read"] == len(ODD) == scalar(db, "SELECT count(*) FROM message_sources")
        assert (run["n_new"], run["n_duplicate"], run["n_failed"]) == (len(ODD) - 1, 1, 0)
        assert scalar(db, "SELECT count(*) FROM ingest_errors") == 0


def test_duplicate_message_id_keeps_the_first(per_kind: dict[str, Path]) -> None:
    db = per_kind["v1"]
    got = rows(db, "SELECT body_bytes FROM messages WHERE message_id = 'duplicate@example.com'")
    assert got == [(len("First version of the text.\n"),)]
    assert scalar(db, "SELECT count(DISTINCT content_hash) FROM message_sources "
                      "WHERE message_id = 'duplicate@example.com'") == 2


def test_bad_dates_fall_back_to_the_archive_time(per_kind: dict[str, Path]) -> None:
    db = per_kind["mbox"]
    got = dict(rows(db, "SELECT message_id, date_source FROM messages "
                        "WHERE message_id LIKE 'date-%' AND date_source <> 'header'"))
    assert got == {
        "date-missing@example.com": "archive:missing",
        "date-unparsable@example.com": "archive:unparsable",
        "date-future@example.com": "archive:future",
        "date-before-1991@example.com": "archive:too-old",
        "date-offset-1600@example.com": "archive:bad-offset",
        "date-offset-2000@example.com": "archive:bad-offset",
        "date-offset-1900@example.com": "archive:bad-offset",
    }
    assert scalar(db, "SELECT bool_and(date = archive_time) FROM messages "
                      "WHERE date_source LIKE 'archive:%'")


# -- idempotency ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["v1", "v2", "mbox.gz", "maildir"])
def test_ingest_twice_adds_nothing(kind: str, tmp_path: Path) -> None:
    spec = build(kind, tmp_path, ODD)
    db = tmp_path / "db.duckdb"
    run_ingest([spec], db, label=LABEL)
    before_counts, before = counts(db), digests(db)
    run_ingest([spec], db, label=LABEL)
    assert counts(db) == before_counts
    assert digests(db) == before
    assert last_run(db)["n_new"] == 0 and last_run(db)["status"] == "ok"


# -- incremental ----------------------------------------------------------------------------
def test_v1_incremental_reads_only_new_commits(tmp_path: Path) -> None:
    mails = [make_mail(i) for i in range(30)]
    spec = write_v1(tmp_path / "list.git", mails[:20])
    db = tmp_path / "db.duckdb"
    run_ingest([spec], db)
    assert last_run(db)["n_read"] == 20
    add_commits(spec, [Entry(m, w) for m, w in zip(mails[20:], times(10, T0), strict=True)])
    run_ingest([spec], db)
    assert (last_run(db)["n_read"], last_run(db)["n_new"]) == (10, 10)
    assert scalar(db, "SELECT count(*) FROM messages") == 30
    run_ingest([spec], db)
    assert last_run(db)["n_read"] == 0


def test_v2_incremental_per_epoch(tmp_path: Path) -> None:
    mails = [make_mail(i) for i in range(12)]
    t = times(12)
    inbox = write_v2(tmp_path / "inbox", [[Entry(m, t[0]) for m in mails[:5]],
                                          [Entry(m, t[1]) for m in mails[5:8]]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    assert last_run(db)["n_read"] == 8
    add_commits(inbox / "git" / "1.git", [Entry(m, T0) for m in mails[8:10]])
    run_ingest([inbox], db)
    assert last_run(db)["n_read"] == 2
    # a new epoch appears
    add_commits(init_bare(inbox / "git" / "2.git"), [Entry(m, T0) for m in mails[10:]])
    run_ingest([inbox], db)
    assert last_run(db)["n_read"] == 2
    assert scalar(db, "SELECT count(*) FROM messages") == 12
    assert rows(db, "SELECT epoch, count(*) FROM message_sources GROUP BY 1 ORDER BY 1") == [
        (0, 5), (1, 5), (2, 2)]


def test_mbox_rerun_after_growth_adds_only_new(tmp_path: Path) -> None:
    mails = [make_mail(i) for i in range(10)]
    path = write_mbox(tmp_path / "l.mbox", mails[:6])
    db = tmp_path / "db.duckdb"
    run_ingest([path], db)
    write_mbox(path, mails)
    run_ingest([path], db)
    assert last_run(db)["n_new"] == 4
    assert scalar(db, "SELECT count(*) FROM messages") == 10
    assert scalar(db, "SELECT count(*) FROM message_sources") == 10


# -- v2 deletion, two epochs ----------------------------------------------------------------
def test_v2_deletion_removes_the_message(tmp_path: Path) -> None:
    patch = (Path(__file__).parent / "mails" / "patch-v3-2of5.eml").read_bytes()
    keep = [make_mail(i) for i in range(3)]
    t = times(6)
    inbox = write_v2(tmp_path / "inbox", [
        [Entry(keep[0], t[0]), Entry(patch, t[1])],
        [Entry(keep[1], t[2]), Entry(keep[2], t[3])],
    ])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    mid = "20240308110000.1234-3-author@example.com"
    assert scalar(db, "SELECT count(*) FROM trailers WHERE message_id = ?", [mid]) == 5
    add_commits(inbox / "git" / "1.git", [Entry(patch, t[4], file="d")])
    run_ingest([inbox], db)
    run = last_run(db)
    assert (run["n_read"], run["n_deleted"]) == (1, 1)
    assert scalar(db, "SELECT count(*) FROM messages WHERE message_id = ?", [mid]) == 0
    assert scalar(db, "SELECT count(*) FROM trailers WHERE message_id = ?", [mid]) == 0
    assert rows(db, "SELECT message_id, epoch FROM deleted_messages") == [(mid, 1)]
    assert scalar(db, "SELECT count(*) FROM messages") == 3
    # and it stays deleted when the inbox is read again
    run_ingest([inbox], db)
    assert scalar(db, "SELECT count(*) FROM messages WHERE message_id = ?", [mid]) == 0


def test_v2_deletion_in_the_same_run(tmp_path: Path) -> None:
    t = times(3)
    mail = make_mail("gone")
    inbox = write_v2(tmp_path / "inbox", [[Entry(mail, t[0]), Entry(make_mail(1), t[1]),
                                           Entry(mail, t[2], file="d")]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    assert rows(db, "SELECT message_id FROM messages") == [("mail-1@example.com",)]
    assert rows(db, "SELECT message_id FROM deleted_messages") == [("mail-gone@example.com",)]


def test_v2_two_epochs(tmp_path: Path) -> None:
    mails = [make_mail(i) for i in range(20)]
    ents = [Entry(m, w) for m, w in zip(mails, times(20), strict=True)]
    inbox = write_v2(tmp_path / "test.example.org", [ents[:12], ents[12:]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    assert last_run(db)["n_read"] == 20
    assert rows(db, "SELECT epoch, count(*) FROM message_sources GROUP BY 1 ORDER BY 1") == [
        (0, 12), (1, 8)]
    assert rows(db, "SELECT DISTINCT kind FROM message_sources") == [
        (SourceKind.PUBLIC_INBOX_V2.value,)]
    assert rows(db, "SELECT DISTINCT lists FROM messages") == [(["test@example.org"],)]
    assert len(rows(db, "SELECT * FROM source_state")) == 2


# -- cross-posting ------------------------------------------------------------------------
def _crossposted(tmp: Path) -> tuple[Path, Path]:
    shared = "Subject: [PATCH] x\nMessage-ID: <cross@example.com>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nFrom: A <a@example.com>\n\nbody\n"  # noqa: E501
    a = write_v1(tmp / "list-a.example.org.0.git", [
        b"List-Id: <list-a.example.org>\nReceived: by a\n" + shared.encode(), make_mail(1)])
    b = write_v1(tmp / "list-b.example.org.0.git", [
        make_mail(2), b"List-Id: <list-b.example.org>\nReceived: by b\n" + shared.encode()])
    return a, b


@pytest.mark.parametrize("runs", ["one-run", "two-runs"])
def test_cross_posted_message_is_one_row_with_both_lists(runs: str, tmp_path: Path) -> None:
    a, b = _crossposted(tmp_path)
    db = tmp_path / "db.duckdb"
    if runs == "one-run":
        run_ingest([a, b], db)
    else:
        run_ingest([b], db)
        run_ingest([a], db)
    assert rows(db, "SELECT lists FROM messages WHERE message_id = 'cross@example.com'") == [
        (["list-a@example.org", "list-b@example.org"],)]
    assert scalar(db, "SELECT count(*) FROM messages") == 3
    assert sorted(rows(db, "SELECT list, duplicate FROM message_sources "
                           "WHERE message_id = 'cross@example.com'")) == [
        ("list-a@example.org", "first" if runs == "one-run" else "other-list"),
        ("list-b@example.org", "other-list" if runs == "one-run" else "first")]
    before = digests(db)
    run_ingest([a, b], db)
    assert digests(db) == before


def test_cross_posted_within_one_batch(tmp_path: Path) -> None:
    base = b"Message-ID: <x@example.com>\nSubject: s\nFrom: a@example.com\n\nb\n"
    mails = [b"List-Id: <one.example.org>\n" + base, b"List-Id: <two.example.org>\n" + base,
             b"List-Id: <three.example.org>\n" + base]
    db = tmp_path / "db.duckdb"
    run_ingest([write_mbox(tmp_path / "m.mbox", mails)], db)
    assert rows(db, "SELECT lists FROM messages") == [
        (["one@example.org", "three@example.org", "two@example.org"],)]


# -- a real crash ----------------------------------------------------------------------------
N_CRASH = 6000


def lorelens(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lorelens")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_killed_mid_way_then_resumed(tmp_path: Path) -> None:
    rng = random.Random(42)
    bodies = ["Reviewed-by: R <r@example.com>\n", "Just a note.\n", "Acked-by: Q <q@example.com>\n"]
    mails = [make_mail(i, body=f"Mail {i}.\n\n{rng.choice(bodies)}",
                       extra=f"In-Reply-To: <mail-{rng.randrange(max(i, 1))}@example.com>"
                       if i % 3 else "") for i in range(N_CRASH)]
    spec = write_v1(tmp_path / "crash.example.org.0.git", mails)
    exe = Path(sys.executable).with_name("lorelens")

    clean = tmp_path / "clean.duckdb"
    started = time.monotonic()
    proc = lorelens("ingest", str(spec), "--db", str(clean), "--quiet", "--no-enrich",
                    "--jobs", "1")
    duration = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr

    # --jobs 1: batches are parsed and committed one after the other, spread over the run
    args = [str(exe), "ingest", str(spec), "--quiet", "--no-enrich", "--jobs", "1"]
    db = tmp_path / "crash.duckdb"
    low, high = 0.3, 0.95
    for _attempt in range(6):
        for p in tmp_path.glob("crash.duckdb*"):
            p.unlink()
        frac = rng.uniform(low, high)
        child = subprocess.Popen([*args, "--db", str(db)], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * frac)
        os.killpg(child.pid, signal.SIGKILL)  # the child and any process it started
        child.wait()
        stored = scalar(db, "SELECT count(*) FROM messages") if db.exists() else 0
        if 0 < stored < N_CRASH:
            break
        if stored == 0:
            low = frac  # too early: nothing committed yet
        else:
            high = frac  # too late: it had finished
    else:
        pytest.fail(f"could not kill the ingest mid-way in 6 attempts (full run {duration:.1f}s)")

    assert scalar(db, "SELECT status FROM ingest_runs") == "running"  # it never finished
    proc = lorelens("ingest", str(spec), "--db", str(db), "--quiet", "--no-enrich")
    assert proc.returncode == 0, proc.stderr
    assert scalar(db, "SELECT count(*) FROM messages") == N_CRASH
    assert rows(db, "SELECT status FROM ingest_runs ORDER BY run_id") == [("interrupted",), ("ok",)]
    assert scalar(db, "SELECT count(DISTINCT message_id) FROM messages") == N_CRASH
    assert last_run(db)["n_read"] == N_CRASH - stored
    for table in ("trailers", "message_sources"):
        assert table_digest(db, table, ("run_id",)) == table_digest(clean, table, ("run_id",))
    assert table_digest(db, "messages", MESSAGE_LOCATION_COLUMNS) == table_digest(
        clean, "messages", MESSAGE_LOCATION_COLUMNS)
    assert scalar(db, "SELECT count(*) FROM ingest_errors") == 0


def test_cross_posted_copy_with_a_list_footer_still_adds_the_list(tmp_path: Path) -> None:
    """Mailman lists (e.g. linux-arm-kernel) append a footer to the copy they archive: the
    body differs, but it is the same message on one more list."""
    mail = (b"Message-ID: <footer@example.com>\nSubject: [PATCH] arm: x\nFrom: a@example.com\n"
            b"Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nThe patch.\n")
    plain = write_v1(tmp_path / "linux-kernel.vger.kernel.org.0.git",
                     [b"List-Id: <linux-kernel.vger.kernel.org>\n" + mail])
    footer = write_v1(tmp_path / "linux-arm-kernel.lists.infradead.org.0.git", [
        b"List-Id: <linux-arm-kernel.lists.infradead.org>\n" + mail
        + b"\n_______________________________________________\nlinux-arm-kernel mailing list\n"])
    db = tmp_path / "db.duckdb"
    run_ingest([plain, footer], db)
    assert rows(db, "SELECT lists FROM messages") == [
        (["linux-arm-kernel@lists.infradead.org", "linux-kernel@vger.kernel.org"],)]
    assert scalar(db, "SELECT count(*) FROM message_sources") == 2


# -- bad input is recorded, the run goes on -------------------------------------------------
def test_unparsable_mails_are_recorded_with_their_location(tmp_path: Path) -> None:
    good = [make_mail(i) for i in range(3)]
    garbage = b"this is not a mail at all\nno headers, nothing\n"
    path = write_mbox(tmp_path / "l.mbox", [good[0], garbage, good[1], b"\n", good[2]])
    db = tmp_path / "db.duckdb"
    run_ingest([path], db)
    assert scalar(db, "SELECT count(*) FROM messages") == 3
    errors = rows(db, "SELECT kind, path, byte_offset, stage, reason FROM ingest_errors "
                      "ORDER BY byte_offset")
    assert len(errors) == 2
    raw = path.read_bytes()
    for kind, where, offset, stage, reason in errors:
        assert (kind, where, stage) == ("mbox", str(path), "parse") and reason
        assert raw[offset:].startswith(b"From ")
    run = last_run(db)
    assert (run["n_read"], run["n_new"], run["n_failed"]) == (5, 3, 2)


def test_commit_without_m_is_recorded(tmp_path: Path) -> None:
    spec = write_v1(tmp_path / "l.git", [make_mail(1)])
    add_commits(spec, [Entry(b"not a message file\n", T0, file="README")])
    db = tmp_path / "db.duckdb"
    run_ingest([spec], db)
    assert scalar(db, "SELECT count(*) FROM messages") == 1
    (commit, reason), = rows(db, "SELECT commit, reason FROM ingest_errors")
    assert len(commit) == 40 and reason


def test_deleted_message_does_not_come_back_from_another_source(tmp_path: Path) -> None:
    t = times(3)
    spam = make_mail("spam")
    inbox = write_v2(tmp_path / "inbox", [[Entry(spam, t[0]), Entry(make_mail(1), t[1]),
                                           Entry(spam, t[2], file="d")]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    # an mbox of the same list, taken before the deletion, still holds the spam
    mbox = write_mbox(tmp_path / "list.mbox", [spam, make_mail(1)], t[:2])
    run_ingest([mbox], db)
    assert rows(db, "SELECT message_id FROM messages") == [("mail-1@example.com",)]
    assert rows(db, "SELECT duplicate FROM message_sources WHERE message_id = ? "
                    "AND kind = 'mbox'", ["mail-spam@example.com"]) == [("deleted",)]


def test_reply_without_in_reply_to_targets_its_last_reference(tmp_path: Path) -> None:
    patch = make_mail("p", subject="[PATCH] frob: fix it", msgid="p@example.com")
    reply = make_mail(
        "r", subject="Re: [PATCH] frob: fix it", msgid="r@example.com",
        sender="Rev Iewer <rev@example.org>",
        extra="References: <root@example.com> <p@example.com>",
        body="> quoted\n\nReviewed-by: Rev Iewer <rev@example.org>\n",
    )
    db = tmp_path / "db.duckdb"
    run_ingest([write_v1(tmp_path / "v1.git", [patch, reply])], db)
    assert rows(db, "SELECT kind, target_message_id FROM trailers WHERE message_id = ?",
                ["r@example.com"]) == [("reviewed-by", "p@example.com")]


def test_database_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    import duckdb

    from core.errors import DatabaseError
    from ingest.load import Database

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO schema_info VALUES ('schema_version', '0')")
    con.close()
    with pytest.raises(DatabaseError, match="schema version 0"):
        Database(db)


def test_single_v2_epoch_given_as_a_repository_applies_deletions(tmp_path: Path) -> None:
    t = times(3)
    spam = make_mail("spam")
    inbox = write_v2(tmp_path / "inbox", [[Entry(spam, t[0]), Entry(make_mail(1), t[1]),
                                           Entry(spam, t[2], file="d")]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox / "git" / "0.git"], db)
    assert rows(db, "SELECT message_id FROM messages") == [("mail-1@example.com",)]
    assert scalar(db, "SELECT count(*) FROM ingest_errors") == 0


def test_rewritten_epoch_purged_and_edited_mails(tmp_path: Path) -> None:
    """public-inbox-purge and -edit rewrite an epoch's history (no `d` file): a purged
    mail is deleted and recorded, an edited one is stored with its new content."""
    import shutil

    t = times(3)
    original = [make_mail(1), make_mail(2, body="A secret.\n"), make_mail(3)]
    inbox = write_v2(tmp_path / "inbox", [[Entry(m, w) for m, w in zip(original, t,
                                                                         strict=True)]])
    db = tmp_path / "db.duckdb"
    run_ingest([inbox], db)
    assert scalar(db, "SELECT count(*) FROM messages") == 3
    # the history rewritten: mail 1 purged, mail 2 redacted
    shutil.rmtree(inbox)
    write_v2(inbox, [[Entry(make_mail(2, body="[redacted]\n"), t[1]), Entry(original[2], t[2])]])
    run_ingest([inbox], db)
    assert rows(db, "SELECT message_id FROM messages ORDER BY 1") == [
        ("mail-2@example.com",), ("mail-3@example.com",)]
    assert rows(db, "SELECT message_id FROM deleted_messages") == [("mail-1@example.com",)]
    new_hash = scalar(db, "SELECT content_hash FROM messages WHERE message_id = ?",
                      ["mail-2@example.com"])
    assert rows(db, "SELECT content_hash FROM message_sources WHERE message_id = ?",
                ["mail-2@example.com"]) == [(new_hash,)]
    assert last_run(db)["n_deleted"] == 1


def test_parser_workers_and_loads_stay_light(tmp_path: Path) -> None:
    """A parser process imports neither DuckDB nor rich (Arrow it needs, to hand over its
    rows), the main process no b4, and Arrow loads do not pull in pandas (each of these
    cost seconds of CPU per ingest)."""
    code = (
        "import sys\n"
        "import cli, ingest.batch, ingest.parse, ingest.sources.public_inbox\n"
        "from ingest.batch import parse_items\n"
        "parse_items([])\n"
        "assert not {'duckdb', 'rich', 'pandas'} & set(sys.modules), 'worker'\n"
        "import pyarrow as pa, ingest.pipeline\n"
        "from core.database import open_writable\n"
        "con = open_writable(sys.argv[1])\n"
        "con.register('t', pa.table({'a': [1, 2], 's': [['x'], None]}))\n"
        "assert con.execute('SELECT count(*) FROM t').fetchall() == [(2,)]\n"
        "assert 'pandas' not in sys.modules, 'pandas'\n"
    )
    code_main = "import sys, cli, ingest.pipeline\nassert 'b4' not in sys.modules, 'main'\n"
    for c in (code, code_main):
        subprocess.run([sys.executable, "-c", c, str(tmp_path / "t.duckdb")], check=True)


def test_parser_workers_ignore_the_current_directory(tmp_path: Path) -> None:
    """The fork server is started as ``python -c``, which puts the current directory
    first on its path: run from a folder holding another ``ingest/`` (an older checkout),
    the workers must still run lorelens' own code."""
    hijack = tmp_path / "elsewhere" / "ingest"
    hijack.mkdir(parents=True)
    (hijack / "__init__.py").write_text('raise SystemExit("the wrong ingest/")\n')
    script = tmp_path / "run" / "workers.py"
    script.parent.mkdir()
    script.write_text(
        "from ingest.pipeline import Parser\n"
        "if __name__ == '__main__':\n"
        "    parser = Parser(2)\n"
        "    print(len([f.result() for f in parser._warm_up]))\n"
        "    parser.close()\n"
    )
    out = subprocess.run([sys.executable, str(script)], cwd=hijack.parent, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "2"


def test_a_dead_parser_process_is_one_clear_error() -> None:
    """A worker that dies (the OOM killer, say) is a WorkerError that says what to do,
    not a BrokenProcessPool traceback."""
    unit = Unit(source="s", kind=SourceKind.PUBLIC_INBOX_V1, epoch=0, git_dir=None,
                label=None, total=2, read=lambda: iter(()),
                refs=lambda: iter([("a", 1), ("b", 2)]),
                fetch=list)  # type: ignore[arg-type]  # a stand-in: the workers die first
    parser = Parser(2)
    try:
        for fut in parser._warm_up:
            fut.result()
        assert parser.pool is not None
        for pid, proc in list(parser.pool._processes.items()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            proc.join()
        with pytest.raises(WorkerError, match="parser process died"):
            list(parser.map_unit(unit, 1))
    finally:
        parser.close()


@pytest.mark.parametrize(("table", "schema"), [
    ("messages", "MESSAGE_SCHEMA"),
    ("message_sources", "COPY_SCHEMA"),
    ("trailers", "TRAILER_SCHEMA"),
])
def test_arrow_columns_agree_with_the_schema(table: str, schema: str) -> None:
    """The Arrow tables parser processes build (ingest/columns.py) have, column for
    column, the types of the database table they are loaded into (ingest/schema.sql), so
    nothing is cast, truncated or renamed on the way in."""
    import duckdb

    from ingest import columns
    from ingest.load.database import schema_sql

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(schema_sql())
    stored = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
        [table]).fetchall())
    arrow = getattr(columns, schema)
    con.register("parsed", arrow.empty_table())
    built = dict((name, kind) for name, kind, *_ in con.execute(
        "DESCRIBE SELECT * FROM parsed").fetchall())
    built.pop("row", None)  # the trailers' batch row: the loader's, not stored
    assert built, schema
    assert {n: stored.get(n) for n in built} == built


def test_a_failed_statement_is_the_error_reported_not_its_cleanup() -> None:
    """A statement that fails aborts the transaction, and DuckDB then refuses to drop the
    registered Arrow view too; the error raised must be the statement's (here a
    constraint; at a million messages an out of memory), not that refusal."""
    import duckdb

    from ingest.arrow import pa
    from ingest.load.database import registered, transaction

    con = duckdb.connect()
    con.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(duckdb.ConstraintException), transaction(con), \
            registered(con, "_new", pa.table({"k": pa.array([2, 1], pa.int32())})) as view:
        con.execute(f"INSERT INTO t SELECT k FROM {view}")
    assert con.execute("SELECT k FROM t").fetchall() == [(1,)]  # rolled back, usable


def test_only_the_ingest_caps_duckdb_memory(tmp_path: Path) -> None:
    """The ingest caps DuckDB's memory while it loads (docs/guide.md); a writable Database
    opened for enrichment or the input commands keeps DuckDB's own limit."""
    import duckdb

    from ingest.load import Database
    from ingest.pipeline import MEMORY_LIMIT

    def limit(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    with duckdb.connect() as con:
        default = limit(con)
        con.execute("SET memory_limit = ?", [MEMORY_LIMIT])
        capped = limit(con)
    assert capped != default
    db = tmp_path / "db.duckdb"
    seen: list[str] = []
    run_ingest([write_mbox(tmp_path / "l.mbox", [make_mail(1)])], db,
               after_load=lambda database, _counts: seen.append(limit(database.con)))
    assert seen == [capped]
    with Database(db) as database:
        assert limit(database.con) == default
