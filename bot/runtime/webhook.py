"""A small HTTP server for platform webhooks: verify the secret, store the update, answer 200.

The platform is answered only after the update is committed to the inbox, so a 200 always
means "stored". A request whose secret header is missing or wrong is refused unread.
It also serves the signed download links of files offered on Zalo (GET /files/...).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.runtime.downloads import PATH_PREFIX, Downloads, Served

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
# How long a client may take to send its request: the port is public (download links), and
# a connection that never finishes its request would otherwise be held open for ever.
READ_SECONDS = 30.0
Route = Callable[[dict[str, str], bytes], Awaitable[int]]


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
    """Serves the configured webhook routes on one port."""

    def __init__(
        self,
        host: str,
        port: int,
        routes: list[WebhookRoute],
        downloads: Downloads | None = None,
        read_seconds: float = READ_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.routes = {route.path: route for route in routes}
        self.downloads = downloads
        self.read_seconds = read_seconds
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        """Listen; `port` is updated when 0 asked for a free one."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            answer = await self._respond(reader)
        except (asyncio.IncompleteReadError, ValueError, ConnectionError):
            answer = Served(400)
        except TimeoutError:
            answer = Served(408)
        except TryLater as error:
            log.warning("webhook update not stored (%s); the platform will retry", error)
            answer = Served(503)
        except Exception:
            log.exception("webhook request failed")
            answer = Served(500)
        reason = {
            200: "OK",
            400: "Bad Request",
            403: "Forbidden",
            404: "Not Found",
            405: "Method Not Allowed",
            408: "Request Timeout",
            413: "Payload Too Large",
            503: "Service Unavailable",
        }.get(answer.status, "Error")
        head = f"HTTP/1.1 {answer.status} {reason}\r\nContent-Length: {len(answer.body)}\r\n"
        if answer.file_name:
            head += f"Content-Type: {answer.content_type}\r\n"
            head += f'Content-Disposition: attachment; filename="{answer.file_name}"\r\n'
        try:
            writer.write((head + "Connection: close\r\n\r\n").encode() + answer.body)
            await writer.drain()
        finally:
            writer.close()

    async def _respond(self, reader: asyncio.StreamReader) -> Served:
        request_line, headers = await asyncio.wait_for(_read_head(reader), self.read_seconds)
        if len(request_line) < 2:
            return Served(400)
        method, path = request_line[0], request_line[1]
        if self.downloads is not None and path.startswith(PATH_PREFIX):
            if method != "GET":
                return Served(405)
            # File reads are small and local; off the loop anyway so webhooks never wait.
            return await asyncio.to_thread(self.downloads.serve, path)
        route = self.routes.get(path)
        if route is None:
            return Served(404)
        if method != "POST":
            return Served(405)
        if not secret_matches(headers.get(route.secret_header.lower()), route.secret):
            log.warning("webhook %s: request with a missing or wrong secret refused", path)
            return Served(403)
        length = int(headers.get("content-length", "0"))
        if length > MAX_BODY:
            return Served(413)
        body = await asyncio.wait_for(reader.readexactly(length), self.read_seconds)
        update = json.loads(body)
        if not isinstance(update, dict):
            return Served(400)
        await route.accept(update)
        return Served(200)


async def _read_head(reader: asyncio.StreamReader) -> tuple[list[str], dict[str, str]]:
    """The request line's words and the headers (names in lower case)."""
    request_line = (await reader.readline()).decode("latin-1").split()
    headers: dict[str, str] = {}
    while True:
        line = (await reader.readline()).decode("latin-1")
        if line in ("\r\n", "\n", ""):
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return request_line, headers
