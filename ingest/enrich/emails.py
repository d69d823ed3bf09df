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
    """The address as ingest stores it (:func:`ingest.addresses.normalise`: lower case,
    the domain in ASCII (IDNA), never a DNS check), so that an address from a user file
    (mailmap, aliases, overrides, domain maps) meets the stored one. What is not an
    address at all is only lower-cased, so it still works as a key."""
    addr = email.strip().strip("<>").strip()
    if _PLAIN_ADDRESS.fullmatch(addr):
        return addr.lower()
    from ingest.addresses import normalise  # email-validator: 35 ms to import

    return normalise(addr).email or addr.lower()
