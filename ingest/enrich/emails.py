"""E-mail addresses in the one normal form every enrichment table uses."""

from __future__ import annotations

import re
from functools import lru_cache

#: An address whose normal form is plainly its lower case: an unquoted ASCII local part
#: and an ASCII host name. email-validator either accepts it unchanged (its ASCII domain
#: is the domain lower-cased) or rejects it, and a rejected address is lower-cased too.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


@lru_cache(maxsize=1 << 16)
def normalise_email(email: str) -> str:
    """Lower-cased ``local@domain`` with the domain in ASCII (IDNA); never a DNS check."""
    addr = email.strip().strip("<>").strip()
    if _PLAIN_ADDRESS.fullmatch(addr):
        return addr.lower()
    from email_validator import EmailNotValidError, validate_email  # 35 ms to import

    try:
        v = validate_email(addr, check_deliverability=False, allow_smtputf8=True)
        return f"{v.local_part}@{v.ascii_domain}".lower()
    except EmailNotValidError:
        return addr.lower()
