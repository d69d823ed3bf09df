"""Turn a planned ``Node`` into the bytes its sender's mail client would have sent:
headers in the client's order, patch bodies with trailers/diffstat/diff, cover letters,
and the planted header noise (see ``docs/corpus.md``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corpus.render import addr, b_word, fold_subject, q_word, render_mail, rfc2822

if TYPE_CHECKING:
    from corpus.thread import Engine, Node

#: Date header noise whose truth is the archive time (docs/schema.md, ``messages.date_source``:
#: the archive's own time is used and the row says so), with the ingest's value for each.
BOGUS_DATES = {
    "no-date": "archive:missing",
    "future-date": "archive:future",
    "tz-1900": "archive:bad-offset",
    "unparsable-date": "archive:unparsable",
    "epoch-date": "archive:too-old",
}
FUTURE_TS = 2240611200  # 2041-01-01, the kind of date a dead RTC battery produces
GIT_VERSION = "2.43.0"


def date_header(node: Node) -> tuple[str | None, int | None]:
    """The Date header value (None: absent) and the time it claims (None: unreadable)."""
    n = node.noise
    if n == "no-date":
        return None, None
    if n == "future-date":
        return rfc2822(FUTURE_TS, node.date_tz), FUTURE_TS
    if n == "epoch-date":
        return "Thu, 1 Jan 1970 00:00:00 +0000", 0
    if n == "unparsable-date":
        return "Tuesday the 14th, around lunchtime", None
    if n == "tz-1900":
        shown = rfc2822(node.date_ts, "+0000")[:-5] + "+1900"
        return shown, node.date_ts - 19 * 3600
    return rfc2822(node.date_ts, node.date_tz), node.date_ts


def _patch_body(node: Node) -> str:
    p = node.patch
    assert p is not None
    trailers = "".join([f"{_tag(k)}: {name} <{email}>\n" for k, name, email in node.trailers])
    notes = node.truth_extra.get("_notes", "")
    diff = p.diff
    if notes:
        diff = diff.replace("---\n", f"---\n{notes}\n", 1)
    return f"{p.message}\n{trailers}{diff}-- \n{GIT_VERSION}\n"


_TAGS: dict[str, str] = {}


def _tag(kind: str) -> str:
    """``signed-off-by`` -> ``Signed-off-by``."""
    tag = _TAGS.get(kind)
    if tag is None:
        tag = _TAGS[kind] = kind[0].upper() + kind[1:]
    return tag


def _cover_body(engine: Engine, node: Node) -> str:
    b = engine.builds[node.owner] if node.owner else None
    intro = node.truth_extra.get("_intro") or engine.bank.message(2)
    lines = [intro]
    if b is not None:
        if b.version > 1:
            lines.append(
                f"Changes in v{b.version}:\n- Addressed review comments\n"
                "- Rebased on the latest -next\n"
            )
        pats = [p for p in b.posts if p.kind == "patch"]
        lines.append(f"{b.author.name} ({len(pats)}):")
        lines.append("".join(f"  {p.subject.split('] ', 1)[1]}\n" for p in pats))
        files = sorted({f for p in pats if p.patch for f in p.patch.files})
        add = sum(p.patch.added for p in pats if p.patch)
        rem = sum(p.patch.removed for p in pats if p.patch)
        lines.append(
            "".join(f" {f}\n" for f in files)
            + f" {len(files)} files changed, {add} insertions(+), {rem} deletions(-)\n"
        )
        if b.change_id:
            lines.append(
                f"---\nbase-commit: {engine.rng.getrandbits(160):040x}\n"
                f"change-id: {b.change_id}\n\nBest regards,\n-- \n{b.author.name} <{node.addr}>\n"
            )
            return "\n".join(lines)
    return "\n".join(lines) + f"-- \n{GIT_VERSION}\n"


def compose(engine: Engine, node: Node) -> tuple[bytes, int | None]:
    noise = node.noise
    date_ts: int | None
    if not noise:  # almost every mail
        from_h = "From: " + addr(node.sender.name, node.addr)
        date_ts = node.date_ts
        date_v: str | None = rfc2822(date_ts, node.date_tz)
    else:
        if noise == "latin1":
            from_h = f"From: {q_word(node.sender.name, 'iso-8859-1')} <{node.addr}>"
        elif noise == "koi8r":
            from_h = f"From: {b_word(node.sender.name, 'koi8-r')} <{node.addr}>"
        else:
            from_h = "From: " + addr(node.sender.name, node.addr)
        date_v, date_ts = date_header(node)
    to_h, cc_h = engine.recipients(node)
    subj = node.subject_header
    if subj is None:
        subj = node.subject
        if noise == "b64-subject" or not subj.isascii():
            subj = b_word(subj)
    headers = [from_h, to_h, cc_h, fold_subject(subj)]
    mailer = node.mailer
    if date_v is not None:
        if mailer == "mutt":
            headers.insert(0, "Date: " + date_v)
        else:
            headers.append("Date: " + date_v)
    if node.mid is not None:
        headers.append(f"Message-ID: <{node.mid}>")
    if mailer == "git":
        headers.append(_GIT_MAILER)
    elif mailer == "b4":
        headers.append("X-Mailer: b4 0.13.0")
    if node.parent_mid is not None:
        headers.append(f"In-Reply-To: <{node.parent_mid}>")
        refs = node.refs or [node.parent_mid]
        headers.append("References: <" + ">\n <".join(refs) + ">")
    kind = node.kind
    if kind == "patch":
        body = _patch_body(node)
    elif kind == "cover":
        body = _cover_body(engine, node)
    else:
        body = node.body
    client = "git" if mailer == "git" or mailer == "b4" else "mutt"
    return render_mail(headers, body, mailer=client, noise=noise), date_ts


_GIT_MAILER = f"X-Mailer: git-send-email {GIT_VERSION}"
