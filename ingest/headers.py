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
    "list-id", "content-type", "content-transfer-encoding", "x-original-from",
})


_NEEDLES = tuple((n, b"\n" + n.encode() + b":") for n in sorted(WANTED))
_WSP = (32, 9)  # a continuation line starts with a space or a tab


def split_headers(head: bytes) -> dict[str, str]:
    """The first occurrence of each wanted field, unfolded, as text.

    Each wanted name is looked up with one ``bytes.find`` over the lower-cased block
    (a dozen C-speed scans instead of a Python loop over 30–60 header lines), then its
    continuation lines are taken. Bytes are read as ASCII with ``surrogateescape`` (as
    the ``email`` package does), so undeclared 8-bit bytes survive to be decoded later.
    """
    low = b"\n" + head.lower()
    size = len(low)
    fields: dict[str, str] = {}
    for name, needle in _NEEDLES:
        i = low.find(needle)
        if i < 0:
            continue
        start = i + len(needle)
        end = low.find(b"\n", start)
        while end != -1 and end + 1 < size and low[end + 1] in _WSP:
            end = low.find(b"\n", end + 1)
        if end == -1:
            end = size
        # positions in ``low`` are one ahead of ``head`` (the leading newline)
        value = head[start - 1 : end - 1].decode("ascii", "surrogateescape")
        if "\n" in value:
            value = value.replace("\r\n", "\n").replace("\n ", " ").replace("\n\t", "\t")
        fields[name] = value.replace("\r", "").strip()
    return fields


def has_fields(head: bytes) -> bool:
    """Whether the block holds at least one ``name: value`` field."""
    for line in head.split(b"\n", 20)[:20]:
        if line[:1] not in (b" ", b"\t") and b":" in line and not line.startswith(b"From "):
            return True
    return False
