"""The [web] section of config.toml: the dashboard's public address and how long a login
lasts (kept apart from config.py, which holds the other sections)."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from bot.workspace.settings import WebSettings
from bot.workspace.toml_reader import TableReader, toml_repr

EXAMPLE_URL: Final = "https://baocao.example.vn"
# A session longer than a day outlives the working day it is meant for; shorter than an hour
# signs the office out mid-task.
MAX_SESSION_HOURS: Final = 24


def read_web(r: TableReader) -> WebSettings:
    """The [web] table, every problem recorded on `r`; defaults in place of wrong values."""
    d = WebSettings()
    settings = WebSettings(
        public_url=_public_url(r, d.public_url),
        session_hours=r.integer(
            "session_hours", d.session_hours, low=1, high=MAX_SESSION_HOURS, example=10
        ),
    )
    r.finish()
    return settings


def _public_url(r: TableReader, default: str) -> str:
    """An origin, "http(s)://host[:port]": the dashboard's pages are under its /web/."""
    value = r.text("public_url", default, example=EXAMPLE_URL)
    if not value:
        return default
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        r.problem(
            "public_url", "web_bad_url", value=toml_repr(value), example=toml_repr(EXAMPLE_URL)
        )
        return default
    if parts.path.strip("/") or parts.query or parts.fragment:
        origin = f"{parts.scheme}://{parts.netloc}"
        r.problem("public_url", "web_url_path", value=toml_repr(value), origin=toml_repr(origin))
        return default
    return f"{parts.scheme}://{parts.netloc}"
