"""Patch subjects with b4's vocabulary (``LoreSubject``)."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from b4 import LoreSubject

# b4 splits "[PATCHv3 …]" itself; "[PATCH1/8]" (no space, seen on real lists) it does not.
_GLUED_COUNTER = re.compile(r"\[(\w*PATCH)(\d{1,4}/\d{1,4})", re.I)


@dataclass(frozen=True, slots=True)
class Subject:
    reply: bool
    patch: bool
    rfc: bool
    resend: bool
    version: int
    counter: int
    expected: int
    prefixes: tuple[str, ...]
    base: str


# b4's own reply test strips "Xx: [" down to "[" and goes on as for the bare subject;
# "Re: [PATCH v2 1/3] foo" and "[PATCH v2 1/3] foo" then differ only in ``reply``
_REPLY_TO_BRACKET = re.compile(r"^\w{2,3}:\s*\[")


@functools.lru_cache(maxsize=16_384)
def parse_subject(subject: str) -> Subject:
    """b4's reading of a subject: reply, PATCH/RFC/RESEND, version, counter/total.

    A reply to a patch ("Re: [PATCH …] …") is read as its patch's subject with ``reply``
    set, so b4 runs once for a patch and all the replies to it. Only for plain text: b4
    decodes encoded words first, which could change where the prefix ends.
    """
    if "=?" not in subject and (m := _REPLY_TO_BRACKET.match(subject)):
        return dataclasses.replace(_parse_subject("[" + subject[m.end():]), reply=True)
    return _parse_subject(subject)


@functools.lru_cache(maxsize=16_384)
def _parse_subject(subject: str) -> Subject:
    fixed = _GLUED_COUNTER.sub(r"[\1 \2", subject)
    s = LoreSubject(fixed)
    return Subject(
        reply=s.reply,
        patch=s.patch,
        rfc=s.rfc,
        resend=s.resend,
        version=s.revision,
        counter=s.counter,
        expected=s.expected,
        prefixes=tuple(s.prefixes),
        base=s.subject,
    )
