"""The fake's state (updates, chats, messages, files, calls) and the helpers that change it.

Every part of the fake (the API methods, the people, the observers, the faults) is a mixin
of `ApiState`; all of them run with ``self._cond`` held unless they say otherwise.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import mimetypes
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.demo.telegram_api.protocol import (
    BOT_USER,
    CHAT_SEND_METHODS,
    DEFAULT_TOKEN,
    DEFAULT_UPDATE_TYPES,
    JSON,
    TOKEN_RE,
    ApiError,
    bad,
)
from bot.demo.telegram_api.records import (
    ApiCall,
    CallbackAnswer,
    Fault,
    FloodLimits,
    SentMessage,
    StoredFile,
    UpdateRecord,
)


def _now() -> datetime:
    return datetime.now(UTC)


class ApiState:
    """What the fake Bot API remembers, guarded by one lock."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        strict_html: bool = True,
        strict_chats: bool = False,
        bot_user: JSON | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not TOKEN_RE.match(token):
            raise ValueError(f"malformed bot token {token!r}")
        self.token = token
        self.bot_user: JSON = {**BOT_USER, **(bot_user or {}), "id": int(token.split(":", 1)[0])}
        self.strict_html = strict_html
        self.strict_chats = strict_chats
        # The "date" of messages: the demo runs the bot in simulated time.
        self._clock = clock or _now
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._init_updates()
        self._init_chats()
        self._init_calls()

    def _init_updates(self) -> None:
        self._update_ids = itertools.count(100001)
        self._updates: dict[int, UpdateRecord] = {}  # every update ever created
        self._pending: dict[int, UpdateRecord] = {}  # not yet confirmed
        self._confirmed: list[int] = []
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._polls_waiting = 0
        self._termination_reason = ""
        self.get_updates_calls = 0
        self.count_409 = 0
        self.webhook: JSON = {}

    def _init_chats(self) -> None:
        self._users: dict[int, JSON] = {}
        self._chat_titles: dict[int, str] = {}
        self._known_chats: set[int] = set()
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}  # Message objects, user and bot
        self._deleted: set[tuple[int, int]] = set()
        self._sent: list[SentMessage] = []
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self.chat_actions: list[tuple[int, str, float]] = []
        self._callback_ids = itertools.count(7_000_000_000_000_001)
        self._callback_queries: dict[str, JSON] = {}
        self._callback_answers: list[CallbackAnswer] = []
        self._file_counter = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}

    def _init_calls(self) -> None:
        self._calls: list[ApiCall] = []
        self._unexpected: list[ApiCall] = []
        self._allow_unexpected: set[str] | None = set()
        self._faults: dict[str, deque[Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._network: tuple[float, float] = (0.0, 0.0)  # one way, jitter (network_delay)
        self._limits: FloodLimits | None = None
        self._send_log: deque[tuple[float, int]] = deque()
        self.count_429 = 0
        self.files_downloaded = 0  # files the bot fetched by their URL
        self.internal_errors: list[str] = []

    def _date(self) -> int:
        """A message's "date": the clock's now, in Unix seconds."""
        return int(self._clock().timestamp())

    def _push_update(self, payload: JSON) -> int:
        update_id = next(self._update_ids)
        record = UpdateRecord({"update_id": update_id, **payload})
        self._updates[update_id] = record
        self._pending[update_id] = record
        self._cond.notify_all()
        return update_id

    def _user_json(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        for key, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return dict(user)

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id > 0:
            user = self._users.get(chat_id, {"first_name": f"User {chat_id}"})
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            return chat
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return {
            "id": chat_id,
            "type": kind,
            "title": self._chat_titles.get(chat_id, f"Group {chat_id}"),
        }

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _new_user_message(
        self,
        user_id: int,
        chat_id: int | None,
        *,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        **user: Any,
    ) -> JSON:
        chat = user_id if chat_id is None else chat_id
        sender = self._user_json(user_id, **user)
        if chat < 0 and chat_title:
            self._chat_titles[chat] = chat_title
        self._known_chats.add(chat)
        message: JSON = {
            "message_id": self._new_message_id(chat),
            "from": sender,
            "chat": self._chat_json(chat),
            "date": self._date(),
        }
        if reply_to_message_id is not None:
            replied = self._messages.get((chat, reply_to_message_id))
            if replied is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat}")
            message["reply_to_message"] = without_reply(replied)
        self._messages[(chat, message["message_id"])] = message
        return message

    def _member_change(self, chat_id: int, status: str) -> JSON:
        return {
            "chat": self._chat_json(chat_id),
            "from": self._user_json(chat_id)
            if chat_id > 0
            else {"id": 1, "is_bot": False, "first_name": "Admin"},
            "date": self._date(),
            "old_chat_member": {"status": "member", "user": dict(self.bot_user)},
            "new_chat_member": {"status": status, "user": dict(self.bot_user), "until_date": 0},
        }

    def _store_file(self, filename: str | None, content: bytes, mime: str | None) -> StoredFile:
        number = next(self._file_counter)
        name = filename or "document"
        mime = mime or mimetypes.guess_type(name)[0] or "application/octet-stream"
        suffix = name.rsplit(".", 1)[1] if "." in name else ""
        path = f"documents/file_{number}" + (f".{suffix}" if suffix else "")
        stored = StoredFile(
            file_id=f"BQACAgUAAxkBAAI{number:06d}{hashlib.sha1(content).hexdigest()[:20]}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=path,
            file_name=name,
            mime_type=mime,
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    @staticmethod
    def _document_json(stored: StoredFile) -> JSON:
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }

    def _deliver_again(self, update_id: int) -> None:
        record = self._updates[update_id]
        record.min_deliveries = record.delivered + 1
        self._pending[update_id] = record

    def _drop_pending(self) -> None:
        for update_id in sorted(self._pending):
            self._confirmed.append(update_id)
        self._pending.clear()

    def _target_chat(self, method: str, params: JSON) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise bad("chat not found")
        if method in CHAT_SEND_METHODS and chat_id in self._blocked:
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if self.strict_chats and chat_id not in self._known_chats:
            raise bad("chat not found")
        return chat_id


def without_reply(message: JSON) -> JSON:
    """A copy of a message without the message it replies to (Telegram nests one level)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}
