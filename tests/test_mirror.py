"""A mirror folder of many inboxes (grokmirror / public-inbox-clone layout) in one ingest.

The mirror is built from the corpus generator's archives (linux-frob as a v2 inbox,
linux-widget as a v1 repository, with the generator's cross-posted mails) plus two
small inboxes whose mails have no List-Id header, so their lists come from the folder
names, and which share one cross-posted mail.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from core.errors import SourceError
from corpus.api import write_sample
from ingest import sources
from tests.conftest import (
    Entry,
    add_commits,
    last_run,
    make_mail,
    require_tool,
    rows,
    run_ingest,
    scalar,
    table_digest,
    times,
    write_v1,
    write_v2,
)

TABLES = ("messages", "trailers", "message_sources", "deleted_messages", "ingest_errors")
# where a message came from differs between a mirror run and one run per inbox: the
# source keys are the same, the run numbers are not
PER_RUN = ("first_seen_run", "run_id")
HWMON, I2C = "linux-hwmon", "linux-i2c"  # the inboxes without List-Id headers
CROSS = "cross@example.com"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """``(mirror folder, truth.json)``."""
    require_tool("git")
    tmp = tmp_path_factory.mktemp("mirror")
    sample = write_sample(tmp / "sample", seed=5, scale=400, formats=("v2", "v1"))
    top = tmp / "lore"
    top.mkdir()
    shutil.move(sample.inboxes["linux-frob"], top / "linux-frob")  # v2: <list>/git/N.git
    shutil.move(sample.v1_repos["linux-widget"], top / "linux-widget.git")  # v1: <list>.git
    hwmon = [make_mail(f"hwmon-{i}") for i in range(5)] + [make_mail("cross")]
    i2c = [make_mail("cross")] + [make_mail(f"i2c-{i}") for i in range(3)]
    ents = [Entry(m, w) for m, w in zip(hwmon, times(len(hwmon)), strict=True)]
    write_v2(top / HWMON, [ents[:3], ents[3:]])
    write_v1(top / f"{I2C}.git", i2c)
    (top / "manifest.js.gz").write_bytes(b"")  # grokmirror's manifest: not an inbox
    (top / "notes").mkdir()  # a folder that is not an inbox
    truth = json.loads(sample.truth.read_text())
    return top, truth


def expected_lists(truth: dict) -> dict[str, list[str]]:
    """Message-ID → lists of every generated message, from truth.json."""
    return {m["message_id"]: sorted(m["lists"]) for m in truth["messages"]
            if m["message_id"] is not None and not m.get("duplicate")}


def test_a_mirror_folder_ingests_every_list(mirror: tuple[Path, dict], tmp_path: Path) -> None:
    top, truth = mirror
    db = tmp_path / "db.duckdb"
    logged: list[str] = []
    summary = run_ingest([top], db, log=logged.append)
    assert sorted(Path(s).name for s in summary.sources) == sorted(
        ["linux-frob", "linux-widget.git", HWMON, f"{I2C}.git"])
    assert any("notes: not a public-inbox inbox, skipped" in m for m in logged), logged

    # the generator's lists: every message with exactly its lists, cross-posts once
    want = expected_lists(truth)
    got = dict(rows(db, "SELECT message_id, lists FROM messages WHERE NOT msgid_synthetic "
                        "AND NOT list_has_any(lists, ?)", [[HWMON, I2C]]))
    assert got == want
    both = [m for m, lists in want.items() if len(lists) == 2]
    assert both, "the sample has cross-posted mails"
    assert scalar(db, "SELECT count(*) FROM messages WHERE len(lists) = 2 "
                      "AND NOT list_has_any(lists, ?)", [[HWMON, I2C]]) == len(both)

    # the inboxes without List-Id: lists named after their folders
    assert dict(rows(db, "SELECT message_id, lists FROM messages WHERE list_has_any(lists, ?)",
                     [[HWMON, I2C]])) == {
        **{f"mail-hwmon-{i}@example.com": [HWMON] for i in range(5)},
        **{f"mail-i2c-{i}@example.com": [I2C] for i in range(3)},
        f"mail-{CROSS}": [HWMON, I2C],
    }
    assert sorted(rows(db, "SELECT list, kind FROM message_sources WHERE message_id = ?",
                       [f"mail-{CROSS}"])) == [(HWMON, "public-inbox-v2"),
                                               (I2C, "public-inbox-v1")]


def test_a_mirror_is_the_same_as_its_inboxes_named_one_by_one(
    mirror: tuple[Path, dict], tmp_path: Path
) -> None:
    top, _ = mirror
    whole, each = tmp_path / "whole.duckdb", tmp_path / "each.duckdb"
    run_ingest([top], whole)
    run_ingest(sorted(p for p in top.iterdir() if p.name not in ("notes", "manifest.js.gz")),
               each)
    for t in TABLES:
        assert table_digest(whole, t, PER_RUN) == table_digest(each, t, PER_RUN), t

    # idempotent: the mirror again, or one of its inboxes on its own, reads nothing new
    before = {t: table_digest(whole, t) for t in TABLES}
    run_ingest([top], whole)
    run_ingest([top / HWMON, top], whole)
    assert {t: table_digest(whole, t) for t in TABLES} == before
    assert (last_run(whole)["n_read"], last_run(whole)["n_new"]) == (0, 0)


def test_a_new_mail_in_one_list_of_the_mirror(mirror: tuple[Path, dict], tmp_path: Path) -> None:
    top = tmp_path / "lore"
    shutil.copytree(mirror[0], top, symlinks=True)
    db = tmp_path / "db.duckdb"
    run_ingest([top], db)
    n = scalar(db, "SELECT count(*) FROM messages")
    add_commits(top / f"{I2C}.git", [Entry(make_mail("late"), times(1)[0])])
    run_ingest([top], db)
    assert (last_run(db)["n_read"], last_run(db)["n_new"]) == (1, 1)
    assert scalar(db, "SELECT count(*) FROM messages") == n + 1
    assert rows(db, "SELECT lists FROM messages WHERE message_id = 'mail-late@example.com'") == [
        ([I2C],)]


def test_list_option_is_refused_for_a_mirror(mirror: tuple[Path, dict], tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--list names one list"):
        run_ingest([mirror[0]], tmp_path / "db.duckdb", label="x@example.org")
    assert not (tmp_path / "db.duckdb").exists()


def test_a_folder_without_any_inbox_says_so(tmp_path: Path) -> None:
    (tmp_path / "lore" / "linux-frob").mkdir(parents=True)
    (tmp_path / "lore" / "README").write_text("a mirror, some day\n")
    with pytest.raises(SourceError) as err:
        sources.detect(str(tmp_path / "lore"))
    assert str(err.value).startswith(f"{tmp_path / 'lore'} holds no inbox")
    res = CliRunner().invoke(cli.main, ["ingest", str(tmp_path / "lore"),
                                        "--db", str(tmp_path / "db.duckdb")])
    assert res.exit_code == 1
    assert res.output.splitlines() == [f"lorelens: error: {err.value}"]
    assert not (tmp_path / "db.duckdb").exists()


def terminal_run(args: list[str]) -> str:
    """Run ``lorelens ARGS`` on a pseudo-terminal (so a progress bar is drawn); its output."""
    exe = str(Path(sys.executable).with_name("lorelens"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its output
        os.environ.update(COLUMNS="160", LINES="40", TERM="xterm")
        os.execv(exe, [exe, *args])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))
    assert os.waitstatus_to_exitcode(status) == 0, text
    return text


def test_one_progress_bar_for_the_whole_mirror(mirror: tuple[Path, dict], tmp_path: Path) -> None:
    top, _ = mirror
    db = tmp_path / "db.duckdb"
    text = terminal_run(["ingest", str(top), "--db", str(db), "--no-enrich", "-j", "1"])
    total = scalar(db, "SELECT n_read FROM ingest_runs")
    done = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) +[\d,–]+ msg/s", text)]
    assert done, text
    assert {b for _, b in done} == {total}, text  # one bar, counting every list's mails
    assert (total, total) in done
    assert "a mirror of 4 inboxes" in text
