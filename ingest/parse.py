"""Raw mail bytes → :class:`ParsedMessage`. Pure functions, no I/O.

Speed matters (a kernel list has hundreds of thousands of mails), so the headers are
parsed with the ``email`` package's cheap ``compat32`` policy and the body is only
decoded when it can matter: patches (for the diff) and mails that may carry trailers.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import email.errors
import email.header
import email.parser
import email.utils
import functools
import hashlib
import quopri
import re
from email import policy
from html import unescape as html_unescape
from typing import cast

from ingest.addresses import all_msgids, first_msgid, list_from_list_id, normalise
from ingest.dates import resolve_date
from ingest.diff import parse_diff
from ingest.headers import has_fields, split_block, split_headers
from ingest.mime import leaf_parts
from ingest.model import ParsedMessage, ParseFailure, RawMail
from ingest.subjects import parse_subject
from ingest.trailers import applied_notice, bot_report, find_trailers, unquoted

_FULL_PARSER = email.parser.BytesParser(policy=policy.compat32)
# b4 writes "change-id: 20240101-short-slug-0123456789ab" (lower case, dated); Gerrit's
# "Change-Id: I0123…" lines in commit messages are something else
_CHANGE_ID = re.compile(r"^change-id: (\d{8}-\S+)\s*$", re.M)
_ENCODED_WORD = "=?"
# the runs of text between the separators of an address list (see _addr_specs)
_ADDR_RUN = re.compile(r"[^\s<>,;:\"()\[\]]+")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACES = re.compile(r"\s+")
_CHARSET = re.compile(r'charset\s*=\s*"?([\w.:-]+)', re.I)
# The longest value of a one-line header field (From, Subject, Message-ID, …) that is
# parsed; a mail with a longer one is recorded in ingest_errors. Real ones have under 300
# characters; b4's subject patterns and the email package's address parser slow down
# more than linearly past a few thousand (docs/guide.md, "Limits on hostile mail").
MAX_FIELD = 2048
_LIMITED = ("message-id", "date", "from", "x-original-from", "subject", "in-reply-to",
            "list-id", "content-type", "content-transfer-encoding")
_BODY_HINTS = (
    b"-by:", b"diff --git", b"\n+++ ", b"change-id:",
    b"pplied", b"ueued", b"icked up", b"ushed", b"erged",
)


def header_text(value: object) -> str:
    """A header value as text: encoded words decoded, undeclared 8-bit read as UTF-8,
    NUL characters (``=00`` in an encoded word) dropped."""
    text = _header_text(value)
    return text.replace("\0", "") if "\0" in text else text


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        chunks = email.header.decode_header(value)
    else:
        text = str(value)
        if "\n" in text:
            text = _FOLD.sub("", text)
        if _ENCODED_WORD not in text:
            if not text.isascii():
                return _decode_bytes(text.encode("utf-8", "surrogateescape"), None).strip()
            return text.strip()
        try:
            chunks = email.header.decode_header(text)
        except (ValueError, LookupError, binascii.Error, email.errors.HeaderParseError):
            return text
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        out.append(_decode_bytes(chunk, charset))
    return _SPACES.sub(" ", "".join(out)).strip()


def _decode_bytes(data: bytes, charset: str | None) -> str:
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            codecs.lookup(charset)
            return data.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def eight_bit(value: str) -> str:
    """A raw header value (undeclared 8-bit bytes held as surrogates, as
    :func:`ingest.headers.split_headers` gives it) with those bytes decoded: UTF-8, else
    Latin-1. Encoded words are left as they are."""
    if value.isascii():
        return value
    return _decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def _content_hash(headers: dict[str, str], body: bytes) -> str:
    """A hash of what the author wrote: From, Date, Subject and the body bytes.

    Transport headers (Received, List-Id, …) differ between the copies of one mail on
    several lists, so they stay out; a duplicate Message-ID with a different hash is
    a different mail.
    """
    h = hashlib.sha1(usedforsecurity=False)
    for name in ("from", "date", "subject"):
        h.update(headers.get(name, "").encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    h.update(body.replace(b"\r\n", b"\n").rstrip(b"\n"))
    return h.hexdigest()


def _single_part_text(headers: dict[str, str], body: bytes) -> str:
    cte = headers.get("content-transfer-encoding", "").strip().lower()
    if cte == "base64":
        with contextlib.suppress(binascii.Error, ValueError):
            body = base64.b64decode(body, validate=False)
    elif cte == "quoted-printable":
        body = quopri.decodestring(body)
    charset = None
    ctype = headers.get("content-type", "")
    m = _CHARSET.search(ctype)
    if m:
        charset = m.group(1)
    return _decode_bytes(body, charset).replace("\r\n", "\n")


def _multipart_text(content_type: str, body: bytes, data: bytes) -> str:
    """Text of a MIME mail: its text/plain parts, and patch attachments, in order."""
    parts = leaf_parts(content_type, body)
    if parts is None:  # anything unusual: the email package's full parse
        parts = [p for p in _FULL_PARSER.parsebytes(data).walk() if not p.is_multipart()]
    texts = []
    html = []
    for part in parts:
        ctype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        is_patch_file = name.endswith((".patch", ".diff")) or ctype in (
            "text/x-patch",
            "text/x-diff",
            "text/x-patch; charset=utf-8",
        )
        # (``cast``: a decoded leaf part's payload is bytes or None)
        if ctype == "text/plain" or is_patch_file:
            payload = cast(bytes, part.get_payload(decode=True) or b"")
            texts.append(_decode_bytes(payload, part.get_content_charset()))
        elif ctype == "text/html":
            payload = cast(bytes, part.get_payload(decode=True) or b"")
            html.append(_decode_bytes(payload, part.get_content_charset()))
    if not texts and html:
        # HTML-only mail: keep its text so trailers and diffs are still seen
        texts = [html_text(h) for h in html]
    return "\n".join(texts).replace("\r\n", "\n")


_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|tr|h\d)\s*>", re.I)
_HTML_TAG = re.compile(r"<[^>]+>")


def html_text(markup: str) -> str:
    """The text of an HTML part: line breaks kept, tags dropped, entities decoded."""
    text = _HTML_BREAK.sub("\n", markup)
    # no tag can start after the last ">": leaving that tail out of the substitution keeps
    # ``<[^>]+>`` from scanning to the end of the text from every "<" in it
    cut = text.rfind(">") + 1
    return html_unescape(_HTML_TAG.sub("", text[:cut]) + text[cut:])


@functools.lru_cache(maxsize=16_384)
def _parse_from(value: str) -> tuple[str, str]:
    return email.utils.parseaddr(value)


@functools.lru_cache(maxsize=2048)
def _addresses(value: str | None) -> tuple[str, ...]:
    """The addresses of a To/Cc field, normalised, in order (names are not kept).

    Replies in one thread repeat the same long Cc lists, hence the cache. Only the
    addr-specs are wanted, so they are picked out directly rather than by a full
    RFC 5322 address-list parse (which costs more than the rest of a mail's parsing).
    """
    if not value:
        return ()
    out: list[str] = []
    for addr in addr_specs(value):
        email_ = normalise(addr).email
        if email_ and email_ not in out:
            out.append(email_)
    return tuple(out)


def addr_specs(value: str) -> list[str]:
    """The addr-specs of an address list, in linear time.

    ``re.findall(r"[^\\s<>,;:\"()\\[\\]]+@[^\\s<>,;:\"()\\[\\]]+[A-Za-z0-9]", value)``
    gives the same, but backtracks quadratically on a long run without an ``@``. Every
    match lies in one run of text between separators and starts where it starts: it
    ends at the run's last ASCII letter or digit, when an ``@`` stands after the run's
    first character and two or more characters before that end.
    """
    out = []
    for run in _ADDR_RUN.findall(value):
        if "@" not in run:
            continue
        end = len(run) - 1
        while end >= 0 and not _ALNUM.match(run, end):
            end -= 1
        if end >= 3 and run.find("@", 1, end - 1) != -1:
            out.append(run[: end + 1])
    return out


def parse_mail(raw: RawMail) -> ParsedMessage | ParseFailure:
    """Parse one raw mail. Never raises for bad input: returns a ParseFailure."""
    data = raw.data
    if not data.strip():
        return ParseFailure(raw.location, "empty message", len(data))
    try:
        return _parse(raw)
    except RecursionError:
        # the email package's address parser recurses once per nested comment
        return ParseFailure(raw.location, "a header nests comments or groups too deeply "
                            "to parse (RecursionError)", len(data))
    except Exception as exc:  # a mail we cannot read is recorded, never fatal
        return ParseFailure(raw.location, f"{type(exc).__name__}: {exc}", len(data))


def _parse(raw: RawMail) -> ParsedMessage | ParseFailure:
    head, body = split_block(raw.data)
    headers = split_headers(head)
    if not headers and not has_fields(head):
        return ParseFailure(raw.location, "no mail headers found", len(raw.data))
    for name in _LIMITED:
        if len(headers.get(name, "")) > MAX_FIELD:
            return ParseFailure(
                raw.location,
                f"header {name} has {len(headers[name]):,} characters, over the limit of "
                f"{MAX_FIELD:,} (docs/guide.md)", len(raw.data))
    chash = _content_hash(headers, body)

    msgid = first_msgid(header_text(headers.get("message-id")))
    synthetic = msgid is None
    if msgid is None:
        msgid = f"{chash}@lorelens.invalid"

    date_raw = headers.get("date")
    date_raw = header_text(date_raw) if date_raw is not None else None

    date, date_source = resolve_date(date_raw, raw.archive_time)

    # addresses are read from text: undeclared 8-bit bytes decoded first (kept as
    # surrogates, they would reach from_email and could not be stored)
    from_header = eight_bit(headers.get("from", ""))
    from_via = None
    original = eight_bit(headers.get("x-original-from", ""))
    if original:
        # sent through a relay on the author's behalf (b4's web relay "Name via B4
        # Relay <devnull+…@kernel.org>", a list rewriting From for DMARC): the author
        # is in X-Original-From; the relay's From is kept in from_via
        _via_name, via_addr = _parse_from(from_header)
        from_via = normalise(via_addr).email if via_addr else header_text(from_header) or None
        from_header = original
    from_raw = header_text(from_header)
    # the address is read from the header as written: a decoded display name may hold
    # commas or brackets ("Sondhauß, Jan") that would break the address syntax
    name, addr = _parse_from(from_header)
    if not addr:
        name, addr = _parse_from(from_raw)
    name = header_text(name) if name else name
    address = normalise(addr) if addr else None
    from_email = address.email if address else None
    keep_raw = from_raw if (address is None or address.error) else None

    subject = header_text(headers.get("subject"))
    subj = parse_subject(subject)
    in_reply_to = first_msgid(header_text(headers.get("in-reply-to")))
    # a long References (a deep thread) is read as written: its encoded words, if any,
    # are not decoded, which would take quadratic time
    refs = headers.get("references")
    references = all_msgids(
        header_text(refs) if refs and len(refs) <= MAX_FIELD else eight_bit(refs or ""))
    # Patches of a series carry In-Reply-To (their cover letter) but are not replies;
    # a mail without "Re:" and without a PATCH tag that answers another one is.
    is_reply = subj.reply or (in_reply_to is not None and not subj.patch)

    ctype = headers.get("content-type", "").lower()
    multipart = ctype.startswith("multipart/")
    encoded = headers.get("content-transfer-encoding", "").strip().lower() in (
        "base64",
        "quoted-printable",
    )
    need_body = subj.patch or multipart or encoded or any(h in body for h in _BODY_HINTS)
    text = ""
    if need_body:
        text = (
            _multipart_text(headers["content-type"], body, raw.data) if multipart
            else _single_part_text(headers, body)
        )
        text = text.replace("\0", "")  # as in headers: trailers never carry a NUL
    diff = parse_diff(text) if text else None
    has_diff = diff is not None

    is_cover = subj.patch and not is_reply and subj.counter == 0 and subj.expected > 0
    is_patch = subj.patch and not is_reply and has_diff and not is_cover
    own = unquoted(text) if (is_reply and text) else None  # a reply's own words
    trailers = (
        find_trailers(text, is_reply=is_reply, is_patch=is_patch, own=own) if text else []
    )
    applied = applied_notice(text, own=own) if own is not None else None
    report = bot_report(own) if own is not None else None
    change_id = None
    if text and "change-id: " in text:
        m = _CHANGE_ID.search(text)
        change_id = m.group(1) if m else None

    return ParsedMessage(
        message_id=msgid,
        msgid_synthetic=synthetic,
        date=date,
        date_source=date_source.value,
        date_raw=date_raw,
        archive_time=raw.archive_time,
        from_name=name.strip() or None if name else None,
        from_email=from_email,
        from_domain=address.domain if address else None,
        from_raw=keep_raw,
        from_via=from_via,
        subject=subject,
        subject_base=subj.base,
        prefixes=list(subj.prefixes),
        in_reply_to=in_reply_to,
        references=references,
        is_reply=is_reply,
        is_patch=is_patch,
        is_cover=is_cover,
        is_rfc=subj.rfc,
        is_resend=subj.resend,
        patch_version=subj.version if subj.patch else None,
        patch_counter=subj.counter if subj.patch else None,
        patch_total=subj.expected if subj.patch else None,
        has_diff=has_diff,
        files=list(diff.files) if diff else [],
        lines_added=diff.added if diff else None,
        lines_removed=diff.removed if diff else None,
        change_id=change_id,
        applied_notice=applied,
        bot_report=report,
        to_addrs=list(_addresses(eight_bit(headers.get("to", "")))),
        cc_addrs=list(_addresses(eight_bit(headers.get("cc", "")))),
        list=list_from_list_id(header_text(headers.get("list-id"))) or raw.location.list,
        body_bytes=len(body),
        content_hash=chash,
        location=raw.location,
        trailers=trailers,
    )
