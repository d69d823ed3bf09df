"""Trailers (Signed-off-by, Reviewed-by, Fixes, …) with b4's rules.

b4 is the reference: which lines are trailers, the follow-up filter for replies, and the
person/utility classification (``b4.LoreTrailer``, used here as is). The line scan
itself follows ``b4.LoreMessage.find_trailers`` rule for rule, with one change: b4 tries
its "# extra info" pattern ``(.*\\S+)(\\s+#[^#]+)$`` on every trailer value, and that
pattern backtracks quadratically — it was 90% of an ingest's parse time — and b4's
"looks like an address" test ``\\S+@\\S+\\.\\S+`` is cubic in a word's length (a hostile
``Reviewed-by: a@a@a@…`` line of 4,000 characters took half a minute). Both are done here
by linear string scans with the same results (``tests/test_trailers.py`` checks them
against the patterns and against b4 itself on real mails), and b4's ``LoreTrailer`` only
classifies values those scans call an address. Lines longer than ``MAX_LINE`` are not
read as trailers (docs/guide.md, "Limits on hostile mail").
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator

from b4 import DIFF_RE, DIFFSTAT_RE, LoreTrailer

from ingest.addresses import normalise
from ingest.model import Trailer

logging.getLogger("b4").setLevel(logging.WARNING)

_IGNORES = frozenset({"phone", "mail", "email", "e-mail", "prerequisite-message-id"})
_HEADERS = frozenset({"subject", "date", "from"})
_LINKS = frozenset({"link", "buglink", "closes"})
_NONPERSON = _LINKS | {"fixes", "subject", "date", "obsoleted-by", "change-id", "base-commit"}
_LINE = re.compile(r"^\s*(\w\S+):\s+(\S.*)", re.I)
# the longest line read as a trailer (the longest real one, a Cc: line of a quoted
# header block, has under 1,000 characters); see docs/guide.md, "Limits on hostile mail"
MAX_LINE = 2048
# the longest word of a value that b4 classifies as an address (RFC 5321 allows 254
# characters for a whole address); a longer one is classified "unknown" without b4
MAX_WORD = 256
_URL = re.compile(r"https?://")
_FIXES = re.compile(r"^[0-9a-f]{6,}")
_BRACKET = re.compile(r"^\s*\[[^]]+]\s*$")
# the openings of b4's wrapped-trailer patterns (see _unwrap_fixes, _unwrap_address)
_FIXES_HEAD = re.compile(r"\S+:\s+[\da-f]+\s+\(")
_ADDR_HEAD = re.compile(r"\S+:\s")
_SEPARATOR = re.compile(r"^---\s*\n", re.M)  # b4 get_body_parts
_QUOTED = re.compile(r"^[ \t]*>.*(?:\n|$)", re.M)
# what follows a trailer's name for it to be worth a follow-up scan (see _candidate)
_QUALIFIES = re.compile(r"@|https?://|[0-9a-f]{6}")
_WORD_START = re.compile(r"\w")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")


def looks_like_person(value: str) -> bool:
    """Whether ``re.search(r"\\S+@\\S+\\.\\S+", value)`` would match (b4's test for an
    address in a trailer), in linear time: some word has an ``@`` after its first
    character and, two or more characters later, a ``.`` that is not its last one."""
    for word in value.split():
        at = word.find("@", 1)
        if at != -1 and word.find(".", at + 2, len(word) - 1) != -1:
            return True
    return False


def _extinfo(value: str) -> tuple[str, str] | None:
    """b4's ``re.search(r"(.*\\S+)(\\s+#[^#]+)$", value)`` groups, in linear time.

    The ``#`` is the value's last one, with something after it; before it a run of
    white space, and before that the rest (not empty)."""
    h = value.rfind("#")
    if h == -1 or h == len(value) - 1:
        return None
    k = len(value[:h].rstrip())
    if k == 0 or k == h:
        return None
    return value[:k], value[k:]


def _candidate(text: str) -> bool:
    """Whether a follow-up scan of ``text`` can find anything: some line that opens
    (after white space) with a word of three or more characters, the first a word
    character and the last a colon, then white space (line ends too), and on the line
    where the value starts, after its first character, an ``@``, ``http(s)://`` or six
    hex digits. This is ``re.search(r"^\\s*\\w\\S+:\\s+\\S.*(?:@|https?://|[0-9a-f]{6})",
    text, re.M)`` without that pattern's backtracking (quadratic on long lines)."""
    start = 0
    while start <= len(text):
        eol = text.find("\n", start)
        if eol == -1:
            eol = len(text)
        first = _NON_SPACE.search(text, start, eol)
        start = eol + 1
        if first is None:
            continue  # a blank line: the pattern's ``^\\s*`` goes on to a later line
        q = first.start()
        space = _SPACE.search(text, q, eol)
        end = space.start() if space else eol
        if end - q < 3 or text[end - 1] != ":" or not _WORD_START.match(text, q):
            continue
        value = _NON_SPACE.search(text, end)
        if value is None:
            return False
        v_eol = text.find("\n", value.start())
        if _QUALIFIES.search(text, value.start() + 1, len(text) if v_eol == -1 else v_eol):
            return True
    return False


def _line_starts(text: str) -> Iterator[int]:
    start = 0
    while True:
        yield start
        eol = text.find("\n", start)
        if eol == -1:
            return
        start = eol + 1


def _join(text: str, newlines: list[int]) -> str:
    """``text`` with the line ends at ``newlines`` turned into spaces."""
    if not newlines:
        return text
    chars = list(text)
    for i in newlines:
        chars[i] = " "
    return "".join(chars)


def _unwrap_fixes(body: str) -> list[int]:
    """Where b4 joins a wrapped Fixes-like line: the line ends that
    ``re.sub(r"^(\\S+:\\s+[\\da-f]+\\s+\\([^)]+)\\n([^\\n]+\\))", r"\\1 \\2", body,
    flags=re.M)`` turns into spaces, found in linear time.

    From a line's opening ``name: hash (``, the join is at the last line end before the
    first ``)`` that follows, if a ``)`` follows it on that line after one character or
    more. Openings that share that ``)`` share the answer, which is worked out once."""
    out: list[int] = []
    resume = 0  # where the pattern's search goes on after a join
    close = -1  # the first ")" after the latest opening, and what it gives
    found: tuple[int, int] | None = None  # (line end to join, end of the match)
    for start in _line_starts(body):
        if start < resume:
            continue
        m = _FIXES_HEAD.match(body, start)
        if m is None:
            continue
        paren = m.end() - 1
        if close <= paren:
            close = body.find(")", paren + 1)
            if close == -1:
                break  # no ")" after this opening, nor after any later one
            found = None
            nl = body.rfind("\n", 0, close)
            if nl != -1:
                eol = body.find("\n", nl + 1)
                last = body.rfind(")", nl + 2, len(body) if eol == -1 else eol)
                if last != -1:
                    found = (nl, last + 1)
        if found is not None and found[0] >= paren + 2:
            out.append(found[0])
            resume = found[1]
    return out


def _unwrap_address(body: str) -> list[int]:
    """Where b4 joins a trailer whose address was wrapped to the next line: the line
    ends that ``re.sub(r"^(\\S+:\\s+[^<]+)\\n(<[^>]+>)$", r"\\1 \\2", body, flags=re.M)``
    turns into spaces, found in linear time.

    From a line's opening ``name:`` and white space, the join is at the line end right
    before the first ``<`` that follows, with two characters or more between the colon and
    it, when a ``>`` closes that ``<`` at the end of a line."""
    out: list[int] = []
    resume = 0
    lt = -1  # the first "<" after the latest opening, and whether it closes well
    closes_at = -1
    for start in _line_starts(body):
        if start < resume:
            continue
        m = _ADDR_HEAD.match(body, start)
        if m is None:
            continue
        colon = m.end() - 2
        if lt <= colon:
            lt = body.find("<", colon + 1)
            if lt == -1:
                break
            closes_at = -1
            gt = body.find(">", lt + 1)
            if body[lt - 1] == "\n" and gt >= lt + 2 and (
                gt + 1 == len(body) or body[gt + 1] == "\n"
            ):
                closes_at = gt + 1
        if closes_at != -1 and lt - 1 - (colon + 1) >= 2:
            out.append(lt - 1)
            resume = closes_at
    return out


@functools.lru_cache(maxsize=16_384)
def _trailer_state(name: str, value: str) -> dict[str, object]:
    """What ``LoreTrailer(name, value)`` computes (type, address, normalised value).

    It depends on the name and value only, and the same trailers recur in thousands of
    mails (a maintainer's Signed-off-by), so b4's classification runs once per distinct
    trailer and each occurrence gets a copy of its attributes.
    """
    lname = name.lower()
    if (
        lname not in LoreTrailer._utility
        and "://" not in value
        and (
            not looks_like_person(value)
            or max(len(w) for w in value.split()) > MAX_WORD
        )
    ):
        # what b4 computes when its address test fails ("unknown", the value as is),
        # without running that test's cubic pattern
        state = dict(vars(LoreTrailer(name=name, value="")))
        state["value"] = value
        return state
    return dict(vars(LoreTrailer(name=name, value=value)))


def _trailer(name: str, value: str, extinfo: str | None) -> LoreTrailer:
    t = LoreTrailer.__new__(LoreTrailer)
    vars(t).update(_trailer_state(name, value))
    t.extinfo = extinfo
    return t


def scan(body: str, followup: bool = False) -> list[LoreTrailer]:
    """The trailers of ``body`` exactly as ``b4.LoreMessage.find_trailers`` finds them."""
    body = body.split("\n-- \n", 1)[0].strip() + "\n"
    body = _join(body, _unwrap_fixes(body))
    body = _join(body, _unwrap_address(body))
    trailers: list[LoreTrailer] = []
    seen_other = False
    was_trailer = False
    for line in body.split("\n"):
        line = line.strip("\r")
        m = _LINE.search(line) if len(line) <= MAX_LINE else None
        if m:
            oname, ovalue = m.group(1), m.group(2)
            lname = oname.lower()
            if lname in _IGNORES or (seen_other and lname in _HEADERS):
                continue
            if followup:
                if not lname.isascii():
                    continue
                if not looks_like_person(ovalue) and lname not in _NONPERSON:
                    continue
                if _URL.search(ovalue) and lname not in _LINKS:
                    continue
            if lname == "fixes" and not _FIXES.search(ovalue):
                continue
            extinfo = None
            if "#" in ovalue and (ext := _extinfo(ovalue)):
                ovalue, extinfo = ext
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
        if not _candidate(own):
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
