"""python-telegram-bot's HTTPXRequest with a cheaper keep-alive check in its connection pool.

httpcore's pool, on every request it starts or ends, asks each pooled connection whether
its socket is readable (an idle keep-alive connection that is readable was closed by the
server). Its anyio stream answers through anyio's `extra()`, which builds a dict of every
socket attribute (getpeername, getsockname, ...) per question: with tens of pooled
connections this was the largest cost of a reply. Here the stream keeps its raw socket and
answers with one poll(2). Everything else (pool size, timeouts, TLS, the FIFO of requests
waiting for a connection) is httpcore's, unchanged.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from telegram.request import HTTPXRequest


def _readable(sock: socket.socket | None) -> bool:
    """Whether a recv would return at once (as httpcore's own check; no socket: readable)."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """A network stream that answers "is_readable" and "socket" from its cached socket."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        if info == "socket":
            return self._socket
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's default backend, its TCP streams wrapped in `_Stream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool; on httpcore 1.0 its bookkeeping pass is O(connections), not O(n²).

    httpcore 1.0's `_assign_requests_to_connections` (run on every request's start and end)
    builds, for each idle connection, a list over all connections only to take its length;
    at 50 pooled connections that was a tenth of the bot's CPU. This is the same pass, with
    the same decisions in the same order, without the inner lists (`len(self._connections)`
    is that length). Other httpcore versions keep their own.
    """

    if httpcore.__version__.startswith("1.0."):

        def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
            closing = []
            connections = self._connections
            for connection in list(connections):
                if connection.is_closed():
                    connections.remove(connection)
                elif connection.has_expired() or (
                    connection.is_idle() and len(connections) > self._max_keepalive_connections
                ):
                    connections.remove(connection)
                    closing.append(connection)
            for pool_request in [r for r in self._requests if r.is_queued()]:
                origin = pool_request.request.url.origin
                available = next(
                    (c for c in connections if c.can_handle_request(origin) and c.is_available()),
                    None,
                )
                if available is not None:
                    pool_request.assign_to_connection(available)
                    continue
                if len(connections) < self._max_connections:
                    connection = self.create_connection(origin)
                    connections.append(connection)
                    pool_request.assign_to_connection(connection)
                    continue
                idle = next((c for c in connections if c.is_idle()), None)
                if idle is not None:
                    connections.remove(idle)
                    closing.append(idle)
                    connection = self.create_connection(origin)
                    connections.append(connection)
                    pool_request.assign_to_connection(connection)
            return closing


class _Transport(httpx.AsyncHTTPTransport):
    """httpx's transport with its pool built on `_Backend` (the same pool otherwise)."""

    def __init__(self, max_connections: int) -> None:
        limits = httpx.Limits(max_connections=max_connections)
        super().__init__(limits=limits)
        # httpx offers no network_backend argument: the pool it built is replaced by the same
        # pool (httpx's defaults for an HTTP/1.1 client without proxy) on our backend.
        self._pool = _Pool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=_Backend(),
        )


class PooledRequest(HTTPXRequest):
    """HTTPXRequest (HTTP/1.1, no proxy) whose client uses `_Transport`, new per client."""

    def __init__(self, connection_pool_size: int, **kwargs: Any) -> None:
        self._pool_size = connection_pool_size
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)

    def _build_client(self) -> httpx.AsyncClient:
        self._client_kwargs["transport"] = _Transport(self._pool_size)
        return super()._build_client()
