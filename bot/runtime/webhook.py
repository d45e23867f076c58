"""The bot's HTTP server (aiohttp.web): platform webhooks, download links, /healthz,
/metrics, and whatever else is mounted on it (the office's dashboard, bot/web).

A webhook is answered 200 only after its update is committed to the inbox, so a 200 always
means "stored"; a request whose secret header is missing or wrong is refused before its body
is read. The port may be public (download links), so every request is bounded: the request
line, the number and size of header lines, the body, and the time a client may take to send
its request (see `Limits`, and docs/operations.md).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.runtime.downloads import PATH_PREFIX, Downloads, Served, content_disposition

log = logging.getLogger(__name__)
protocol_log = logging.getLogger(__name__ + ".protocol")

Health = Callable[[], Awaitable[list[str]]]
# GET /metrics: the Prometheus text exposition (bot/runtime/metrics.py).
MetricsText = Callable[[], Awaitable[str]]
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Mount = Callable[[web.Application], None]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may cost the server; past any of them it is refused and let go."""

    # The request line ("POST /telegram?x=1 HTTP/1.1") and each header line, in bytes.
    line_bytes: int = 8190
    field_bytes: int = 8190
    # Header lines per request: with the two above, at most ~0.5 MB held per connection.
    headers: int = 64
    # A body (a platform's update is a few KB; a forwarded document is a file id, not bytes).
    body_bytes: int = 1024 * 1024
    # From the connection's start to the end of its request head, and then to the end of
    # its body: a connection that never finishes its request is closed, not held for ever.
    read_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class WebhookRoute:
    """A path, the header carrying its secret, the secret, and what to do with a body."""

    path: str
    secret_header: str
    secret: str
    accept: Callable[[dict[str, object]], Awaitable[None]]


class TryLater(Exception):
    """The update could not be stored now (e.g. the disk is full): answer 503, so the
    platform keeps it and delivers it again later."""


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so the secret cannot be guessed byte by byte."""
    if given is None or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class WebhookServer:
    """Serves the configured webhook routes, the download links and /healthz on one port."""

    def __init__(
        self,
        host: str,
        port: int,
        routes: list[WebhookRoute],
        downloads: Downloads | None = None,
        limits: Limits = Limits(),
        health: Health | None = None,
        metrics: MetricsText | None = None,
        mount: Mount | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.routes = {route.path: route for route in routes}
        self.downloads = downloads
        self.limits = limits
        self.health = health
        self.metrics = metrics
        self.mount = mount
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; `port` is updated when 0 asked for a free one."""
        limits = self.limits
        app = web.Application(client_max_size=limits.body_bytes, middlewares=[_bare_errors])
        for path in self.routes:
            app.router.add_post(path, self._hook)
        app.router.add_get("/healthz", self._healthz)
        if self.metrics is not None:
            app.router.add_get("/metrics", self._metrics)
        if self.downloads is not None:
            app.router.add_get(PATH_PREFIX + "{name}", self._download)
        if self.mount is not None:  # more pages on the same port (the office's dashboard)
            self.mount(app)
        app.on_response_prepare.append(_hide_server)
        self._runner = web.AppRunner(
            app,
            access_log=None,  # a download link's query is a credential: never logged
            shutdown_timeout=1.0,
            # aiohttp closes a connection whose request has not arrived in keepalive_timeout
            # from its start (and an idle one between requests).
            keepalive_timeout=limits.read_seconds,
            max_line_size=limits.line_bytes,
            max_field_size=limits.field_bytes,
            max_headers=limits.headers,
            logger=protocol_log,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening and close the connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _hook(self, request: web.Request) -> web.Response:
        route = self.routes[request.path]
        if not secret_matches(request.headers.get(route.secret_header), route.secret):
            log.warning("webhook %s: request with a missing or wrong secret refused", route.path)
            return web.Response(status=403)
        try:
            async with asyncio.timeout(self.limits.read_seconds):
                body = await request.read()
            update = json.loads(body)
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except TimeoutError:
            return web.Response(status=408)
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(status=400)
        if not isinstance(update, dict):
            return web.Response(status=400)
        try:
            await route.accept(update)
        except TryLater as error:
            log.warning("webhook update not stored (%s); the platform will retry", error)
            return web.Response(status=503)
        return web.Response(status=200)

    async def _download(self, request: web.Request) -> web.Response:
        assert self.downloads is not None
        # File reads are small and local; off the loop anyway so webhooks never wait.
        served: Served = await asyncio.to_thread(self.downloads.serve, request.raw_path)
        if served.status != 200:
            return web.Response(status=served.status)
        headers = {
            "Content-Type": served.content_type,
            "Content-Disposition": content_disposition(served.file_name),
        }
        return web.Response(body=served.body, headers=headers)

    async def _healthz(self, request: web.Request) -> web.Response:
        reasons = await self.health() if self.health is not None else []
        status = "degraded" if reasons else "ok"
        body = {"status": status, "reasons": reasons}
        return web.json_response(body, status=503 if reasons else 200)

    async def _metrics(self, request: web.Request) -> web.Response:
        assert self.metrics is not None
        body = await self.metrics()
        return web.Response(body=body.encode(), headers={"Content-Type": METRICS_CONTENT_TYPE})


class _Refusals(logging.Filter):
    """aiohttp logs each malformed request as an error with its traceback: on a public port
    that is any stranger's flood, so it becomes one line at INFO (our own failures stay)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "request refused: %s", (type(error).__name__,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


protocol_log.addFilter(_Refusals())


@web.middleware
async def _bare_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refusal is its status alone: no body that says what the server is."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return web.Response(status=error.status, headers=_allow(error))


def _allow(error: web.HTTPException) -> dict[str, str]:
    """A 405 names the methods allowed, as HTTP asks."""
    allow = error.headers.get("Allow")
    return {"Allow": allow} if allow else {}


async def _hide_server(request: web.Request, response: web.StreamResponse) -> None:
    """No software versions on a public port."""
    response.headers.pop("Server", None)
