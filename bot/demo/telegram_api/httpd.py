"""The HTTP plumbing: a threading server on 127.0.0.1 that hands each request to the fake,
keeps connections alive like api.telegram.org, and closes them when the fake stops."""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from bot.demo.telegram_api.protocol import MAX_UPLOAD_BYTES, error_body


class RequestTarget(Protocol):
    """What the HTTP plumbing needs of the fake (FakeTelegramServer): no import of it, so
    the server module can import this one without a loop."""

    _cond: threading.Condition
    _stopping: threading.Event
    internal_errors: list[str]

    def _handle_request(
        self,
        http_method: str,
        path: str,
        query: str,
        headers: Any,
        body: bytes,
        client_gone: Callable[[], bool] = ...,
    ) -> tuple[int, bytes, str]: ...


logger = logging.getLogger(__name__)


class ApiHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its fake and can close kept-alive connections."""

    daemon_threads = True
    block_on_close = False
    # The bot sends to every unit at once: a listen backlog of 5 would drop connections.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type, fake: RequestTarget) -> None:
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Never print tracebacks from handler threads: log real errors, and keep them for
        the tests' teardown check.

        Dropped connections (the client hung up or timed out, the server is stopping) are
        normal: the bot closes its kept-alive connections and its long poll when it stops, and
        socketserver's default traceback on stderr showed the person running `baocao demo` a
        failure that was none.
        """
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.fake._stopping.is_set():
            return
        logger.exception("fake Bot API: request from %s failed", client_address)
        with self.fake._cond:
            self.fake.internal_errors.append(f"HTTP handler: {error!r}")

    def close_connections(self) -> None:
        """Shut the sockets of kept-alive connections, so that their threads end."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class ApiRequestHandler(BaseHTTPRequestHandler):
    """Hands every request to the fake; HTTP/1.1 with keep-alive like api.telegram.org."""

    protocol_version = "HTTP/1.1"
    server: ApiHTTPServer
    timeout = 60
    disable_nagle_algorithm = True  # headers and body are written separately

    def do_GET(self) -> None:
        """File downloads, and API calls made with GET."""
        self._dispatch()

    def do_POST(self) -> None:
        """API calls."""
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_UPLOAD_BYTES + 1024 * 1024:
            return None
        return self.rfile.read(length) if length else b""

    def _client_gone(self) -> bool:
        """True if the client closed the connection (EOF pending on the socket)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
        if body is None:
            status, payload, content_type = error_body(413, "Request Entity Too Large")
            self.close_connection = True
        else:
            status, payload, content_type = self.server.fake._handle_request(
                self.command,
                unquote(parts.path),
                parts.query,
                self.headers,
                body,
                self._client_gone,
            )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out)
