"""Reading the few header fields lorelens stores, cheaply.

A kernel mail carries 30–60 header fields (Received, ARC-*, DKIM, …) of which ingest
needs about a dozen. Building a full ``email.message.Message`` for every mail is the
single largest cost of an ingest (see bench/README.md), so the header block is split into
fields here: RFC 5322 §2.2 unfolding and ``name: value`` matching, nothing more. Decoding
of the values (RFC 2047 encoded words, charsets) is left to the ``email`` package.
"""

from __future__ import annotations

WANTED = frozenset({
    "message-id", "date", "from", "subject", "in-reply-to", "references", "to", "cc",
    "list-id", "content-type", "content-transfer-encoding",
})


_WANTED_BYTES = frozenset(n.encode() for n in WANTED)
_FIRST = frozenset(n[0] for n in _WANTED_BYTES) | frozenset(n[0] - 32 for n in _WANTED_BYTES)
_CONT = (32, 9)  # a continuation line starts with a space or a tab


def split_headers(head: bytes) -> dict[str, str]:
    """The first occurrence of each wanted field, unfolded, as text.

    Bytes are read as ASCII with ``surrogateescape`` (as the ``email`` package does), so
    undeclared 8-bit bytes survive to be decoded later.
    """
    fields: dict[str, str] = {}
    lines = head.split(b"\n")
    n = len(lines)
    for i in range(n):
        line = lines[i]
        if not line or line[0] not in _FIRST:
            continue
        colon = line.find(b":")
        if colon <= 0:
            continue
        key = line[:colon].rstrip().lower()
        if key not in _WANTED_BYTES:
            continue
        name = key.decode()
        if name in fields:
            continue
        value = line[colon + 1 :]
        j = i + 1
        while j < n and lines[j][:1] and lines[j][0] in _CONT:
            value += lines[j]
            j += 1
        fields[name] = value.decode("ascii", "surrogateescape").replace("\r", "").strip()
    return fields


def has_fields(head: bytes) -> bool:
    """Whether the block holds at least one ``name: value`` field."""
    for line in head.split(b"\n", 20)[:20]:
        if line[:1] not in (b" ", b"\t") and b":" in line and not line.startswith(b"From "):
            return True
    return False
