"""Signed download links: only the published file, only with its signature, only in time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.runtime.downloads import Downloads, content_disposition
from handlers.events import Document
from tests.support.clock import START, FakeClock

SECRET = "s" * 32


def _downloads(folder: Path, clock: FakeClock) -> Downloads:
    return Downloads(folder, "https://bot.example.vn/", SECRET, 7, clock)


def _target(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_a_published_file_is_served_by_its_link_until_it_expires(tmp_path: Path) -> None:
    clock = FakeClock(START)
    downloads = _downloads(tmp_path / "downloads", clock)
    link, expires = downloads.publish(Document("BC 02/2022 (v1).docx", b"PK-docx"))
    assert link.startswith("https://bot.example.vn/files/") and expires == START + timedelta(days=7)
    served = downloads.serve(_target(link))
    assert (served.status, served.body, served.file_name) == (200, b"PK-docx", "2022 _v1_.docx")
    assert served.content_type.endswith("wordprocessingml.document")
    clock.now = expires + timedelta(seconds=1)
    assert downloads.serve(_target(link)).status == 403


def test_another_secret_or_name_or_expiry_is_refused(tmp_path: Path) -> None:
    clock = FakeClock(START)
    downloads = _downloads(tmp_path / "downloads", clock)
    link, _ = downloads.publish(Document("a.docx", b"a"))
    other = Downloads(tmp_path / "downloads", "https://x", "t" * 32, 7, clock)
    path, _, query = _target(link).partition("?")
    name = path.rsplit("/", 1)[1]
    assert other.serve(_target(link)).status == 403
    assert downloads.serve(path).status == 403
    expiry = query.split("&")[0]
    assert downloads.serve(_target(link).replace(expiry, expiry + "0")).status == 403
    assert downloads.serve(_target(link).replace(expiry, "e=%C2%B2")).status == 403
    # A valid signature for a name that was never published: nothing to serve.
    ghost = "0" * 24 + "-b.docx"
    assert downloads.serve(_target(downloads.link(ghost, 2_000_000_000))).status == 404
    assert name != ghost


@pytest.mark.parametrize(
    "name",
    ["../config.toml", "..%2Fconfig.toml", "%2e%2e/x", "/etc/passwd", "", "a" * 24 + "-x/../y"],
)
def test_names_that_could_leave_the_folder_are_not_found(tmp_path: Path, name: str) -> None:
    (tmp_path / "config.toml").write_text("secret = 1")
    downloads = _downloads(tmp_path / "downloads", FakeClock(START))
    signed = downloads.link(name, 2_000_000_000)  # even when signed
    assert downloads.serve(f"/files/{name}?{urlsplit(signed).query}").status == 404


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Downloads(tmp_path, "https://x", "short", 7)


def test_a_vietnamese_file_name_is_kept_whole(tmp_path: Path) -> None:
    downloads = _downloads(tmp_path / "downloads", FakeClock(START))
    link, _ = downloads.publish(Document("Báo cáo tháng 11 – Đợt 2.docx", b"PK"))
    served = downloads.serve(_target(link))
    assert (served.status, served.file_name) == (200, "Báo cáo tháng 11 _ Đợt 2.docx")


def test_the_attachment_header_carries_the_name_in_utf8_and_an_ascii_fallback() -> None:
    header = content_disposition("Báo cáo Đợt 2.docx")
    assert header == (
        'attachment; filename="Bao cao Dot 2.docx"; '
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%C4%90%E1%BB%A3t%202.docx"
    )


def test_a_name_too_long_for_the_file_system_keeps_its_end(tmp_path: Path) -> None:
    downloads = _downloads(tmp_path / "downloads", FakeClock(START))
    link, _ = downloads.publish(Document("ệ" * 300 + ".xlsx", b"PK"))
    served = downloads.serve(_target(link))
    assert served.status == 200 and served.file_name.endswith("ệ.xlsx")
    assert len(served.file_name.encode()) <= 200


def test_an_endless_expiry_is_refused_not_crashed(tmp_path: Path) -> None:
    downloads = _downloads(tmp_path / "downloads", FakeClock(START))
    link, _ = downloads.publish(Document("a.docx", b"a"))
    target = _target(link).replace("?e=", "?e=" + "9" * 5000)
    assert downloads.serve(target).status == 403
