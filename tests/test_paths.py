"""File names that are not UTF-8 (docs/schema.md, message_sources.path).

A maildir file whose name is not UTF-8 is stored, with its path written losslessly, and
`lorelens raw` reads it back; a source or database path that is not UTF-8 is refused in
one clear line. The files here are real, with invalid UTF-8 bytes in their names.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.sources.paths import from_stored, to_stored
from tests.conftest import invoke_cli, make_mail, one_error_line, rows, write_maildir, write_mbox

BAD = os.fsdecode(b"caf\xe9-\xff\xfe")  # Latin-1 "café", then two bytes no UTF-8 has


def test_a_maildir_file_named_in_latin1_is_stored_and_read_back(tmp_path: Path) -> None:
    box = write_maildir(tmp_path / "box", [make_mail(1), make_mail(2)])
    odd = box / "cur" / BAD
    odd.write_bytes(make_mail(3))
    db = tmp_path / "db.duckdb"
    res = invoke_cli("ingest", box, "--db", db, "--no-enrich", "-j", "1")
    assert res.exit_code == 0, res.output
    assert rows(db, "SELECT count(*) FROM ingest_errors") == [(0,)]
    stored = rows(db, "SELECT path FROM message_sources WHERE message_id = 'mail-3@example.com'")
    assert stored == [(str(box / "cur") + "/caf\\xe9-\\xff\\xfe",)]
    assert from_stored(stored[0][0]) == odd
    res = invoke_cli("raw", "mail-3@example.com", "--db", db)
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes == make_mail(3)


def test_stored_paths_round_trip() -> None:
    for raw in (b"/a/b", b"/a/caf\xc3\xa9", b"/a/caf\xe9", b"/a/\\x41\xff"):
        path = Path(os.fsdecode(raw))
        text = to_stored(path)
        text.encode("utf-8")  # storable
        if raw == b"/a/\\x41\xff":
            # a literal backslash escape next to a bad byte: the undecodable byte is what
            # gets written, so only an existing file tells them apart
            assert text == "/a/\\x41\\xff"
            continue
        assert from_stored(text) == path


def test_an_mbox_path_that_is_not_utf8_is_one_clear_line(tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / f"{BAD}.mbox", [make_mail(1)])
    line = one_error_line(invoke_cli("ingest", mbox, "--db", tmp_path / "db.duckdb"))
    assert "caf\\xe9-\\xff\\xfe.mbox: the path is not valid UTF-8" in line
    assert not (tmp_path / "db.duckdb").exists()


def test_a_database_path_that_is_not_utf8_is_one_clear_line(tmp_path: Path) -> None:
    box = write_maildir(tmp_path / "box", [make_mail(1)])
    for args in (("ingest", box), ("status",), ("sql", "SELECT 1")):
        line = one_error_line(invoke_cli(*args, "--db", tmp_path / f"{BAD}.duckdb"))
        assert "the database path is not valid UTF-8" in line, line
