"""ingest.mime (the multipart shortcut) against the email package's full parse."""

from __future__ import annotations

import email.parser
import subprocess
from email import policy
from email.message import Message
from pathlib import Path

import pytest

import ingest.parse
from ingest.headers import split_block, split_headers
from ingest.mime import leaf_parts
from tests.conftest import LIVEPATCH, MAILS, WATCHDOG
from tests.test_parse import parse

FULL = email.parser.BytesParser(policy=policy.compat32)


def what(parts: list[Message]) -> list[tuple]:
    """What parsing reads of each leaf part."""
    return [(p.get_content_type(), p.get_filename(), p.get_content_charset(),
             p.get_payload(decode=True)) for p in parts]


def reference(data: bytes) -> list[tuple]:
    return what([p for p in FULL.parsebytes(data).walk() if not p.is_multipart()])


def shortcut(data: bytes) -> list[Message] | None:
    head, body = split_block(data)
    return leaf_parts(split_headers(head)["content-type"], body)


def mime(body: str, boundary: str = "XX", eol: str = "\n") -> bytes:
    head = (f"From: a@example.org\nSubject: x\nMessage-ID: <m@x>\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed;\n boundary="{boundary}"\n\n')
    return (head + body).replace("\n", eol).encode("utf-8", "surrogateescape")


NESTED = """preamble
--XX
Content-Type: multipart/alternative; boundary=YY

--YY
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9
--YY
Content-Type: text/html

<p>café</p>
--YY--
inner epilogue
--XX
Content-Type: text/x-patch; name="0001-fix.patch"
Content-Disposition: attachment; filename="0001-fix.patch"
Content-Transfer-Encoding: base64

ZGlmZiAtLWdpdCBhL2YgYi9mCi0tLSBhL2YKKysrIGIvZgpAQCAtMSArMSBAQAotYQorYgo=
--XX

--XX-not-a-delimiter
--XX-- \t
epilogue
"""


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_nested_parts_attachments_and_encodings_agree(eol: str) -> None:
    data = mime(NESTED, eol=eol)
    parts = shortcut(data)
    assert parts is not None
    assert what(parts) == reference(data)
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "text/html", "text/x-patch", "text/plain"]
    assert parts[0].get_payload(decode=True) == b"caf\xe9"
    assert parts[3].get_payload(decode=True) == b"--XX-not-a-delimiter"


@pytest.mark.parametrize("body, why", [
    ("--XX\nContent-Type: text/plain\n\nno closing delimiter\n", "no closing delimiter"),
    ("\n\n--XX--\n", "a closing delimiter and no part (spam does this)"),
    ("--XX\nContent-Type: message/rfc822\n\nFrom: b@x\n\nhi\n--XX--\n", "an attached mail"),
    ("--XX\nnot a header line\n\nbody\n--XX--\n", "a part whose first line is no header"),
    ("--XX\r\nContent-Type: text/plain\r\rbare CR\n--XX--\n", "a bare CR line end"),
])
def test_anything_unusual_falls_back(body: str, why: str) -> None:
    assert shortcut(mime(body)) is None, why


def test_digest_and_missing_boundary_fall_back() -> None:
    digest = mime("--XX\n\nFrom: b@x\n\nhi\n--XX--\n").replace(
        b"multipart/mixed", b"multipart/digest")
    assert shortcut(digest) is None
    assert leaf_parts("multipart/mixed", b"--XX\n\nhi\n--XX--\n") is None


def test_parse_mail_reads_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    data = mime(NESTED)
    fast = parse(data)
    monkeypatch.setattr(ingest.parse, "leaf_parts", lambda *_: None)
    slow = parse(data)
    assert fast == slow
    assert fast.has_diff and fast.files == ["f"]


def _multipart_mails(archive: Path) -> list[bytes]:
    git = ["git", "-c", "safe.directory=*", "--git-dir", str(archive)]
    shas = subprocess.run([*git, "log", "--format=%H"], capture_output=True, text=True,
                          check=True).stdout.split()
    out = subprocess.run([*git, "cat-file", "--batch"], capture_output=True, check=True,
                         input="".join(f"{s}:m\n" for s in shas).encode()).stdout
    mails, i = [], 0
    while i < len(out):
        j = out.index(b"\n", i)
        size = int(out[i:j].split()[2])
        data = out[j + 1 : j + 1 + size]
        if b"multipart/" in split_block(data)[0].lower():
            mails.append(data)
        i = j + 2 + size
    return mails


def test_golden_mails_agree() -> None:
    checked = 0
    for path in sorted(MAILS.glob("*.eml")):
        data = path.read_bytes()
        if b"multipart/" not in split_block(data)[0].lower():
            continue
        parts = shortcut(data)
        assert parts is None or what(parts) == reference(data), path.name
        checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_every_multipart_mail_of_the_real_archives_agrees(shared_archives: Path) -> None:
    mails = [m for name in (WATCHDOG, LIVEPATCH) for m in _multipart_mails(shared_archives / name)]
    assert len(mails) > 700
    fell_back, differ = 0, []
    for data in mails:
        if "multipart/" not in split_headers(split_block(data)[0]).get("content-type", "").lower():
            continue  # "multipart/" somewhere else in the header block
        parts = shortcut(data)
        if parts is None:
            fell_back += 1
        elif what(parts) != reference(data):
            differ.append(data[:300])
    assert not differ, differ[:2]
    assert fell_back <= 5  # the shortcut must stay the common path
