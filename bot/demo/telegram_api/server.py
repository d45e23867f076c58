"""The fake Bot API server: a real HTTP server on 127.0.0.1 in a background thread that
speaks the Bot API wire protocol, so that the real program -- python-telegram-bot's own HTTP
client included -- talks to it exactly as it would talk to ``api.telegram.org``::

    with FakeTelegramServer() as server:
        bot = telegram.Bot(server.token, base_url=server.base_url,
                           base_file_url=server.base_file_url)
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from bot.demo.telegram_api.editing import EditingApi
from bot.demo.telegram_api.faults import Faults, pop_first
from bot.demo.telegram_api.httpd import ApiHTTPServer, ApiRequestHandler
from bot.demo.telegram_api.observe import Observing
from bot.demo.telegram_api.params import METHODS_BY_LOWER, coerce, decode_params
from bot.demo.telegram_api.people import People
from bot.demo.telegram_api.protocol import (
    DEFAULT_TOKEN,
    JSON,
    TOKEN_RE,
    ApiError,
    ClientGone,
    error_body,
)
from bot.demo.telegram_api.records import ApiCall, UploadedFile, loggable
from bot.demo.telegram_api.settings import SettingsApi
from bot.demo.telegram_api.updates import UpdatesApi


class FakeTelegramServer(People, Observing, Faults, SettingsApi, EditingApi, UpdatesApi):
    """A faithful local Bot API server; use as a context manager or via the ``fake_telegram``
    pytest fixture.

    ``strict_html``: reject a bare ``&``/``>`` in HTML texts (Telegram accepts them; on by
    default to catch unescaped user data). ``strict_chats``: answer "chat not found" for chats
    that never wrote to the bot (see ``register_chat``), as Telegram does; off by default.
    ``bot_user``: fields of getMe's answer to change (the demo's bot has its own name).
    ``clock``: the time of the messages' "date" (the demo runs in simulated time).

    Public attributes: ``url``, ``token``, ``bot_user``, ``webhook`` (url, secret_token, ...
    of the last setWebhook), ``chat_actions`` ((chat_id, action, time) tuples), ``count_429``
    and ``count_409`` (error answers given), ``get_updates_calls`` and ``internal_errors``
    (bugs of the fake itself; the fixture fails the test on them).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        strict_html: bool = True,
        strict_chats: bool = False,
        bot_user: JSON | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(
            token,
            strict_html=strict_html,
            strict_chats=strict_chats,
            bot_user=bot_user,
            clock=clock,
        )
        self._httpd: ApiHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.port = 0

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegramServer:
        """Start serving on 127.0.0.1 (idempotent); returns self.

        ``port`` 0 takes a free port; after ``stop()`` pass the old one (``self.port``) to
        come back where the bot looks, as Telegram does after an outage. Updates, chats and
        calls are kept across a stop and start.
        """
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = ApiHTTPServer(("127.0.0.1", port), ApiRequestHandler, self)
        port = self._httpd.server_address[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-telegram-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server, wake long polls and close open connections."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeTelegramServer:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)`` / ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    def make_bot(self, token: str | None = None, **kwargs: Any) -> Any:
        """A ``telegram.Bot`` pointed at this server (``token`` defaults to the valid one)."""
        import telegram

        return telegram.Bot(
            token or self.token,
            base_url=self.base_url,
            base_file_url=self.base_file_url,
            **kwargs,
        )

    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` with token and URLs of this server set."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ---- internals: HTTP entry point (runs in handler threads) ----------------------------

    def _handle_request(
        self,
        http_method: str,
        path: str,
        query: str,
        headers: Any,
        body: bytes,
        client_gone: Callable[[], bool] = lambda: False,
    ) -> tuple[int, bytes, str]:
        """Route one HTTP request -> (status, body, content type)."""
        file_match = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if file_match:
            return self._download(file_match.group(1), file_match.group(2))
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if not match or not TOKEN_RE.match(match.group(1)):
            return error_body(404, "Not Found")
        if match.group(1) != self.token:
            return error_body(401, "Unauthorized")
        name = match.group(2)
        method = METHODS_BY_LOWER.get(name.lower())
        try:
            raw, files = decode_params(query, headers, body)
        except ApiError as error:
            return error_body(error.status, error.description)
        if method is None:
            call = ApiCall(name, raw, 404, "Not Found", time.time())
            with self._cond:
                self._calls.append(call)
                self._unexpected.append(call)
                self._cond.notify_all()
            return error_body(404, "Not Found")
        status, payload = self._answer(method, raw, files, client_gone)
        return status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"

    def _answer(
        self,
        method: str,
        raw: JSON,
        files: dict[str, UploadedFile],
        client_gone: Callable[[], bool],
    ) -> tuple[int, JSON]:
        """Carry out a known method (or the fault queued for it) and log the call."""
        logged = raw
        description: str | None = None
        self._travel()
        try:
            self._apply_delay(method)
            with self._cond:
                fault = pop_first(self._faults, method)
            if fault is not None:
                raise ApiError(fault.status, fault.description, fault.parameters)
            params = coerce(method, raw, files)
            logged = loggable(params)
            status, payload = 200, {"ok": True, "result": self._call(method, params, client_gone)}
        except ClientGone:  # an abandoned long poll: nobody reads the answer
            status, description, payload = 499, "client closed the connection", {"ok": False}
        except ApiError as error:
            status, description = error.status, error.description
            payload = {"ok": False, "error_code": status, "description": description}
            if error.parameters:
                payload["parameters"] = error.parameters
        except Exception as error:  # a bug of the fake: answer 500 and fail the test later
            status, description = 500, f"Internal Server Error (fake server bug: {error!r})"
            payload = {"ok": False, "error_code": status, "description": description}
            with self._cond:
                self.internal_errors.append(f"{method}: {error!r}")
        with self._cond:
            self.count_429 += status == 429
            self.count_409 += status == 409
            self._calls.append(ApiCall(method, logged, status, description, time.time()))
            self._cond.notify_all()
        self._travel()
        return status, payload

    def _download(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        if token != self.token:
            return error_body(401, "Unauthorized")
        with self._lock:
            stored = self._files_by_path.get(unquote(file_path))
        if stored is None:
            return error_body(404, "Not Found")
        with self._lock:
            self.files_downloaded += 1
        return 200, stored.content, stored.mime_type

    def _travel(self) -> None:
        """One way of a call over the network set by `network_delay`."""
        with self._cond:
            one_way, jitter = self._network
        if one_way or jitter:
            self._stopping.wait(one_way + random.uniform(0.0, jitter))

    def _apply_delay(self, method: str) -> None:
        with self._cond:
            delay = pop_first(self._delays, method)
        if delay:
            self._stopping.wait(delay)

    def _call(self, method: str, params: JSON, client_gone: Callable[[], bool]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params, client_gone)  # takes the lock itself
        with self._cond:
            handler = getattr(self, f"_api_{method}")
            result = handler(params)
            self._cond.notify_all()
            return result
