"""A remote inbox for real: public-inbox-init -V2 + public-inbox-mda, served by
public-inbox-httpd on 127.0.0.1, mirrored by `lorelens ingest URL` with git."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    PublicInbox,
    free_port,
    last_run,
    make_mail,
    require_tool,
    rows,
    scalar,
    serving,
)

pytestmark = pytest.mark.slow


def lorelens(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lorelens")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)


def mails(start: int, n: int) -> list[bytes]:
    return [make_mail(i, date=f"Mon, 01 Jan 2024 10:{i:02d}:00 +0000",
                      extra="To: test@example.com") for i in range(start, start + n)]


def test_remote_inbox_is_mirrored_and_ingested(served_inbox: PublicInbox, tmp_path: Path) -> None:
    served_inbox.deliver(mails(0, 4))
    db, mirrors = tmp_path / "db.duckdb", tmp_path / "mirrors"
    url = served_inbox.url
    proc = lorelens("ingest", url, "--db", str(db), "--mirrors", str(mirrors), "--quiet")
    assert proc.returncode == 0, proc.stderr
    got = rows(db, "SELECT message_id, subject FROM messages ORDER BY message_id")
    assert got == [(f"mail-{i}@example.com", f"test mail {i}") for i in range(4)]
    assert rows(db, "SELECT DISTINCT kind, source, epoch FROM message_sources") == [
        ("remote", url, 0)]
    assert (mirrors / f"127.0.0.1_{served_inbox.port}" / "test" / "git" / "0.git").is_dir()
    assert last_run(db)["n_read"] == 4

    # new mails arrive: the next run fetches and reads only those
    served_inbox.deliver(mails(4, 3))
    proc = lorelens("ingest", url + "/", "--db", str(db), "--mirrors", str(mirrors), "--quiet")
    assert proc.returncode == 0, proc.stderr
    run = last_run(db)
    assert (run["n_read"], run["n_new"]) == (3, 3)
    assert scalar(db, "SELECT count(*) FROM messages") == 7
    assert scalar(db, "SELECT count(*) FROM message_sources") == 7

    # nothing new: nothing read
    proc = lorelens("ingest", url, "--db", str(db), "--mirrors", str(mirrors), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert last_run(db)["n_read"] == 0


def test_unreachable_url_is_one_clear_line(tmp_path: Path) -> None:
    require_tool("git")
    port = free_port()  # nothing listens there once the probe socket is closed
    proc = lorelens("ingest", f"http://127.0.0.1:{port}/nothing", "--db",
                    str(tmp_path / "db.duckdb"), "--mirrors", str(tmp_path / "m"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "unreachable" in lines[0]


def test_url_that_is_not_an_inbox(served_inbox: PublicInbox, tmp_path: Path) -> None:
    served_inbox.deliver(mails(0, 1))
    proc = lorelens("ingest", f"http://127.0.0.1:{served_inbox.port}/no-such-inbox", "--db",
                    str(tmp_path / "db.duckdb"), "--mirrors", str(tmp_path / "m"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1, proc.stderr


@pytest.fixture
def two_served_inboxes(public_inbox: PublicInbox) -> Iterator[tuple[PublicInbox, PublicInbox]]:
    """Two inboxes ("test" and "hwmon") in one configuration, served by one httpd."""
    second = PublicInbox(public_inbox.root, "hwmon", public_inbox.port,
                         address="hwmon@example.com", folder="hwmon")
    second.create()
    with serving(public_inbox):
        yield public_inbox, second


def test_several_lore_lists_in_one_call(
    two_served_inboxes: tuple[PublicInbox, PublicInbox], tmp_path: Path
) -> None:
    test, hwmon = two_served_inboxes
    cross = make_mail("cross", extra="Cc: hwmon@example.com")
    test.deliver([*mails(0, 3), cross])
    hwmon.deliver([make_mail(f"hw-{i}") for i in range(2)] + [cross])
    db, mirrors = tmp_path / "db.duckdb", tmp_path / "mirrors"
    server = f"http://127.0.0.1:{test.port}"
    # a list name and the URL form, in one call
    proc = lorelens("ingest", "--from-lore", "test", f"{server}/hwmon/", "--lore-url", server,
                    "--db", str(db), "--mirrors", str(mirrors), "--quiet")
    assert proc.returncode == 0, proc.stderr
    # (public-inbox-mda gives each copy its inbox's List-Id)
    a, b = "test@example.com", "hwmon@example.com"
    assert dict(rows(db, "SELECT message_id, lists FROM messages")) == {
        **{f"mail-{i}@example.com": [a] for i in range(3)},
        **{f"mail-hw-{i}@example.com": [b] for i in range(2)},
        "mail-cross@example.com": [b, a],
    }
    assert sorted(rows(db, "SELECT source, list FROM message_sources "
                           "WHERE message_id = 'mail-cross@example.com'")) == [
        (f"{server}/hwmon", b), (f"{server}/test", a)]
    assert sorted(last_run(db)["sources"]) == [f"{server}/hwmon", f"{server}/test"]
    for name in ("test", "hwmon"):
        assert (mirrors / f"127.0.0.1_{test.port}" / name / "git" / "0.git").is_dir()

    # both fetched again, only the new mail read
    hwmon.deliver([make_mail("hw-late")])
    proc = lorelens("ingest", "--from-lore", "test", "hwmon", "--lore-url", server,
                    "--db", str(db), "--mirrors", str(mirrors), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert (last_run(db)["n_read"], last_run(db)["n_new"]) == (1, 1)


def test_a_lore_list_name_that_is_a_path_is_one_clear_line(tmp_path: Path) -> None:
    proc = lorelens("ingest", "--from-lore", "../etc", "--db", str(tmp_path / "db.duckdb"))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "lorelens: error: '../etc' is not a list name on https://lore.kernel.org "
        "(such as linux-watchdog) nor an http(s) inbox URL"]


def test_demo_from_lore_by_list_name(served_inbox: PublicInbox, tmp_path: Path) -> None:
    served_inbox.deliver(mails(0, 3))
    db = tmp_path / "db.duckdb"
    proc = lorelens("demo", "--from-lore", "test", "--lore-url",
                    f"http://127.0.0.1:{served_inbox.port}", "--db", str(db), "--no-app")
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT DISTINCT source FROM message_sources") == [(served_inbox.url,)]
    assert scalar(db, "SELECT count(*) FROM messages WHERE thread_id IS NOT NULL") == 3
    assert f"Done. The database is {db}." in proc.stdout
