"""Login links: a signature only the secret makes, an expiry it covers, nothing else passes."""

from __future__ import annotations

import pytest

from domain.web_login import LinkCheck, check, sign

SECRET = "s" * 64


def test_a_signed_link_checks_until_it_expires() -> None:
    link = sign(SECRET, "telegram:900", 1000, "abc")
    parts = (link.admin_id, str(link.expires), link.nonce, link.signature)
    assert check(SECRET, *parts, now=1000) is LinkCheck.OK
    assert check(SECRET, *parts, now=1000.5) is LinkCheck.EXPIRED
    assert check("t" * 64, *parts, now=0) is LinkCheck.FORGED


@pytest.mark.parametrize(
    ("admin", "expires", "nonce"),
    [
        ("telegram:901", "1000", "abc"),
        ("telegram:900", "1001", "abc"),
        ("telegram:900", "1000", "abd"),
    ],
)
def test_every_part_is_signed(admin: str, expires: str, nonce: str) -> None:
    signature = sign(SECRET, "telegram:900", 1000, "abc").signature
    assert check(SECRET, admin, expires, nonce, signature, now=0) is LinkCheck.FORGED


@pytest.mark.parametrize("expires", ["", "-1", "1e3", "²", "1" * 13])
def test_a_malformed_expiry_is_forged_not_an_error(expires: str) -> None:
    assert check(SECRET, "telegram:900", expires, "abc", "", now=0) is LinkCheck.FORGED


def test_the_query_keeps_the_admins_id_readable_and_quotes_the_rest() -> None:
    assert sign(SECRET, "zalo:a b&c", 5, "n").query().startswith("a=zalo:a%20b%26c&e=5&n=n&s=")
