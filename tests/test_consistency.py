"""Odd input is handled by one documented rule each (docs/schema.md, docs/guide.md):
absurd years, what counts as a mail, NUL characters, an empty repository, and what a
failed first run leaves behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.model import Location, ParsedMessage, ParseFailure, RawMail, SourceKind
from ingest.parse import parse_mail
from tests.conftest import (
    T0,
    init_bare,
    invoke_cli,
    make_mail,
    one_error_line,
    require_tool,
    rows,
    write_maildir,
)

LOC = Location(source="tests/consistency", kind=SourceKind.MAILDIR)


def parse(data: bytes) -> ParsedMessage | ParseFailure:
    return parse_mail(RawMail(data, LOC, T0))


@pytest.mark.parametrize("date", ["Mon, 1 Jan 0001 10:00:00 +0000",
                                  "Sat, 01 Jan 0000 10:00:00 -0700",
                                  "1 Jan 0099 10:00 GMT"])
def test_a_year_written_0001_is_absurd_not_2001(date: str) -> None:
    res = parse(make_mail(1, date=date))
    assert isinstance(res, ParsedMessage)
    assert (res.date, res.date_source, res.date_raw) == (T0, "archive:too-old", date)


def test_a_two_digit_year_is_still_read_as_rfc_5322_says() -> None:
    res = parse(make_mail(1, date="Mon, 1 Jan 24 10:00:00 +0000"))
    assert isinstance(res, ParsedMessage)
    assert (res.date, res.date_source) == (dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC), "header")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00: \x01\xff\n\x08\x06 x: y\n",  # binary
    b"this is not a mail\nNote: it has a colon\n\nand a body\n",  # text
    b"\n\nFrom: a@example.org\n",  # a blank line first: the header block is empty
])
def test_what_does_not_open_with_a_header_field_is_refused(data: bytes) -> None:
    res = parse(data)
    assert isinstance(res, ParseFailure) and res.reason == "no mail headers found"


def test_a_mail_with_only_other_header_fields_is_stored() -> None:
    res = parse(b"X-Mailer: something\nReceived: by host\n\nbody\n")
    assert isinstance(res, ParsedMessage) and res.msgid_synthetic


def test_nul_characters_never_reach_the_stored_fields() -> None:
    data = make_mail(1, msgid="a\x00b@example.org",
                     sender="=?utf-8?q?Ann=00e?= <ann\x00e@example.org>",
                     subject="Re: [PATCH] x\x00y",
                     body="Reviewed-by: R\x00 <r\x00@example.org>\n")
    res = parse(data)
    assert isinstance(res, ParsedMessage)
    assert (res.message_id, res.from_name, res.from_email, res.subject) == (
        "ab@example.org", "Anne", "anne@example.org", "Re: [PATCH] xy")
    assert [(t.name, t.email) for t in res.trailers] == [("R", "r@example.org")]


def test_an_empty_bare_repository_is_one_clear_line(tmp_path: Path) -> None:
    require_tool("git")
    repo = init_bare(tmp_path / "list.git")
    db = tmp_path / "new" / "db.duckdb"
    line = one_error_line(invoke_cli("ingest", repo, "--db", db))
    assert f"{repo} is an empty git repository" in line
    assert not (tmp_path / "new").exists()


def test_a_failed_first_remote_run_leaves_nothing_behind(tmp_path: Path) -> None:
    # port 9 (discard) refuses at once on this machine's loopback: no network is used
    url = "http://127.0.0.1:9/linux-nothing"
    db = tmp_path / "data" / "db.duckdb"
    line = one_error_line(invoke_cli("ingest", url, "--db", db))
    assert "unreachable" in line
    assert list(tmp_path.iterdir()) == []


def test_a_failed_remote_run_keeps_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    box = write_maildir(tmp_path / "box", [make_mail(1)])
    assert invoke_cli("ingest", box, "--db", db, "--no-enrich").exit_code == 0
    one_error_line(invoke_cli("ingest", "http://127.0.0.1:9/linux-nothing", "--db", db,
                              "--no-enrich"))
    assert rows(db, "SELECT message_id FROM messages") == [("mail-1@example.com",)]
    assert rows(db, "SELECT status FROM ingest_runs ORDER BY run_id") == [("ok",), ("failed",)]
    assert not (tmp_path / "mirrors").exists()
