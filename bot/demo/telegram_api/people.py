"""The people of a test or of the demo: users who write, send files and press buttons."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from bot.demo.telegram_api.entities import utf16_len
from bot.demo.telegram_api.protocol import COMMAND_RE
from bot.demo.telegram_api.state import ApiState


class People(ApiState):
    """What users do; each action becomes an update for the bot and returns its update_id."""

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str = "vi",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user writes ``text`` (private chat unless ``chat_id`` is a group); -> update_id.

        Like Telegram, ``/command`` tokens get ``bot_command`` entities.
        """
        with self._cond:
            message = self._new_user_message(
                user_id,
                chat_id,
                first_name=first_name,
                username=username,
                last_name=last_name,
                language_code=language_code,
                chat_title=chat_title,
                reply_to_message_id=reply_to_message_id,
            )
            message["text"] = text
            entities = [
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                }
                for m in COMMAND_RE.finditer(text)
            ]
            if entities:
                message["entities"] = entities
            return self._push_update({"message": message})

    def user_sends_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        chat_id: int | None = None,
        *,
        mention_bot: bool = False,
        **user: Any,
    ) -> int:
        """A user sends ``/command args`` (``/command@bot`` with ``mention_bot``); -> update_id."""
        command = command.lstrip("/")
        text = f"/{command}" + (f"@{self.bot_user['username']}" if mention_bot else "")
        if args:
            text += f" {args}"
        return self.user_sends_text(user_id, text, chat_id, **user)

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        chat_id: int | None = None,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        **user: Any,
    ) -> int:
        """A user uploads a file; the bot can fetch it with getFile + the file URL."""
        with self._cond:
            message = self._new_user_message(user_id, chat_id, **user)
            stored = self._store_file(filename, content, mime_type)
            message["document"] = self._document_json(stored)
            if caption is not None:
                message["caption"] = caption
            return self._push_update({"message": message})

    def user_presses_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
        *,
        check_button: bool = True,
        **user: Any,
    ) -> int:
        """A user presses an inline button of a message the bot sent; -> update_id.

        Raises LookupError if the message does not exist or (``check_button``) has no button
        with that callback_data -- a user could not press it.
        """
        with self._cond:
            chat = user_id if chat_id is None else chat_id
            key = (chat, message_id)
            message = self._messages.get(key)
            if message is None or key in self._deleted or key not in self._sent_index:
                raise LookupError(f"the bot has no message {message_id} in chat {chat}")
            buttons = self._sent_index[key].buttons
            if check_button and not any(
                data == callback_data for row in buttons for _, data in row
            ):
                raise LookupError(
                    f"message {message_id} in chat {chat} has no button with callback_data "
                    f"{callback_data!r}; buttons: {buttons!r}"
                )
            query_id = str(next(self._callback_ids))
            digest = hashlib.sha1(f"{chat}".encode()).hexdigest()
            query = {
                "id": query_id,
                "from": self._user_json(user_id, **user),
                "message": copy.deepcopy(message),
                "chat_instance": str(int(digest[:15], 16)),
                "data": callback_data,
            }
            update_id = self._push_update({"callback_query": query})
            self._callback_queries[query_id] = {"update_id": update_id, "answered": False}
            return update_id

    def user_presses_button_with_text(
        self, user_id: int, label: str, chat_id: int | None = None, **user: Any
    ) -> int:
        """Press the callback button labelled ``label`` on the newest bot message showing it."""
        chat = user_id if chat_id is None else chat_id
        with self._cond:
            for sent in reversed(self._sent):
                if sent.chat_id == chat and not sent.deleted:
                    for row in sent.buttons:
                        for text, data in row:
                            if text == label and data is not None:
                                return self.user_presses_button(
                                    user_id, sent.message_id, data, chat_id, **user
                                )
        raise LookupError(f"no bot message in chat {chat} has a button {label!r}")

    def register_chat(self, chat_id: int, *, first_name: str | None = None) -> None:
        """Declare that a chat exists for the bot (matters with ``strict_chats``)."""
        with self._cond:
            self._known_chats.add(chat_id)
            if chat_id > 0 and chat_id not in self._users:
                self._users[chat_id] = {
                    "id": chat_id,
                    "is_bot": False,
                    "first_name": first_name or f"User {chat_id}",
                }
