"""A small local chat server that speaks the part of the Telegram Bot API baocao uses.

`baocao demo` runs the real bot (python-telegram-bot's HTTP client included) against this
server on 127.0.0.1, so that it needs no token and no network. Simulated people act through
`user_sends_text` and `user_presses_button`, and `sent_to` shows what each chat received.

Methods: getMe, getUpdates (offset confirmation, long poll), setMyCommands, deleteWebhook,
sendMessage, answerCallbackQuery, sendDocument (multipart). Anything else answers 404.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
BOT_ID = 7000000001
BOT_USERNAME = "baocao_demo_bot"
DEMO_TOKEN = f"{BOT_ID}:demo-token-not-a-real-one"
_TAG = re.compile(r"<[^>]+>")


@dataclass(slots=True)
class ChatMessage:
    """One message the bot sent to a chat, as its user sees it."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    file_name: str = ""
    content: bytes = b""

    @property
    def plain_text(self) -> str:
        """The text without its HTML markup."""
        return html.unescape(_TAG.sub("", self.text))

    def button(self, label_start: str) -> str | None:
        """The callback data of the first button whose label starts so; None if none."""
        for row in self.buttons:
            for label, data in row:
                if label.startswith(label_start):
                    return data
        return None

    def labels(self) -> list[str]:
        """The labels of every button, row by row."""
        return [label for row in self.buttons for label, _ in row]


class LocalChatServer:
    """The Bot API on 127.0.0.1 in a background thread, with simulation hooks."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.token = DEMO_TOKEN
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Condition()
        self._updates: list[JSON] = []
        self._next_update = 1
        self._next_message = 1
        self._sent: dict[int, list[ChatMessage]] = {}
        self._names: dict[int, str] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.calls = 0

    # ------------------------------------------------------------------ life cycle

    def start(self) -> LocalChatServer:
        """Listen on a free port of 127.0.0.1."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as python-telegram-bot expects

            def do_POST(self) -> None:
                owner._serve(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and wake any long poll."""
        with self._lock:
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        """The api_base_url to configure: methods are <base_url><token>/<method>."""
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # ------------------------------------------------------------------ simulation hooks

    def user_sends_text(self, user_id: int, text: str, name: str = "") -> None:
        """A person types a message (or a /command) in their private chat with the bot."""
        with self._lock:
            if name:
                self._names[user_id] = name
            message: JSON = {
                "message_id": self._new_message_id(),
                "date": int(self._clock().timestamp()),
                "chat": self._chat(user_id),
                "from": self._user(user_id),
                "text": text,
            }
            if text.startswith("/"):
                length = len(text.split(" ", 1)[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            self._push({"message": message})

    def user_presses_button(self, user_id: int, message: ChatMessage, data: str) -> None:
        """A person presses a button of a message the bot sent them."""
        with self._lock:
            query = {
                "id": f"cb{self._next_update}",
                "from": self._user(user_id),
                "chat_instance": str(user_id),
                "data": data,
                "message": {
                    "message_id": message.message_id,
                    "date": int(self._clock().timestamp()),
                    "chat": self._chat(user_id),
                    "text": message.plain_text,
                },
            }
            self._push({"callback_query": query})

    def sent_to(self, chat_id: int) -> list[ChatMessage]:
        """Every message the bot sent to a chat, oldest first."""
        with self._lock:
            return list(self._sent.get(chat_id, []))

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10.0) -> ChatMessage:
        """Wait until a chat has received `count` messages; the newest one."""
        give_up = time.monotonic() + timeout
        while True:
            sent = self.sent_to(chat_id)
            if len(sent) >= count:
                return sent[-1]
            if time.monotonic() > give_up:
                raise TimeoutError(f"chat {chat_id}: {len(sent)} messages, waited for {count}")
            await asyncio.sleep(0.002)

    # ------------------------------------------------------------------ the Bot API

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path.split("?", 1)[0])
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        status, reply = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if match and match[1] == self.token:
            method = getattr(self, f"_api_{match[2]}", None)
            if method is not None:
                params = _params(request.headers.get("Content-Type", ""), body)
                self.calls += 1
                status, reply = 200, {"ok": True, "result": method(params)}
        elif match:
            status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        data = json.dumps(reply).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _api_getMe(self, params: JSON) -> JSON:
        del params
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "baocao (demo)",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_setMyCommands(self, params: JSON) -> bool:
        del params
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        del params
        return True

    def _api_getUpdates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        give_up = time.monotonic() + timeout
        with self._lock:
            if offset:  # asking from `offset` confirms everything before it
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and self._server is not None:
                left = give_up - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            limit = int(params.get("limit") or 100)
            return list(self._updates[:limit])

    def _api_sendMessage(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        markup = params.get("reply_markup") or {}
        buttons = [
            [(b["text"], str(b.get("callback_data", ""))) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        return self._record(ChatMessage(0, chat_id, str(params.get("text", "")), buttons))

    def _api_sendDocument(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        name, content = params.get("document") or ("document", b"")
        message = ChatMessage(0, chat_id, str(params.get("caption") or ""), [], name, content)
        result = self._record(message)
        result["document"] = {"file_id": f"f{message.message_id}", "file_unique_id": "u"}
        return result

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        del params
        return True

    # ------------------------------------------------------------------ helpers

    def _record(self, message: ChatMessage) -> JSON:
        with self._lock:
            message.message_id = self._new_message_id()
            self._sent.setdefault(message.chat_id, []).append(message)
        return {
            "message_id": message.message_id,
            "date": int(self._clock().timestamp()),
            "chat": self._chat(message.chat_id),
            "from": self._api_getMe({}),
            "text": message.text,
        }

    def _push(self, update: JSON) -> None:
        update["update_id"] = self._next_update
        self._next_update += 1
        self._updates.append(update)
        self._lock.notify_all()

    def _new_message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _user(self, user_id: int) -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": self._names.get(user_id, "Demo")}

    def _chat(self, chat_id: int) -> JSON:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Văn phòng"}
        return {"id": chat_id, "type": "private", "first_name": self._names.get(chat_id, "Demo")}


class _Server(ThreadingHTTPServer):
    # The bot sends to every unit at once: a listen backlog of 5 would drop connections.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is expected; anything else goes to the log, not stderr.

        socketserver prints a traceback to stderr for every failed request; the bot closes
        kept-alive connections (and its long poll) when it stops, which showed the person
        running `baocao demo` a traceback for nothing.
        """
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        logger.exception("local chat server: request from %s failed", client_address)


def _params(content_type: str, body: bytes) -> JSON:
    """The call's parameters: JSON, form-encoded, or multipart (files as (name, bytes))."""
    if content_type.startswith("application/json"):
        loaded = json.loads(body or b"{}")
        return loaded if isinstance(loaded, dict) else {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        params: JSON = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                params[name] = (filename, payload)
            else:
                params[name] = _value(payload.decode("utf-8"))
        for key, value in list(params.items()):  # attach://name references
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value.removeprefix("attach://"), value)
        return params
    return {key: _value(value) for key, value in parse_qsl(body.decode("utf-8"))}


def _value(raw: str) -> Any:
    """A form value: python-telegram-bot sends objects and lists as JSON text."""
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
