"""Patch subjects with b4's vocabulary (``LoreSubject``)."""

from __future__ import annotations

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


@functools.lru_cache(maxsize=16_384)
def parse_subject(subject: str) -> Subject:
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
