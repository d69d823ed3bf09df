"""Reading the few header fields lorelens stores, cheaply.

A kernel mail carries 30–60 header fields (Received, ARC-*, DKIM, …) of which ingest
needs about a dozen. Building a full ``email.message.Message`` for every mail is the
single largest cost of an ingest (see bench/README.md), so the header block is split into
fields here: RFC 5322 §2.2 unfolding and ``name: value`` matching, nothing more. Decoding
of the values (RFC 2047 encoded words, charsets) is left to the ``email`` package.
"""

from __future__ import annotations

import re

WANTED = frozenset({
    "message-id", "date", "from", "subject", "in-reply-to", "references", "to", "cc",
    "list-id", "content-type", "content-transfer-encoding", "x-original-from",
})


# "\n<name>:" and its value, continuation lines included (RFC 5322 §2.2.3: a folded line
# starts with a space or a tab); matched over the lower-cased block
_FIELD = re.compile(
    rb"\n(" + b"|".join(re.escape(n.encode()) for n in sorted(WANTED, key=len, reverse=True))
    + rb"):([^\n]*(?:\n[ \t][^\n]*)*)"
)


def split_headers(head: bytes) -> dict[str, str]:
    """The first occurrence of each wanted field, unfolded, as text.

    One regular-expression scan over the lower-cased block finds the wanted fields with
    their continuation lines (C speed; a Python loop over 30–60 header lines costs
    more); values are then taken from the original bytes. Bytes are read as ASCII with
    ``surrogateescape`` (as the ``email`` package does), so undeclared 8-bit bytes survive
    to be decoded later.
    """
    low = b"\n" + head.lower()
    fields: dict[str, str] = {}
    for m in _FIELD.finditer(low):
        name = m.group(1).decode()
        if name in fields:
            continue
        # positions in ``low`` are one ahead of ``head`` (the leading newline)
        start, end = m.span(2)
        value = head[start - 1 : end - 1].decode("ascii", "surrogateescape")
        if "\n" in value:
            value = value.replace("\r\n", "\n").replace("\n ", " ").replace("\n\t", "\t")
        # NUL is never part of a header (RFC 5322 §2.2); kept, it would reach
        # message_id and from_email
        fields[name] = value.replace("\r", "").replace("\0", "").strip()
    return fields


def split_block(data: bytes) -> tuple[bytes, bytes]:
    """Raw bytes → (the header block with its last line end, the body after the blank
    line); either line ending. Without a blank line it is all header block."""
    i = data.find(b"\n\n")
    # a CRLF blank line can only come first if it starts before the LF one
    j = data.find(b"\r\n\r\n", 0, i + 3 if i != -1 else len(data))
    if j != -1 and (i == -1 or j < i):
        return data[: j + 2], data[j + 4 :]
    if i == -1:
        return data, b""
    return data[: i + 1], data[i + 2 :]


# a header field's name: printable ASCII but the colon, no space (RFC 5322 §2.2)
_FIELD_NAME = re.compile(rb"[!-9;-~]+:")


def has_fields(head: bytes) -> bool:
    """Whether the block opens with a header field (``Name: value``), after an mbox
    ``From `` line if there is one.

    For a block without any of the fields lorelens reads, this tells a mail with other
    headers only (stored) from text or binary data that is no mail (refused): the rule
    is the same for both, whatever bytes follow the first line (docs/schema.md,
    ``ingest_errors``)."""
    lines = head.split(b"\n", 2)
    first = lines[1] if lines[0].startswith(b"From ") and len(lines) > 1 else lines[0]
    return bool(_FIELD_NAME.match(first))
