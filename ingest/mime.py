"""The leaf parts of a MIME multipart mail, found without parsing the whole mail.

The ``email`` package's feed parser reads a mail line by line in Python and compiles a
regular expression for every boundary: about 1 ms for a multipart mail, so the 3.5% of
kernel mails that are multipart cost a tenth of an ingest's parsing. Here the body is
cut at its delimiter lines with ``bytes.find``, and each part's few header lines go to
the ``email`` package's own header parser, so content types, file names, charsets and
transfer decoding keep the library's semantics exactly (``Message.get_payload``,
``get_filename``, …). Whatever is out of the ordinary — no boundary, no closing
delimiter, a part whose headers the library flags as defective, an attached message, a
digest, a bare CR line ending — gives None, and the caller parses the mail with the
``email`` package as before. ``tests/test_parse.py`` checks both ways agree on every
multipart mail of the test archives.
"""

from __future__ import annotations

import email.parser
from email import policy
from email.message import Message

from ingest.headers import split_block

_HEADERS = email.parser.BytesHeaderParser(policy=policy.compat32)
_MAX_DEPTH = 8


def leaf_parts(content_type: str, body: bytes) -> list[Message] | None:
    """The non-multipart parts of a mail in ``msg.walk()`` order, or None to fall back.

    ``content_type`` is the mail's Content-Type value, ``body`` what follows its header
    block.
    """
    if body.count(b"\r") != body.count(b"\r\n"):
        return None  # a bare CR ends a line for the feed parser; rare enough to hand over
    top = Message()
    top["Content-Type"] = content_type
    leaves: list[Message] = []
    return leaves if _collect(top, body, leaves, 0) else None


def _collect(container: Message, body: bytes, leaves: list[Message], depth: int) -> bool:
    """Append the leaves below ``container`` to ``leaves``; False where unsure."""
    if depth > _MAX_DEPTH or container.get_content_subtype() == "digest":
        return False  # a digest's parts default to message/rfc822
    try:
        boundary = (container.get_boundary() or "").encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return False
    chunks = _split_at_delimiters(body, boundary) if boundary else None
    if chunks is None:
        return False
    for chunk in chunks:
        found = _part(chunk)
        if found is None:
            return False
        part, part_body = found
        maintype = part.get_content_maintype()
        if maintype == "message":
            return False  # the feed parser parses an attached mail; leave that to it
        if maintype == "multipart":
            if not _collect(part, part_body, leaves, depth + 1):
                return False
        else:
            leaves.append(part)
    return True


def _split_at_delimiters(body: bytes, boundary: bytes) -> list[bytes] | None:
    """The parts between ``--boundary`` lines (RFC 2046 §5.1.1), preamble and epilogue
    dropped; None without a closing ``--boundary--`` line.

    A delimiter line is ``--boundary``, optionally ``--``, optional spaces or tabs, and
    the line end — as the feed parser matches it. The line end before a delimiter
    belongs to the delimiter, so it is taken off the part.
    """
    sep = b"--" + boundary
    parts: list[bytes] = []
    start: int | None = None
    pos = 0
    while (i := body.find(sep, pos)) != -1:
        pos = i + len(sep)
        if i and body[i - 1] != 0x0A:
            continue  # not at the start of a line
        eol = body.find(b"\n", pos)
        end = len(body) if eol == -1 else eol + 1
        rest = body[pos:end]
        close = rest.startswith(b"--")
        if (rest[2:] if close else rest).rstrip(b"\r\n").strip(b" \t"):
            continue  # "--boundary" followed by more text: not a delimiter
        if start is not None:
            parts.append(_without_last_eol(body[start:i]))
        if close:
            return parts if start is not None else None  # no part at all: left as text
        start = pos = end
    return None


def _without_last_eol(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def _part(chunk: bytes) -> tuple[Message, bytes] | None:
    """One body part and its body bytes: the header lines parsed by the ``email``
    package, the body set as the payload (text with undeclared 8-bit bytes kept as
    surrogates, as the feed parser stores it). None when the library finds the header
    block defective."""
    if chunk.startswith((b"\n", b"\r\n")):  # no header lines at all
        head, body = b"", chunk[1:] if chunk.startswith(b"\n") else chunk[2:]
    else:
        head, body = split_block(chunk)
    msg = _HEADERS.parsebytes(head)
    if msg.defects or msg.get_payload():
        return None  # a line that is no header field: the feed parser reads it as body
    msg.set_payload(body.decode("ascii", "surrogateescape"))
    return msg, body
