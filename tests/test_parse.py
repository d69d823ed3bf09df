"""The parser on odd mails written by hand (tests/mails/*.eml), against golden files.

Each ``tests/mails/NAME.eml`` has ``NAME.json``: the parsed record (without its location).
Regenerate them with ``LORELENS_UPDATE_GOLDEN=1 pytest tests/test_parse.py`` and review
the diff line by line. ``EXPECT`` below states, independently of the goldens, what each
mail is there to show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ingest.model import Location, ParsedMessage, ParseFailure, RawMail, SourceKind
from ingest.parse import parse_mail
from tests.conftest import MAILS, T0

UPDATE = bool(os.environ.get("LORELENS_UPDATE_GOLDEN"))
LOC = Location(source="tests/mails", kind=SourceKind.MAILDIR, list="test@lists.example.org")


def parse(data: bytes, archive_time: dt.datetime | None = T0) -> ParsedMessage:
    res = parse_mail(RawMail(data, LOC, archive_time))
    assert isinstance(res, ParsedMessage), res
    return res


def record(p: ParsedMessage) -> dict[str, Any]:
    d = {f.name: getattr(p, f.name) for f in dataclasses.fields(p) if f.name != "location"}
    d["trailers"] = [dataclasses.asdict(t) for t in p.trailers]
    return json.loads(json.dumps(d, default=lambda v: v.isoformat(), ensure_ascii=False))


EML = sorted(MAILS.glob("*.eml"))


@pytest.mark.parametrize("eml", EML, ids=[p.stem for p in EML])
def test_golden(eml: Path) -> None:
    got = record(parse(eml.read_bytes()))
    golden = eml.with_suffix(".json")
    if UPDATE:
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert golden.exists(), f"no golden file; run with LORELENS_UPDATE_GOLDEN=1 ({golden})"
    assert got == json.loads(golden.read_text())


def test_every_golden_has_its_mail() -> None:
    orphans = [j.name for j in MAILS.glob("*.json") if not j.with_suffix(".eml").exists()]
    assert not orphans


A = T0.isoformat()
EXPECT: dict[str, dict[str, object]] = {
    "encoded-words": {
        "from_name": "Jörg Müller", "from_email": "joerg.mueller@example.org",
        "from_domain": "example.org", "subject": "[PATCH] watchdog: fix Übersetzung für Geräte",
        "to_addrs": ["rene@example.net", "linux-watchdog@vger.kernel.org"],
        "list": "linux-watchdog@vger.kernel.org",
    },
    "multipart-alternative": {"is_reply": True, "trailers.kind": ["acked-by"]},
    # the raw <html@example.com> of its second line is a tag to HTML, so it is dropped
    "html-only": {"is_reply": True, "trailers.email": ["html@example.com"]},
    "no-message-id": {"msgid_synthetic": True},
    "date-missing": {"date": A, "date_source": "archive:missing", "date_raw": None},
    "date-unparsable": {"date": A, "date_source": "archive:unparsable"},
    "date-future": {"date": A, "date_source": "archive:future"},
    "date-future-within-a-day": {"date": "2024-06-02T06:00:00+00:00", "date_source": "header"},
    "date-before-1991": {"date": A, "date_source": "archive:too-old"},
    "date-offset-1600": {"date": A, "date_source": "archive:bad-offset"},
    "date-offset-2000": {"date": A, "date_source": "archive:bad-offset"},
    "date-offset-1900": {"date": A, "date_source": "archive:bad-offset"},
    "date-offset-minus-0930": {"date": "2024-03-08T19:30:00+00:00", "date_source": "header"},
    "date-no-seconds-and-zone-name": {"date": "2024-03-08T15:00:00+00:00"},
    "patch-v3-2of5": {
        "is_patch": True, "is_reply": False, "is_cover": False, "patch_version": 3,
        "patch_counter": 2, "patch_total": 5,
        "files": ["drivers/watchdog/foo_wdt.c", "Documentation/watchdog/foo.rst"],
        "lines_added": 5, "lines_removed": 3,
        "trailers.kind": ["fixes", "link", "reported-by", "reviewed-by", "signed-off-by"],
        "cc_addrs": ["linux@roeck-us.net", "linux-watchdog@vger.kernel.org",
                     "linux-kernel@vger.kernel.org"],
        "date": "2024-03-08T11:00:00+00:00",
    },
    "reply-reviewed-by": {
        "is_reply": True, "is_patch": False, "patch_version": 3,
        "in_reply_to": "20240308110000.1234-3-author@example.com",
        "trailers.kind": ["reviewed-by", "tested-by"],
        "trailers.email": ["linux@roeck-us.net", "linux@roeck-us.net"],
    },
    "patch-glued-counter": {"is_patch": True, "patch_counter": 1, "patch_total": 8},
    "patch-6-of-5": {"is_patch": True, "patch_version": 2, "patch_counter": 6, "patch_total": 5},
    "patch-rfc-resend": {"is_patch": True, "is_rfc": True, "is_resend": True,
                         "patch_version": 4, "patch_counter": 1, "patch_total": 12},
    "cover-letter-change-id": {
        "is_cover": True, "is_patch": False, "patch_counter": 0, "patch_total": 3,
        "change_id": "20240301-bar-fixes-1a2b3c4d5e6f", "trailers": [],
    },
    "folded-headers": {
        "from_name": "Folded, Name", "from_email": "folded@example.com",
        "subject": "[PATCH] watchdog: a subject that is long enough to be folded over two "
                   "lines by the mailer",
        "message_id": "folded-headers@example.com", "in_reply_to": "parent@example.com",
        "references": ["root@example.com", "middle@example.com", "parent@example.com"],
        "to_addrs": ["linux-watchdog@vger.kernel.org", "someone@example.com",
                     "third@example.com"],
        "date_source": "header", "is_patch": False, "has_diff": False,
    },
    "latin1-body": {"from_name": "François", "trailers.name": ["François Père"]},
    "koi8r-body": {"from_name": "Петров", "trailers.name": ["Пётр Петров"]},
    "base64-body": {"is_patch": True, "files": ["lib/y.c"], "lines_added": 1,
                    "lines_removed": 1, "trailers.kind": ["signed-off-by"]},
    "qp-body": {"trailers.name": ["Quentin Printable-Été"]},
    "patch-attachment": {"is_patch": True, "files": ["lib/z.c"], "lines_added": 1,
                         "lines_removed": 1},
    "undeclared-8bit-utf8": {"from_name": "Zoë Ünicode",
                             "subject": "Re: naïve question about Ünicode"},
    "undeclared-8bit-latin1": {"from_name": "René Lâtin",
                               "subject": "Question sur le pilote élémentaire"},
    "from-no-name": {"from_name": None, "from_email": "plain.address@example.com",
                     "from_domain": "example.com"},
    "from-invalid": {"from_email": None,
                     "from_raw": '"Broken Sender" <broken sender at example dot com>'},
    "from-localhost": {"from_email": "root@localhost", "from_name": "Cron Daemon",
                       "from_raw": "root@localhost (Cron Daemon)"},
    # b4's web relay sends as "Name via B4 Relay <devnull+…@kernel.org>": the author is
    # in X-Original-From, the relay's address is kept in from_via
    "b4-relay": {"from_name": "Nadia Relayed", "from_email": "nadia.relayed@example.net",
                 "from_domain": "example.net",
                 "from_via": "devnull+nadia.relayed.example.net@kernel.org",
                 "is_patch": True, "patch_version": 2,
                 "trailers.email": ["nadia.relayed@example.net"]},
    "crlf-line-endings": {"is_reply": True, "trailers.kind": ["tested-by"],
                          "subject": "Re: [PATCH] lib: z: set z to one"},
}


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_expected_fields(name: str) -> None:
    got = record(parse((MAILS / f"{name}.eml").read_bytes()))
    for key, want in EXPECT[name].items():
        if key.startswith("trailers."):
            field = key.split(".", 1)[1]
            assert [t[field] for t in got["trailers"]] == want, key
        else:
            assert got[key] == want, key


def test_expect_names_exist() -> None:
    assert not [n for n in EXPECT if not (MAILS / f"{n}.eml").exists()]


def test_duplicate_message_id_different_content() -> None:
    a = parse((MAILS / "dup-msgid-a.eml").read_bytes())
    b = parse((MAILS / "dup-msgid-b.eml").read_bytes())
    assert a.message_id == b.message_id == "duplicate@example.com"
    assert a.content_hash != b.content_hash


def test_transport_headers_do_not_change_the_content_hash() -> None:
    data = (MAILS / "patch-v3-2of5.eml").read_bytes()
    other = b"Received: from x by y\nList-Id: <linux-kernel.vger.kernel.org>\n" + data
    assert parse(data).content_hash == parse(other).content_hash
    assert parse(other).list == "linux-kernel@vger.kernel.org"


def test_no_message_id_is_stable_and_distinct() -> None:
    data = (MAILS / "no-message-id.eml").read_bytes()
    assert parse(data).message_id == parse(data).message_id
    assert parse(data).message_id != parse(data.replace(b"MTAs", b"mailers")).message_id


def test_no_archive_time_and_no_date() -> None:
    p = parse((MAILS / "date-missing.eml").read_bytes(), archive_time=None)
    assert p.date is None and p.date_source == "none"


def test_dates_are_aware_utc() -> None:
    for eml in EML:
        p = parse(eml.read_bytes())
        assert p.date is not None and p.date.utcoffset() == dt.timedelta(0), eml.name


@pytest.mark.parametrize(
    "data, why",
    [(b"", "empty"), (b"   \n\n", "empty"), (b"just some words without any header\n", "header")],
)
def test_not_a_mail_is_a_failure_not_an_exception(data: bytes, why: str) -> None:
    res = parse_mail(RawMail(data, LOC, T0))
    assert isinstance(res, ParseFailure)
    assert why in res.reason and res.location == LOC


def test_huge_body() -> None:
    """A 300,000-line patch (about 5 MB) parses, with exact line counts."""
    n = 150_000
    diff = ["diff --git a/big.c b/big.c", "--- a/big.c", "+++ b/big.c",
            f"@@ -1,{n} +1,{n} @@"]
    diff += [f"-old line {i}" for i in range(n)] + [f"+new line {i}" for i in range(n)]
    body = "Rewrite big.c.\n\nSigned-off-by: Big <big@example.com>\n---\n" + "\n".join(diff)
    head = ("From: Big <big@example.com>\nSubject: [PATCH] big: rewrite\n"
            "Date: Mon, 01 Jan 2024 00:00:00 +0000\nMessage-ID: <huge@example.com>\n\n")
    data = (head + body + "\n").encode()
    assert len(data) > 4_500_000
    p = parse(data)
    assert p.is_patch and p.files == ["big.c"]
    assert (p.lines_added, p.lines_removed) == (n, n)
    assert [t.kind for t in p.trailers] == ["signed-off-by"]
    assert p.body_bytes == len(body) + 1


def test_huge_body_without_diff() -> None:
    body = ("x" * 79 + "\n") * 200_000
    data = ("From: a@example.com\nSubject: log\nMessage-ID: <log@example.com>\n\n"
            + body).encode()
    p = parse(data)
    assert not p.has_diff and p.body_bytes == len(body)


@pytest.mark.parametrize("header, name, email", [
    # a decoded display name with a comma or brackets must not break the address
    (b"=?iso-8859-1?Q?Sondhau=DF=2C_Jan?= <Jan.Sondhauss@wago.com>", "Sondhauß, Jan",
     "jan.sondhauss@wago.com"),
    (b"=?utf-8?B?eHQuaHVb6IOh5YWI6Z+sXQ==?= <xt.hu@cqplus1.com>", "xt.hu[胡先韬]",
     "xt.hu@cqplus1.com"),
    (b'"M\\xc3\\xbcller, Hans" <hans@example.org>'.decode("unicode_escape").encode("latin-1"),
     "Müller, Hans", "hans@example.org"),
])
def test_from_with_comma_or_brackets_in_the_decoded_name(header, name, email) -> None:
    p = parse(b"From: " + header + b"\nSubject: s\nMessage-ID: <m@x>\n"
              b"Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nBody.\n")
    assert (p.from_name, p.from_email) == (name, email)


def test_rename_only_patch_and_wrapped_diff_line() -> None:
    rename = parse(b"From: A <a@x.org>\nSubject: [PATCH] move a.c\nMessage-ID: <r@x>\n\n"
                   b"Move it.\n\nSigned-off-by: A <a@x.org>\n---\n a.c => b.c | 0\n\n"
                   b"diff --git a/a.c b/b.c\nsimilarity index 100%\nrename from a.c\n"
                   b"rename to b.c\n")
    assert rename.is_patch and rename.files == ["b.c"] and rename.lines_added == 0
    wrapped = parse(b"From: A <a@x.org>\nSubject: [PATCH] fix\nMessage-ID: <w@x>\n\n"
                    b"Fix.\n---\ndiff --git a/drivers/watchdog/very_long_name_wdt.c\n"
                    b" b/drivers/watchdog/very_long_name_wdt.c\n"
                    b"--- a/drivers/watchdog/very_long_name_wdt.c\n"
                    b"+++ b/drivers/watchdog/very_long_name_wdt.c\n"
                    b"@@ -1,2 +1,2 @@\n-old\n+new\n ctx\n")
    assert wrapped.is_patch and wrapped.files == ["drivers/watchdog/very_long_name_wdt.c"]
    assert (wrapped.lines_added, wrapped.lines_removed) == (1, 1)


def test_split_headers_rules() -> None:
    from ingest.headers import split_headers

    head = (b"From foo@bar Mon Jan  1 00:00:00 2024\n"  # an mbox From_ line is no field
            b"Received: from mail.example.org\n\tby mx; Mon\n"
            b"FROM: First <first@x.org>\r\n"
            b"Subject: a folded\r\n  subject\n\tline\n"
            b"X-Original-From: Author <a@x.org>\n"
            b"To : not a field (space before the colon)\n"
            b"from: Second <second@x.org>\n"
            b"Cc:\n c@x.org\n"
            b"Message-ID: <m@x>\n")
    assert split_headers(head) == {
        "from": "First <first@x.org>",  # the first occurrence, whatever its case
        "subject": "a folded  subject\tline",
        "x-original-from": "Author <a@x.org>",
        "cc": "c@x.org",
        "message-id": "<m@x>",
    }


def test_parsed_batches_survive_pickle() -> None:
    # parsed batches travel from the parser processes by pickle, as Arrow tables
    import pickle

    from ingest.columns import to_batch

    parsed = [parse(eml.read_bytes()) for eml in EML]
    batch = to_batch(parsed)
    back = pickle.loads(pickle.dumps(batch))
    assert back.messages.equals(batch.messages) and back.copies.equals(batch.copies)
    assert back.trailers.equals(batch.trailers)
    assert back.messages.column("message_id").to_pylist() == [p.message_id for p in parsed]
    assert back.trailers.num_rows == sum(len(p.trailers) for p in parsed) > 0
    failure = ParseFailure(LOC, "why", 3)
    assert pickle.loads(pickle.dumps(failure)) == failure
