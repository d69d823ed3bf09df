"""Trailers (Signed-off-by, Reviewed-by, Fixes, …) with b4's rules.

b4 is the reference: which lines are trailers, the follow-up filter for replies, and the
person/utility classification (``b4.LoreTrailer``, used here as is). The line scan
itself follows ``b4.LoreMessage.find_trailers`` rule for rule, with one change: b4 tries
its "# extra info" pattern ``(.*\\S+)(\\s+#[^#]+)$`` on every trailer value, and that
pattern backtracks quadratically — it was 90% of an ingest's parse time. Here it runs
only on values that contain a ``#`` (without one it cannot match), so results are the
same; ``tests/test_trailers.py`` checks that against b4 itself on real mails.
"""

from __future__ import annotations

import functools
import logging
import re

from b4 import DIFF_RE, DIFFSTAT_RE, LoreTrailer

from ingest.addresses import normalise
from ingest.model import Trailer

logging.getLogger("b4").setLevel(logging.WARNING)

_IGNORES = frozenset({"phone", "mail", "email", "e-mail", "prerequisite-message-id"})
_HEADERS = frozenset({"subject", "date", "from"})
_LINKS = frozenset({"link", "buglink", "closes"})
_NONPERSON = _LINKS | {"fixes", "subject", "date", "obsoleted-by", "change-id", "base-commit"}
_LINE = re.compile(r"^\s*(\w\S+):\s+(\S.*)", re.I)
_PERSON = re.compile(r"\S+@\S+\.\S+")
_URL = re.compile(r"https?://")
_FIXES = re.compile(r"^[0-9a-f]{6,}")
_EXTINFO = re.compile(r"(.*\S+)(\s+#[^#]+)$")
_BRACKET = re.compile(r"^\s*\[[^]]+]\s*$")
_WRAPPED_FIXES = re.compile(r"^(\S+:\s+[\da-f]+\s+\([^)]+)\n([^\n]+\))", re.M)
_WRAPPED_ADDR = re.compile(r"^(\S+:\s+[^<]+)\n(<[^>]+>)$", re.M)
_SEPARATOR = re.compile(r"^---\s*\n", re.M)  # b4 get_body_parts
_QUOTED = re.compile(r"^[ \t]*>.*(?:\n|$)", re.M)
# b4's follow-up rules only accept a trailer with an address or a Fixes:/Link:-like name;
# one search over the whole text tells whether any line could qualify.
_CANDIDATE = re.compile(r"^\s*\w\S+:\s+\S.*(?:@|https?://|[0-9a-f]{6})", re.M)


@functools.lru_cache(maxsize=16_384)
def _trailer_state(name: str, value: str) -> dict[str, object]:
    """What ``LoreTrailer(name, value)`` computes (type, address, normalised value).

    It depends on the name and value only, and the same trailers recur in thousands of
    mails (a maintainer's Signed-off-by), so b4's classification runs once per distinct
    trailer and each occurrence gets a copy of its attributes.
    """
    return dict(vars(LoreTrailer(name=name, value=value)))


def _trailer(name: str, value: str, extinfo: str | None) -> LoreTrailer:
    t = LoreTrailer.__new__(LoreTrailer)
    vars(t).update(_trailer_state(name, value))
    t.extinfo = extinfo
    return t


def scan(body: str, followup: bool = False) -> list[LoreTrailer]:
    """The trailers of ``body`` exactly as ``b4.LoreMessage.find_trailers`` finds them."""
    body = body.split("\n-- \n", 1)[0].strip() + "\n"
    body = _WRAPPED_FIXES.sub(r"\1 \2", body)
    body = _WRAPPED_ADDR.sub(r"\1 \2", body)
    trailers: list[LoreTrailer] = []
    seen_other = False
    was_trailer = False
    for line in body.split("\n"):
        line = line.strip("\r")
        m = _LINE.search(line)
        if m:
            oname, ovalue = m.group(1), m.group(2)
            lname = oname.lower()
            if lname in _IGNORES or (seen_other and lname in _HEADERS):
                continue
            if followup:
                if not lname.isascii():
                    continue
                if not _PERSON.search(ovalue) and lname not in _NONPERSON:
                    continue
                if _URL.search(ovalue) and lname not in _LINKS:
                    continue
            if lname == "fixes" and not _FIXES.search(ovalue):
                continue
            extinfo = None
            if "#" in ovalue and (mext := _EXTINFO.search(ovalue)):
                ovalue, extinfo = mext.group(1), mext.group(2)
            was_trailer = True
            trailers.append(_trailer(oname, ovalue, extinfo))
            continue
        if len(line) > 2 and was_trailer and _BRACKET.search(line):
            trailers[-1].extinfo = line
            was_trailer = False
            continue
        was_trailer = False
        seen_other = True
    return trailers


def patch_trailers(body: str) -> list[LoreTrailer]:
    """A patch's trailers: the last paragraph of its commit message, as b4's
    ``get_body_parts`` takes them (signature and basement — diffstat, diff — cut off)."""
    text = body.replace("\r", "").strip("\n")
    text = text.rsplit("\n-- \n", 1)[0]
    # b4 cuts at the first "---" line; only without one at "diff " or "--- a/" lines
    if DIFF_RE.search(text) or DIFFSTAT_RE.search(text):
        parts = _SEPARATOR.split(text, maxsplit=1)
        if len(parts) == 2:
            text = parts[0]
        elif "\ndiff " in text:
            text = text.split("\ndiff ", 1)[0]
        elif "\n--- a/" in text:
            text = text.split("\n--- a/", 1)[0]
    paragraphs = text.strip("\n").split("\n\n")
    return scan(paragraphs[-1])


def unquoted(body: str) -> str:
    """A reply's own words: quoted lines ('>') and the signature removed."""
    return _QUOTED.sub("", body.split("\n-- \n", 1)[0])


# A line that starts by saying the patch was taken: "Applied, thanks", "Queued for 6.9",
# "I've pushed this to for-5.6/selftests", "Patches 1 and 3-13 applied to powerpc/next",
# patchwork-bot's "This series was applied to …". Words in the middle of a sentence
# ("… has been merged into linux-next, how about …") and lines that merely continue a
# sentence ("applied to the system.") do not count: the line must open a paragraph.
_APPLIED = re.compile(
    r"(?:\A|\n[ \t]*\n)[ \t]*((?:thanks[,.!]*[ \t]*)?"
    r"(?:(?:i(?:'ve| have)|we(?:'ve| have))[ \t]+(?:now[ \t]+|also[ \t]+)?|now[ \t]+"
    r"|patch(?:es)?[ \t][^\n]{0,30}?|this (?:series|patch|set) (?:was|has been)[ \t]+)?"
    r"(?:applied|queued|picked up|pushed|merged)"
    r"(?:[ \t]+(?:it|this|them|both|all|the (?:set|series|patch(?:es)?)))?"
    r"(?:[ \t]*(?:[,.!:]|$)|[ \t]+(?:out|up|to|on|onto|into|in|for|with)\b)[^\n]*)",
    re.I | re.M,
)


# "Applied on top of v6.1 and tested", "applied to my local tree, will test", "picked up
# for review", "applied it, but it does not compile": a tester's words, not a maintainer's
_NOT_TAKEN = re.compile(
    r"\b(?:on top of|local(?:ly)?|for review|for testing|will test|but\b|tested)", re.I)


# Reports that tools send from a person's own address, so neither the address nor the
# name says "bot". Each pattern is the opening of the report as the tool writes it:
# Rob Herring's devicetree binding checker (dt_binding_check / DTB warnings, sent by his
# script from robh@kernel.org; its mails on linux-watchdog read "My bot found errors
# running 'make dt_binding_check' on your patch:").
_ATTRIBUTION = re.compile(r"\A\s*On\b.{0,300}?\bwrote:\s*\Z", re.S)
_BOT_REPORT = re.compile(
    r"^[ \t]*(My bot found (?:errors|new DTB warnings)[^\n]*)", re.M)


def bot_report(own: str) -> str | None:
    """The opening line of an automated report in a reply's own text, if it is one.

    Only the first paragraph counts (after an "On …, X wrote:" attribution line): a
    person who quotes the bot further down is still a person answering."""
    paragraphs = [p for p in own.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if paragraphs and _ATTRIBUTION.match(paragraphs[0]):
        paragraphs = paragraphs[1:]
    if not paragraphs:
        return None
    m = _BOT_REPORT.search(paragraphs[0])
    return m.group(1).strip()[:200] if m else None


def applied_notice(body: str, *, own: str | None = None) -> str | None:
    """The line of a reply's own text that says the patch was taken, if any.

    "Applied, thanks", "Queued for 6.9", "Applied to watchdog-next", patchwork-bot's
    "This series was applied to …". Quoted text is ignored. The line is stored so that
    every "applied" outcome can be checked by a person.
    """
    text = (unquoted(body) if own is None else own).lstrip("\r\n")
    for m in _APPLIED.finditer(text):
        line = m.group(1).strip()
        if not _NOT_TAKEN.search(line):
            return line[:200]
    return None


def find_trailers(
    body: str, *, is_reply: bool, is_patch: bool, own: str | None = None
) -> list[Trailer]:
    """Trailers a mail gives.

    A patch: the trailer block above its ``---``. A reply: the trailer lines of its own,
    unquoted text, with b4's follow-up filter (person trailers need an address, link
    trailers a known name). Other mails (cover letters, plain messages): none; a b4
    change-id is read separately.
    """
    if is_patch:
        found = patch_trailers(body)
        in_reply = False
    elif is_reply:
        if own is None:
            own = unquoted(body)
        if not _CANDIDATE.search(own):
            return []
        found = scan(own, followup=True)
        in_reply = True
    else:
        return []
    out: list[Trailer] = []
    for pos, t in enumerate(found):
        name = email = None
        if t.type == "person" and t.addr:
            name = t.addr[0] or None
            email = normalise(t.addr[1]).email if t.addr[1] else None
        out.append(
            Trailer(
                position=pos,
                kind=t.lname,
                type=t.type,
                name=name,
                email=email,
                value=t.value,
                in_reply=in_reply,
            )
        )
    return out
