"""python-telegram-bot's HTTP layer on aiohttp instead of httpx.

PTB's `Bot` sends every Bot API call through a `BaseRequest`; its own one (`HTTPXRequest`)
goes through httpx, httpcore, anyio and h11, all in Python. With 50 people answering at once
that stack cost about 2 ms of CPU per sendMessage, more than everything else a reply costs
(bench/answers.py); aiohttp's client (HTTP parser in C, a plain keep-alive pool) costs about
0,3 ms. The wire format is PTB's own: parameters as PTB encodes them for httpx (form fields,
each value JSON-encoded), files as multipart/form-data, PTB's User-Agent; PTB parses the
answers and raises its errors (RetryAfter, Forbidden, BadRequest...) as before.

Timeouts: aiohttp has no separate write or pool timeout. `connect` covers waiting for a
pooled connection plus opening one, `sock_read` is the read timeout, and the whole request
is capped at the sum of the four budgets, so a request stuck in any phase still ends.
Like httpx, proxies come from the environment (HTTPS_PROXY, NO_PROXY), read once per
origin: aiohttp's own `trust_env` looks them up (and ~/.netrc) in a worker thread on every
request, which cost more than the request itself.
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

# The defaults of PTB's HTTPXRequest, in seconds.
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_WRITE_TIMEOUT = 5.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` over one aiohttp session with up to `connection_pool_size` connections."""

    def __init__(
        self,
        connection_pool_size: int,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        pool_timeout: float = DEFAULT_POOL_TIMEOUT,
        media_write_timeout: float = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float:
        """The read timeout used when a call does not give its own."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (it must be made inside the running event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; its status code and body. Transport failures as PTB's errors."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        has_files = bool(request_data and request_data.contains_files)
        timeout = self._timeout(
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, self._media_write_timeout if has_files else self._write_timeout),
            _given(connect_timeout, self._connect_timeout),
            _given(pool_timeout, self._pool_timeout),
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                body = await response.read()
                # As httpx logs each request (the token in the URL is redacted by bot.runtime.logs).
                log.debug("HTTP %s %s -> %d", method, url, response.status)
                return response.status, body
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut(f"aiohttp.{type(error).__name__}: {error}") from error
        except aiohttp.ClientError as error:
            # The class name helps when the message is empty (ServerDisconnectedError).
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for the URL's origin (None: go direct)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._proxies:
            self._proxies[origin] = _env_proxy(parts.scheme, parts.hostname or "")
        return self._proxies[origin]

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        budgets = (read, write, connect, pool)
        total = None if None in budgets else sum(b for b in budgets if b is not None)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect, sock_read=read
        )


def _env_proxy(scheme: str, host: str) -> str | None:
    """HTTPS_PROXY / HTTP_PROXY for the scheme unless NO_PROXY exempts the host."""
    if host and urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


def _given(value: Any, default: float) -> float | None:
    """A timeout the call gave (None: no limit), or the default when it gave none."""
    # PTB marks "not given" with its DefaultValue sentinel (whose class is private).
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return None if value is None else float(value)


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as PTB sends them: form fields, or multipart/form-data with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    # File names as they are (UTF-8, quotes escaped), like httpx: quoted, a draft named
    # "Báo cáo 02-2022.docx" would reach the chat as "B%C3%A1o%20c%C3%A1o...".
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form
