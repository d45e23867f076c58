"""A local fake of the Zalo Bot Platform API for end-to-end tests.

A real HTTP server on 127.0.0.1 (stdlib ``ThreadingHTTPServer`` in a background thread) that
answers ``POST /bot<TOKEN>/<method>`` with JSON bodies like the real platform:

* ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``;
* ``getUpdates`` takes only ``timeout`` and returns ONE update (no update id, no offset), or
  error 408 once ``timeout`` seconds pass with nothing to deliver; it is refused while a
  webhook is set (polling and webhook exclude each other);
* an update is ``{"event_name": ..., "message": {"message_id", "date" (milliseconds),
  "chat": {"id", "chat_type": "PRIVATE" | "GROUP"}, "from": {"id", "display_name"}, ...}}``
  with one of the five documented event names (``EVENTS``); ids are hex strings;
* a webhook receives the update wrapped as getUpdates answers it: ``webhook_body``;
* ``sendMessage`` takes ``chat_id`` and ``text`` (at most 2000 characters, else 400);
* a method the fake does not know is recorded and fails the test at teardown.

Tests play the users (``user_sends_text``, ``user_sends``), read what the bot sent
(``sent_to``, ``wait_for_messages``) and redeliver (``deliver_twice``).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = dict[str, Any]

DEFAULT_TOKEN = "2718281828:ZaloFakeBaocaoTestToken"
MAX_TEXT_LENGTH = 2000
MAX_POLL_SECONDS = 30.0
BOT_INFO: JSON = {
    "id": "1459232241454765289",
    "account_name": "baocao_bot",
    "can_join_groups": False,
}
# The documented event names, by what the person sent.
EVENTS = {
    "text": "message.text.received",
    "photo": "message.image.received",
    "sticker": "message.sticker.received",
    "voice": "message.voice.received",
    "other": "message.unsupported.received",
}
KNOWN_METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "sendPhoto",
        "sendSticker",
        "sendChatAction",
    }
)


@dataclass(frozen=True)
class SentMessage:
    """A text the bot sent to a chat."""

    chat_id: str
    message_id: str
    text: str
    sent_at: float


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class FakeZaloServer:
    """The fake platform; use as a context manager (``with FakeZaloServer() as zalo:``)."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self._lock = threading.Condition()
        self._pending: deque[JSON] = deque()
        self._updates: dict[str, JSON] = {}
        self._sent: list[SentMessage] = []
        self._blocked: set[str] = set()
        self.calls: list[tuple[str, JSON]] = []
        self.unexpected: list[str] = []
        self.internal_errors: list[str] = []
        self.webhook: JSON | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------------- lifecycle

    def start(self) -> FakeZaloServer:
        """Listen on a free port of 127.0.0.1."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._serve(self)

            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: stopping waits for the serving loop to notice, which at the
        # default half second made every Zalo test half a second longer.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending long polls end."""
        with self._lock:
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeZaloServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API base URL, to which the bot appends ``<token>/<method>``."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -------------------------------------------------------------------- playing users

    def make_update(
        self,
        user_id: str,
        text: str = "",
        *,
        display_name: str = "",
        kind: str = "text",
        group: str = "",
    ) -> JSON:
        """A new update from a person (not yet delivered): a text, or a message of another
        `kind` of ``EVENTS``; in their private chat, or in the `group` chat of that id."""
        message: JSON = {
            "message_id": secrets.token_hex(10),
            "date": int(time.time() * 1000),
            "chat": {
                "id": group or str(user_id),
                "chat_type": "GROUP" if group else "PRIVATE",
            },
            "from": {
                "id": str(user_id),
                "display_name": display_name or f"User {user_id}",
                "is_bot": False,
            },
        }
        if kind == "text":
            message["text"] = text
        elif kind == "photo":
            message["photo_url"] = "https://photo.example.invalid/form.jpg"
            if text:
                message["caption"] = text
        elif kind == "sticker":
            message["sticker"] = "0e078a2fb66a5f34067b"
            message["url"] = "https://sticker.example.invalid/0e078a2f.png"
        update = {"event_name": EVENTS[kind], "message": message}
        with self._lock:
            self._updates[message["message_id"]] = update
        return update

    @staticmethod
    def webhook_body(update: JSON) -> JSON:
        """The body Zalo posts to a webhook for `update`: wrapped as getUpdates answers."""
        return {"ok": True, "result": update}

    def user_sends(self, user_id: str, kind: str, *, group: str = "") -> str:
        """A person sends a photo, sticker, voice or other message; its message id."""
        update = self.make_update(user_id, kind=kind, group=group)
        self._push(update)
        return str(update["message"]["message_id"])

    def user_sends_text(
        self, user_id: str, text: str, *, display_name: str = "", group: str = ""
    ) -> str:
        """A person types `text` to the bot (in a `group` chat if given); the update waits for
        getUpdates. Its message id."""
        update = self.make_update(user_id, text, display_name=display_name, group=group)
        self._push(update)
        return str(update["message"]["message_id"])

    def deliver_twice(self, message_id: str) -> None:
        """Queue an update already made for delivery once more (the platform repeating it)."""
        with self._lock:
            update = self._updates[message_id]
        self._push(update)

    def block_chat(self, chat_id: str) -> None:
        """The person blocked the bot: sendMessage to them answers 403."""
        with self._lock:
            self._blocked.add(str(chat_id))

    def _push(self, update: JSON) -> None:
        with self._lock:
            self._pending.append(json.loads(json.dumps(update)))
            self._lock.notify_all()

    # -------------------------------------------------------------------- reading results

    def sent_to(self, chat_id: str) -> list[SentMessage]:
        """The texts sent to a chat, oldest first."""
        with self._lock:
            return [m for m in self._sent if m.chat_id == str(chat_id)]

    def pending(self) -> int:
        """How many updates wait for getUpdates."""
        with self._lock:
            return len(self._pending)

    def methods_called(self) -> list[str]:
        """The names of the methods called, in order."""
        with self._lock:
            return [method for method, _ in self.calls]

    async def wait_for_messages(
        self, chat_id: str, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until a chat received at least `count` texts; all of them."""
        deadline = time.monotonic() + timeout
        while True:
            sent = self.sent_to(chat_id)
            if len(sent) >= count:
                return sent
            if time.monotonic() > deadline:
                shown = "\n---\n".join(m.text for m in sent[-3:])
                raise AssertionError(
                    f"chat {chat_id} got {len(sent)} messages, expected {count}; last:\n{shown}"
                )
            await asyncio.sleep(0.02)

    async def wait_until_polled_empty(self, timeout: float = 5.0) -> None:
        """Wait until every pending update was taken by getUpdates."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.pending()} updates still pending")
            await asyncio.sleep(0.02)

    def assert_no_unexpected_calls(self) -> None:
        """Fail if the bot called a method the fake does not implement."""
        assert not self.unexpected, f"unexpected Zalo API calls: {self.unexpected}"

    # -------------------------------------------------------------------- HTTP

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        status, body = 200, {}
        try:
            prefix = f"/bot{self.token}/"
            if not request.path.startswith(prefix):
                raise _ApiError(401, "Unauthorized")
            method = request.path[len(prefix) :]
            length = int(request.headers.get("Content-Length") or 0)
            raw = request.rfile.read(length) if length else b""
            params = json.loads(raw) if raw else {}
            if not isinstance(params, dict):
                raise _ApiError(400, "Bad Request: body must be a JSON object")
            with self._lock:
                self.calls.append((method, params))
            body = {"ok": True, "result": self._call(method, params)}
        except _ApiError as error:
            status = error.code
            body = {"ok": False, "error_code": error.code, "description": error.description}
        except Exception as error:  # a bug in the fake: report it to the test
            self.internal_errors.append(repr(error))
            status = 500
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up on a long poll

    def _call(self, method: str, params: JSON) -> Any:
        if method not in KNOWN_METHODS:
            with self._lock:
                self.unexpected.append(method)
            raise _ApiError(404, f"Not Found: method {method}")
        if method == "getMe":
            return dict(BOT_INFO)
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "setWebhook":
            url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
            if not url.startswith("https://"):
                raise _ApiError(400, "Bad Request: url must be https")
            if not 8 <= len(secret) <= 256:
                raise _ApiError(400, "Bad Request: secret_token must have 8 to 256 characters")
            with self._lock:
                self.webhook = {"url": url, "secret_token": secret}
            return {"url": url, "updated_at": int(time.time() * 1000)}
        if method == "deleteWebhook":
            with self._lock:
                self.webhook = None
            return {"url": "", "updated_at": int(time.time() * 1000)}
        if method == "getWebhookInfo":
            with self._lock:
                url = self.webhook["url"] if self.webhook else ""
            return {"url": url, "updated_at": int(time.time() * 1000)}
        if method == "sendMessage":
            return self._send_message(params)
        if method == "sendChatAction":
            return True
        raise _ApiError(400, f"Bad Request: {method} is not used by this bot")

    def _get_updates(self, params: JSON) -> JSON:
        if set(params) - {"timeout"}:
            raise _ApiError(400, f"Bad Request: unknown parameters {sorted(set(params))}")
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        deadline = time.monotonic() + timeout
        with self._lock:
            if self.webhook is not None:
                raise _ApiError(409, "Conflict: a webhook is set; delete it to use getUpdates")
            while not self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _ApiError(408, "Request timeout")
                self._lock.wait(left)
            return self._pending.popleft()

    def _send_message(self, params: JSON) -> JSON:
        chat_id, text = str(params.get("chat_id") or ""), params.get("text")
        if not chat_id:
            raise _ApiError(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not text:
            raise _ApiError(400, "Bad Request: text is required")
        if len(text) > MAX_TEXT_LENGTH:
            raise _ApiError(400, f"Bad Request: text longer than {MAX_TEXT_LENGTH} characters")
        with self._lock:
            if chat_id in self._blocked:
                raise _ApiError(403, "Forbidden: the user blocked the bot")
            message = SentMessage(chat_id, secrets.token_hex(10), text, time.time())
            self._sent.append(message)
        return {"message_id": message.message_id, "date": int(message.sent_at * 1000)}
