"""Signed, expiring links: an HMAC-SHA256 of a link's parts (its expiry among them) under a
secret, so that only someone holding the secret can make one, lengthen one or point one
elsewhere. Used by the download links (bot/runtime/downloads.py) and the dashboard's login
links (domain/web_login.py).
"""

from __future__ import annotations

import hashlib
import hmac

# An expiry is unix seconds: more digits than this is not one (and int() stays quick).
_EXPIRY_DIGITS = 12


def signature(key: bytes, *parts: str | int) -> str:
    """The signature of the parts, in this order, under `key`."""
    message = "\n".join(str(part) for part in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed(key: bytes, given: str, *parts: str | int) -> bool:
    """Whether `given` is the parts' signature under `key` (compared in constant time)."""
    return hmac.compare_digest(given.encode(), signature(key, *parts).encode())


def expiry(text: str) -> int | None:
    """A link's expiry (unix seconds) as written in it, or None if it is not one."""
    # isdecimal: "²" passes isdigit() but int() refuses it.
    if not (text.isdecimal() and len(text) <= _EXPIRY_DIGITS):
        return None
    return int(text)
