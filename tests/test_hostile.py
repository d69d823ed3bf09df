"""Hostile mail cannot stall an ingest (docs/guide.md, "Limits on hostile mail").

The two reproductions run in a child process with a generous time-out, so a parser that
is again more than linear on them fails here without a timed assertion on normal speed.
The linear scans that replace backtracking patterns are checked against those patterns
on short inputs, where the patterns are quick. The fuzz test is derandomized (the same
examples on every run) and bounded so that it takes a few seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.batch import parse_items
from ingest.diff import git_paths
from ingest.model import Location, ParseFailure, RawMail, SourceKind
from ingest.parse import _HTML_BREAK, _HTML_TAG, MAX_FIELD, addr_specs, html_text, parse_mail
from ingest.trailers import (
    _candidate,
    _extinfo,
    _unwrap_address,
    _unwrap_fixes,
    looks_like_person,
)
from tests.conftest import ROOT, T0

LOC = Location(source="tests/hostile", kind=SourceKind.MAILDIR)
HEAD = (b"From: A <a@example.org>\nMessage-ID: <hostile@example.org>\n"
        b"Date: Sat, 1 Jun 2024 12:00:00 +0000\n")
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EQUIV = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def parse_in_child(data: bytes) -> dict[str, object]:
    """Parse ``data`` in a fresh interpreter; fail when that takes over 10 seconds."""
    code = (
        "import sys, json, datetime as dt\n"
        "from ingest.model import Location, RawMail, SourceKind, ParsedMessage\n"
        "from ingest.parse import parse_mail\n"
        "res = parse_mail(RawMail(sys.stdin.buffer.read(),"
        " Location(source='x', kind=SourceKind.MAILDIR), None))\n"
        "out = {'ok': isinstance(res, ParsedMessage)}\n"
        "if out['ok']:\n"
        "    out.update(to=res.to_addrs, trailers=[(t.kind, t.type) for t in res.trailers])\n"
        "else:\n"
        "    out['reason'] = res.reason\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                          timeout=10, check=True, cwd=ROOT)
    out: dict[str, object] = json.loads(done.stdout)
    return out


def test_a_reply_with_a_huge_reviewed_by_line_parses() -> None:
    data = HEAD + b"Subject: Re: [PATCH] x\n\nReviewed-by: " + b"a@" * 2000 + b"\n"
    assert parse_in_child(data) == {"ok": True, "to": [], "trailers": []}


def test_a_patch_with_a_huge_trailer_word_keeps_it_unclassified() -> None:
    data = (HEAD + b"Subject: [PATCH] x\n\nLog.\n\nReviewed-by: " + b"a@" * 1000
            + b"x.org\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n")
    got = parse_in_child(data)
    assert got["trailers"] == [["reviewed-by", "unknown"]]


def test_a_huge_to_header_parses() -> None:
    data = b"To: " + b"a." * 20000 + b", b <b@example.org>\n" + HEAD + b"Subject: hi\n\nhi\n"
    assert parse_in_child(data) == {"ok": True, "to": ["b@example.org"], "trailers": []}


def test_undeclared_8bit_addresses_are_decoded_not_stored_as_surrogates() -> None:
    # kept as surrogates, these failed the whole batch when it became an Arrow table
    data = (b"From: \x80a@example.org\nTo: b\xe9@example.org\nReferences: <\xff@x> "
            + b"<r@x> " * MAX_FIELD + b"\nSubject: hi\n\nhi\n")
    batch, failures, _ = parse_items([RawMail(data, LOC, T0)])
    assert failures == []
    row = batch.messages.to_pylist()[0]
    assert (row["from_email"], row["to_addrs"], row["references"][0]) == (
        "\x80a@example.org", ["bé@example.org"], "\xff@x")


def test_deeply_nested_comments_are_a_clear_failure() -> None:
    res = parse_mail(RawMail(HEAD.replace(b"From: A", b"From: " + b"(" * 1500 + b"A")
                             + b"Subject: x\n\nx\n", LOC, T0))
    assert isinstance(res, ParseFailure)
    assert res.reason.startswith("a header nests comments or groups too deeply")


def test_an_over_long_subject_is_a_recorded_failure() -> None:
    data = HEAD + b"Subject: [" + b"[" * MAX_FIELD + b"\n\nhi\n"
    res = parse_mail(RawMail(data, LOC, T0))
    assert isinstance(res, ParseFailure)
    assert res.reason.startswith(f"header subject has {MAX_FIELD + 1:,} characters")


def test_a_mail_over_its_parse_budget_is_recorded_not_dropped() -> None:
    hunks = b"".join(b"diff --git a/f%d b/f%d\n--- a/f%d\n+++ b/f%d\n@@ -1 +1 @@\n-a\n+b\n"
                     % (i, i, i, i) for i in range(20000))
    data = HEAD + b"Subject: [PATCH] big\n\nLog.\n---\n" + hunks
    small = HEAD + b"Subject: hi\n\nhi\n"
    batch, failures, _ = parse_items([RawMail(data, LOC, T0)], budget=1e-6)
    assert len(batch) == 0
    assert [f.reason.split(" ")[:3] for f in failures] == [["parsing", "took", "over"]]
    assert failures[0].raw_size == len(data)
    # the same mails with the real budget parse, and the budget's timer is gone after
    batch, failures, _ = parse_items([RawMail(data, LOC, T0), RawMail(small, LOC, T0)])
    assert (len(batch), failures) == (2, [])


# -- the linear scans give what the patterns they replace give --------------------------
def text(alphabet: str, size: int = 14) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(alphabet)), max_size=size).map("".join)


@EQUIV
@given(text("a@.1 <>,:;\"()[]-_é\t"))
def test_addr_specs_is_the_pattern(value: str) -> None:
    pattern = re.compile(r"[^\s<>,;:\"()\[\]]+@[^\s<>,;:\"()\[\]]+[A-Za-z0-9]")
    assert addr_specs(value) == pattern.findall(value)


@EQUIV
@given(st.lists(st.sampled_from(["a/", "b/", '"', " ", "x", "a", "/", "\r"]), max_size=9))
def test_git_paths_is_the_pattern(parts: list[str]) -> None:
    line = "diff --git " + "".join(parts)
    m = re.match(r'^diff --git (?:"?a/)?(.+?)"? (?:"?b/)?(.+?)"?$', line)
    assert git_paths(line) == (m.groups() if m else None)


@EQUIV
@given(text("a@. \t\u2003#x"))
def test_person_and_extinfo_are_the_patterns(value: str) -> None:
    assert looks_like_person(value) == bool(re.search(r"\S+@\S+\.\S+", value))
    m = re.search(r"(.*\S+)(\s+#[^#]+)$", value)
    assert _extinfo(value) == (m.groups() if m else None)


@EQUIV
@given(text("ab_:\n \t@h/0f9é.", 24))
def test_candidate_is_the_pattern(body: str) -> None:
    pattern = re.compile(r"^\s*\w\S+:\s+\S.*(?:@|https?://|[0-9a-f]{6})", re.M)
    assert _candidate(body) == bool(pattern.search(body))


@EQUIV
@given(text("a:\n (0f)<>x", 24))
def test_unwrapping_is_the_patterns(body: str) -> None:
    def join(b: str, at: list[int]) -> str:
        return "".join(" " if i in at else c for i, c in enumerate(b))

    fixes = re.compile(r"^(\S+:\s+[\da-f]+\s+\([^)]+)\n([^\n]+\))", re.M)
    addr = re.compile(r"^(\S+:\s+[^<]+)\n(<[^>]+>)$", re.M)
    assert join(body, _unwrap_fixes(body)) == fixes.sub(r"\1 \2", body)
    assert join(body, _unwrap_address(body)) == addr.sub(r"\1 \2", body)


@EQUIV
@given(text("<>a/b &;r"))
def test_html_text_is_the_pattern(markup: str) -> None:
    assert html_text(markup) == unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", markup)))


# -- fuzz: any bytes, long lines included, give a message or a recorded failure ---------
UNITS = [b"a", b"a@", b"@", b"<", b"(", b'"', b" ", b"a.", b"[PATCH", b"=?utf-8?q?", b"#",
         b"a:", b",", b"\t", b"\xff", b"\x00", b"1/", b"\r", b"\n", b"\n ", b"-", b"+",
         b"diff --git a/", b"@@ -1 +1 @@", b"Reviewed-by: ", b"Fixes: 0123456 (", b")"]
NAMES = [b"From", b"To", b"Cc", b"Subject", b"Message-ID", b"In-Reply-To", b"References",
         b"Date", b"List-Id", b"Content-Type", b"Content-Transfer-Encoding", b"X-Original-From"]
chunk = st.builds(lambda u, n: u * n, st.sampled_from(UNITS), st.integers(1, 3000))
value = st.lists(chunk | st.binary(max_size=40), min_size=1, max_size=4).map(b"".join)
header = st.tuples(st.sampled_from(NAMES), value).map(lambda h: h[0] + b": " + h[1])


@FUZZ
@given(st.lists(header, max_size=6), st.sampled_from([b"Subject: Re: x", b"Subject: [PATCH] x"]),
       st.lists(value, max_size=6))
def test_fuzz_parse(headers: list[bytes], subject: bytes, body: list[bytes]) -> None:
    data = b"\n".join([*headers, subject]) + b"\n\n" + b"\n".join(body)
    batch, failures, _ = parse_items([RawMail(data, LOC, T0)])
    # a failure is one the parser means (not an exception, not the time budget)
    assert len(batch) + len(failures) == 1
    for f in failures:
        assert f.reason.startswith(
            ("header ", "no mail headers", "empty message", "a header nests")), f.reason
