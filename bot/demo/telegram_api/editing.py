"""Changing what was sent: editMessageText, editMessageReplyMarkup and deleteMessage."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.demo.telegram_api.entities import utf16_len
from bot.demo.telegram_api.protocol import JSON, MAX_TEXT_LENGTH, NOT_MODIFIED, bad
from bot.demo.telegram_api.records import buttons_of
from bot.demo.telegram_api.sending import SendingApi


class EditingApi(SendingApi):
    """The Bot API methods that edit or delete the bot's messages."""

    def _editable(self, method: str, params: JSON) -> tuple[tuple[int, int], JSON]:
        if params.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")
        chat_id = self._target_chat(method, params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        key = (chat_id, int(message_id))
        message = self._messages.get(key)
        if message is None or key in self._deleted:
            raise bad("message to edit not found")
        if key not in self._sent_index:
            raise bad("message can't be edited")
        return key, message

    def _api_editMessageText(self, params: JSON) -> JSON:
        key, message = self._editable("editMessageText", params)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text = params.get("text")
        if not text:
            raise bad("text must be non-empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise bad("text must be non-empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        # Without reply_markup, Telegram removes the inline keyboard.
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        message["text"] = plain
        set_or_pop(message, "entities", entities or None)
        set_or_pop(message, "reply_markup", markup)
        message["edit_date"] = self._date()
        record = self._sent_index[key]
        record.edit_history.append(record.text)
        record.text, record.parse_mode = text, params.get("parse_mode")
        record.plain_text, record.entities = plain, entities
        record.reply_markup, record.buttons = markup, buttons_of(markup)
        record.edited_at = time.time()
        return copy.deepcopy(message)

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        key, message = self._editable("editMessageReplyMarkup", params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        set_or_pop(message, "reply_markup", markup)
        message["edit_date"] = self._date()
        record = self._sent_index[key]
        record.edit_history.append(record.text)
        record.reply_markup, record.buttons = markup, buttons_of(markup)
        record.edited_at = time.time()
        return copy.deepcopy(message)

    def _api_deleteMessage(self, params: JSON) -> bool:
        chat_id = self._target_chat("deleteMessage", params)
        key = (chat_id, int(params.get("message_id") or 0))
        if key not in self._messages or key in self._deleted:
            raise bad("message to delete not found")
        self._deleted.add(key)
        if key in self._sent_index:
            self._sent_index[key].deleted = True
        return True


def set_or_pop(message: JSON, key: str, value: Any) -> None:
    """Set a field of a Message, or remove it when the value is None."""
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value
