"""Address normalisation with email-validator (syntax only, never DNS)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

_ANGLE = re.compile(r"<([^<>]*)>")
_LIST_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class Address:
    email: str | None  # normalised, lower-case; None when there is no usable address
    domain: str | None
    error: str | None  # why email-validator rejected or changed it (None: accepted unchanged)


@functools.lru_cache(maxsize=50_000)
def normalise(addr: str) -> Address:
    """Normalise one addr-spec.

    email-validator checks the syntax and normalises the domain (IDNA, kept in its ASCII
    form) and the local part (NFC). Addresses are then lower-cased whole: the kernel
    community treats ``Foo.Bar@x`` and ``foo.bar@x`` as one person, as git's mailmap
    does. An address the validator rejects is kept lower-cased when it still has the
    shape ``local@domain`` (``root@localhost`` is a real sender), with the rejection
    reason; otherwise ``None``.
    """
    addr = addr.strip().strip("<>").strip()
    if not addr:
        return Address(None, None, "empty address")
    try:
        info = validate_email(
            addr,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=True,
            globally_deliverable=False,
        )
    except EmailNotValidError as exc:
        local, at, domain = addr.rpartition("@")
        if at and local and domain and " " not in addr:
            low = addr.lower()
            return Address(low, domain.lower(), f"invalid: {exc}")
        return Address(None, None, f"invalid: {exc}")
    # internationalised domains in their ASCII (IDNA) form, as DNS and the people /
    # organisation tables use them; a non-ASCII local part keeps its Unicode form
    domain = (info.ascii_domain or info.domain).lower()
    email = f"{info.local_part}@{domain}".lower()
    changed = None if email == addr else "normalised"
    return Address(email, domain, changed)


def list_from_list_id(value: str | None) -> str | None:
    """``List-Id: <linux-watchdog.vger.kernel.org>`` → ``linux-watchdog@vger.kernel.org``.

    RFC 2919 list ids are the list's address with the ``@`` turned into a dot; the first
    label is the local part (true of vger, Mailman and Google Groups ids).
    """
    if not value:
        return None
    m = _LIST_ID.search(value)
    ident = (m.group(1) if m else value).strip().lower()
    local, dot, domain = ident.partition(".")
    if not dot or not local or "." not in domain:
        return None
    return f"{local}@{domain}"


def first_msgid(value: str | None) -> str | None:
    """The first ``<id>`` of a header (Message-ID, In-Reply-To), without brackets."""
    if not value:
        return None
    m = _ANGLE.search(value)
    ident = m.group(1) if m else value.split()[0] if value.split() else ""
    ident = ident.strip()
    return ident or None


def all_msgids(value: str | None) -> list[str]:
    if not value:
        return []
    ids = [i.strip() for i in _ANGLE.findall(value)]
    return [i for i in ids if i]
