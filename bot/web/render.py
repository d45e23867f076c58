"""Pages from the Jinja2 templates in templates/web/, and the stylesheet shipped beside them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

STYLESHEET = "style.css"
# Pages carry figures of units: never cached by a shared proxy, never framed by another site.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("templates", "web"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(name: str, status: int = 200, **values: Any) -> web.Response:
    """The template `name` (templates/web/NAME.html.j2) rendered as an HTML response."""
    body = _environment().get_template(f"{name}.html.j2").render(**values)
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
    )


@cache
def _stylesheet() -> bytes:
    return resources.files("templates").joinpath("web", STYLESHEET).read_bytes()


async def stylesheet(request: web.Request) -> web.Response:
    """The dashboard's CSS (no CDN: an office's network may have no internet)."""
    del request
    headers = {"Cache-Control": "max-age=3600"}
    return web.Response(body=_stylesheet(), content_type="text/css", headers=headers)
