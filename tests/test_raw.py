"""`lorelens raw`: every stored copy can be read back, byte for byte, from its archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import (
    Entry,
    make_mail,
    run_ingest,
    times,
    write_maildir,
    write_mbox,
    write_v1,
    write_v2,
)

MAILS = [
    make_mail(1),
    make_mail(2, body="From the start of a line, mboxrd quotes this.\n>From too.\n"),
    make_mail(3, subject="=?UTF-8?B?w6nDqMOg?=", sender="Jörg <j@example.org>"),
]


def _raw(db: Path, message_id: str, *extra: str) -> bytes:
    res = CliRunner().invoke(main, ["raw", message_id, "--db", str(db), *extra])
    assert res.exit_code == 0, res.output
    return res.stdout_bytes


@pytest.mark.parametrize("kind", ["v1", "v2", "mbox", "mbox.gz", "maildir"])
def test_raw_reads_back_the_archived_bytes(tmp_path: Path, kind: str) -> None:
    t = times(len(MAILS))
    if kind == "v1":
        src = write_v1(tmp_path / "list.git", MAILS, t)
    elif kind == "v2":
        src = write_v2(tmp_path / "inbox", [[Entry(m, w) for m, w in zip(MAILS, t, strict=True)]])
    elif kind.startswith("mbox"):
        src = write_mbox(tmp_path / f"list.{kind}", MAILS, t, gz=kind.endswith("gz"))
    else:
        src = write_maildir(tmp_path / "md", MAILS, t)
    db = tmp_path / "db.duckdb"
    run_ingest([src], db)
    for i, mail in enumerate(MAILS, start=1):
        got = _raw(db, f"<mail-{i}@example.com>")
        assert got.rstrip(b"\n") == mail.rstrip(b"\n")


def test_raw_of_an_unknown_message_is_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    run_ingest([write_v1(tmp_path / "list.git", MAILS[:1])], db)
    res = CliRunner().invoke(main, ["raw", "nope@example.com", "--db", str(db)])
    assert res.exit_code == 1
    assert "no copy 1 of <nope@example.com>" in res.output
    assert "Traceback" not in res.output
