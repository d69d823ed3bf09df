"""RFC 5322 bytes of each mail, including the planted mail noise (encoded words, legacy
charsets, MIME multiparts, folded headers, broken dates).

``render_mail`` gets finished header values and a body; ``archived_copies`` adds what the
list server prepends to the copy archived for each list (``Received:`` and the ``List-*``
headers, as vger does), so cross-posted copies differ only there.
"""

from __future__ import annotations

import base64
import functools
import time
from typing import overload

from corpus.model import LIST_HOST, Person

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TZS = ("+0000", "+0100", "+0200", "-0700", "-0400", "+0800", "+0530", "+0900", "-0500")


def tz_seconds(tz: str) -> int:
    sign = -1 if tz[0] == "-" else 1
    return sign * (int(tz[1:3]) * 3600 + int(tz[3:5]) * 60)


_TZ_SECONDS: dict[str, int] = {}
_DAY_RFC: dict[int, str] = {}
_DAY_ISO: dict[int, str] = {}
_DAY_STAMP: dict[int, str] = {}
#: "HH:MM:SS" for every second of a day: one list lookup instead of three divmods
_HMS = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_HMS_PLAIN = [x.replace(":", "") for x in _HMS]


def rfc2822(ts: int, tz: str = "+0000") -> str:
    """``Mon, 1 Jan 2024 10:00:00 +0100`` (the time ``ts`` shown in zone ``tz``)."""
    off = _TZ_SECONDS.get(tz)
    if off is None:
        off = _TZ_SECONDS[tz] = tz_seconds(tz)
    day, sec = divmod(ts + off, 86400)
    head = _DAY_RFC.get(day)
    if head is None:
        t = time.gmtime(day * 86400)
        head = _DAY_RFC[day] = f"{DAYS[t.tm_wday]}, {t.tm_mday} {MONTHS[t.tm_mon - 1]} {t.tm_year} "
    return f"{head}{_HMS[sec]} {tz}"


def asctime(ts: int) -> str:
    """mbox From_ line time: ``Mon Jan  1 00:00:00 2024`` (UTC)."""
    t = time.gmtime(ts)
    return (
        f"{DAYS[t.tm_wday]} {MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {t.tm_year}"
    )


# (the overloads tell the type checker that a time gives a str, only None gives None)
@overload
def iso(ts: int) -> str: ...
@overload
def iso(ts: None) -> None: ...
@overload
def iso(ts: int | None) -> str | None: ...
def iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    day, sec = divmod(ts, 86400)
    head = _DAY_ISO.get(day)
    if head is None:
        t = time.gmtime(day * 86400)
        head = _DAY_ISO[day] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
    return f"{head}{_HMS[sec]}Z"


def stamp(ts: int) -> str:
    """``YYYYmmddHHMMSS`` (UTC), as in git send-email Message-IDs."""
    day, sec = divmod(ts, 86400)
    head = _DAY_STAMP.get(day)
    if head is None:
        t = time.gmtime(day * 86400)
        head = _DAY_STAMP[day] = f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}"
    return head + _HMS_PLAIN[sec]


_TZ_OF: dict[str, str] = {}


def person_tz(person: Person) -> str:
    tz = _TZ_OF.get(person.id)
    if tz is None:
        tz = _TZ_OF[person.id] = TZS[sum(map(ord, person.id)) % len(TZS)]
    return tz


def q_word(text: str, charset: str = "UTF-8") -> str:
    """An RFC 2047 Q encoded word."""
    out = []
    for b in text.encode(charset):
        c = chr(b)
        if c == " ":
            out.append("_")
        elif c.isascii() and (c.isalnum() or c in "-!*+/"):
            out.append(c)
        else:
            out.append(f"={b:02X}")
    return f"=?{charset}?q?{''.join(out)}?="


def b_word(text: str, charset: str = "UTF-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


_SPECIALS = set('()<>[]:;@\\,."')


_ADDR: dict[tuple[str, str], str] = {}


def addr(name: str, address: str, charset: str = "UTF-8") -> str:
    """``Name <a@b>`` with the name quoted or encoded as a mail client would."""
    key = (name, address)
    got = _ADDR.get(key)
    if got is None:
        got = _ADDR[key] = _addr(name, address, charset)
    return got


def _addr(name: str, address: str, charset: str) -> str:
    if not name:
        return f"<{address}>"
    if not name.isascii():
        return f"{q_word(name, charset)} <{address}>"
    if any(c in _SPECIALS for c in name):
        return f'"{name}" <{address}>'
    return f"{name} <{address}>"


def fold(name: str, values: list[str], sep: str = ", ") -> str:
    """``Name: v1, v2, …`` folded before 78 columns with a tab, as git send-email does."""
    line = f"{name}: "
    out: list[str] = []
    for i, v in enumerate(values):
        piece = v + (sep.rstrip() if i < len(values) - 1 else "")
        if len(line) + len(piece) > 77 and line.strip() != f"{name}:":
            out.append(line.rstrip())
            line = "\t"
        line += piece + " "
    out.append(line.rstrip())
    return "\n".join(out)


def fold_subject(subject: str) -> str:
    """A long Subject folded at a space (folding whitespace, RFC 5322 2.2.3)."""
    head = "Subject: "
    if len(head) + len(subject) <= 78:
        return head + subject
    cut = subject.rfind(" ", 0, 70 - len(head))
    if cut <= 0:
        return head + subject  # nowhere to fold (one long encoded word): leave it long
    return f"{head}{subject[:cut]}\n {subject[cut + 1 :]}"


def archived_copies(lists: tuple[str, ...], archive_ts: int, body: bytes) -> list[bytes]:
    """The bytes each of ``lists`` archives of a mail: the list server's ``Received:``
    (relay id = the archive time in hex) and ``List-*`` headers, then the mail."""
    relay = b"%X" % archive_ts
    date = rfc2822(archive_ts).encode()
    out = []
    for name in lists:
        parts = _prefix_parts(name)
        out.append(b"".join((parts[0], relay, parts[1], date, parts[2], body)))
    return out


@functools.cache
def _prefix_parts(list_name: str) -> tuple[bytes, bytes, bytes]:
    return (
        b"Received: from smtp.subspace.example.org (smtp.subspace.example.org [192.0.2.17])\n"
        + f"\tby {LIST_HOST} (Postfix) with ESMTPS id ".encode(),
        f"\n\tfor <{list_name}@{LIST_HOST}>; ".encode(),
        (
            f"\nX-Mailing-List: {list_name}@{LIST_HOST}\n"
            f"List-Id: <{list_name}.{LIST_HOST}>\n"
            f"List-Subscribe: <mailto:{list_name}+subscribe@{LIST_HOST}>\n"
            f"List-Unsubscribe: <mailto:{list_name}+unsubscribe@{LIST_HOST}>\n"
        ).encode(),
    )


def render_mail(
    headers: list[str],
    body: str,
    *,
    charset: str = "us-ascii",
    mailer: str = "mutt",
    noise: str = "",
) -> bytes:
    """Headers (already ``Name: value`` lines) plus a text body, with the MIME framing the
    sender's client would add; ``noise`` selects one of the planted MIME oddities."""
    if noise == "mixed-attachment":
        return _mixed(headers, body)
    if noise == "alternative-html":
        return _alternative(headers, body)
    enc = {"koi8r": "koi8-r", "latin1": "iso-8859-1"}.get(noise)
    if enc:
        head = "\n".join(headers)
        return (
            head.encode()
            + (
                f"\nMIME-Version: 1.0\nContent-Type: text/plain; charset={enc}\n"
                "Content-Transfer-Encoding: 8bit\n\n"
            ).encode()
            + body.encode(enc)
        )
    if not body.isascii():
        charset = "UTF-8"
    mime = _mime(mailer, charset)
    return ("\n".join(headers) + "\n" + mime + body).encode()


@functools.cache
def _mime(mailer: str, charset: str) -> str:
    """The MIME headers of a plain text mail and the blank line after the header."""
    if mailer == "git":
        mime = "MIME-Version: 1.0\n"
        if charset != "us-ascii":
            mime += f"Content-Type: text/plain; charset={charset}\n"
        mime += "Content-Transfer-Encoding: 8bit\n"
    else:
        mime = (
            f"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
            "Content-Disposition: inline\n"
        )
        if charset != "us-ascii":
            mime += "Content-Transfer-Encoding: 8bit\n"
    return mime + "\n"


def _mixed(headers: list[str], body: str) -> bytes:
    boundary = "=-=-lorelens-mixed-1f2e3d4c"
    log = "".join(f"[{i * 0.25:12.6f}] frob frob0: queue {i} stalled\n" for i in range(12))
    att = base64.encodebytes(log.encode()).decode()
    text = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
        "This is a multi-part message in MIME format.\n"
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\n"
        f"{body}\n"
        f"--{boundary}\n"
        'Content-Type: text/plain; charset=us-ascii; name="dmesg.txt"\n'
        'Content-Disposition: attachment; filename="dmesg.txt"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{att}"
        f"--{boundary}--\n"
    )
    return ("\n".join(headers) + "\n" + text).encode()


def _alternative(headers: list[str], body: str) -> bytes:
    boundary = "000000000000a1b2c3d4e5f60718"
    html = "".join(f"<div>{line or '<br>'}</div>" for line in body.splitlines())
    qp = html.replace("=", "=3D")
    text = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{body}\n"
        f"--{boundary}\n"
        'Content-Type: text/html; charset="UTF-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f'<div dir=3D"ltr">{qp}</div>\n\n'
        f"--{boundary}--\n"
    )
    return ("\n".join(headers) + "\n" + text).encode()
