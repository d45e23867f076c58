"""One-time login links to the office's web dashboard: what is signed and how it is checked.

A link carries the admin's id ("channel:user_id"), its expiry (unix seconds), a random nonce
and an HMAC-SHA256 of the three under the dashboard's secret (domain/signing.py, as the
download links). The signature proves the link was made by someone holding the secret; the
nonce, recorded when used, makes it single-use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import quote

from domain.signing import expiry, signature, signed

LINK_VALID = timedelta(minutes=10)
# A working day, with a margin: a link used in the morning lasts until the office closes.
SESSION_VALID = timedelta(hours=10)
LOGIN_PATH = "/web/login"


class LinkCheck(StrEnum):
    """What a login link turned out to be."""

    OK = "ok"
    FORGED = "forged"  # malformed, or a signature the secret did not make
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class LoginLink:
    """The parts of a login link."""

    admin_id: str
    expires: int
    nonce: str
    signature: str

    def query(self) -> str:
        """The link's query string."""
        admin = quote(self.admin_id, safe=":")
        return f"a={admin}&e={self.expires}&n={self.nonce}&s={self.signature}"


def sign(secret: str, admin_id: str, expires: int, nonce: str) -> LoginLink:
    """A link for `admin_id`, valid until `expires` (unix seconds)."""
    return LoginLink(admin_id, expires, nonce, signature(secret.encode(), admin_id, expires, nonce))


def check(
    secret: str, admin_id: str, expires: str, nonce: str, given: str, now: float
) -> LinkCheck:
    """Whether the parts of a link make a valid link at `now` (unix seconds)."""
    until = expiry(expires)
    if until is None or not nonce or not admin_id:
        return LinkCheck.FORGED
    if not signed(secret.encode(), given, admin_id, until, nonce):
        return LinkCheck.FORGED
    return LinkCheck.EXPIRED if until < now else LinkCheck.OK
