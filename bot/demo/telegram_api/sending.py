"""Sending: sendMessage and sendDocument, with Telegram's checks of text, markup, replies
and flood limits, and the record of every message the bot sent."""

from __future__ import annotations

import copy
import math
import re
import time
from typing import Any

from bot.demo.telegram_api.entities import EntityParseError, parse_html, trim, utf16_len
from bot.demo.telegram_api.markdown import parse_markdown, parse_markdown_v2
from bot.demo.telegram_api.protocol import (
    INLINE_BUTTON_ACTIONS,
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_INLINE_BUTTONS,
    MAX_TEXT_LENGTH,
    RATE_LIMITED_METHODS,
    ApiError,
    bad,
)
from bot.demo.telegram_api.records import SentMessage, UploadedFile, buttons_of, loggable
from bot.demo.telegram_api.state import ApiState, without_reply


class SendingApi(ApiState):
    """The Bot API methods that send messages, and the checks editing shares."""

    def _format(self, text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        if isinstance(entities, list):
            return text, entities
        mode = (parse_mode or "").lower()
        try:
            if mode == "":
                return trim(text, [])
            if mode == "html":
                return parse_html(text, strict=self.strict_html)
            if mode == "markdownv2":
                return parse_markdown_v2(text)
            if mode == "markdown":
                return parse_markdown(text)
        except EntityParseError as error:
            raise bad(f"can't parse entities: {error}") from None
        raise bad("unsupported parse_mode")

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
            if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
                raise bad("BUTTONS_TOO_MUCH")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return markup
        if inline_only:
            raise bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad("can't parse reply keyboard markup JSON object")

    def _reply_to(self, chat_id: int, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = reply.get("allow_sending_without_reply", False)
        else:
            message_id = params.get("reply_to_message_id")
            allow = params.get("allow_sending_without_reply", False)
        if message_id is None:
            return None
        key = (chat_id, int(message_id))
        if key not in self._messages or key in self._deleted:
            if allow:
                return None
            raise bad("message to be replied not found")
        return int(message_id)

    def _check_rate_limit(self, chat_id: int) -> None:
        limits = self._limits
        if limits is None:
            return
        now = time.monotonic()
        while self._send_log and now - self._send_log[0][0] > 60:
            self._send_log.popleft()
        checks = [
            ([t for t, _ in self._send_log if now - t < 1], limits.global_per_sec, 1.0),
            (
                [t for t, c in self._send_log if c == chat_id and now - t < 1],
                limits.per_chat_per_sec,
                1.0,
            ),
        ]
        if chat_id < 0:
            recent = [t for t, c in self._send_log if c == chat_id]
            checks.append((recent, limits.group_per_min, 60.0))
        for times, limit, window in checks:
            if len(times) >= limit:
                retry_after = max(1, math.ceil(times[0] + window - now))
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )

    def _record_send(self, chat_id: int) -> None:
        self._send_log.append((time.monotonic(), chat_id))

    def _bot_message(
        self,
        method: str,
        chat_id: int,
        params: JSON,
        *,
        reply_to: int | None,
        markup: JSON | None,
        body: JSON,
        sent: JSON,
    ) -> JSON:
        """Store a message sent by the bot and return its Message JSON."""
        message: JSON = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat_json(chat_id),
            "date": self._date(),
            **body,
        }
        if reply_to is not None:
            message["reply_to_message"] = without_reply(self._messages[(chat_id, reply_to)])
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        key = (chat_id, message["message_id"])
        self._messages[key] = message
        record = SentMessage(
            chat_id=chat_id,
            message_id=message["message_id"],
            method=method,
            reply_markup=markup,
            buttons=buttons_of(markup),
            date=message["date"],
            sent_at=time.time(),
            reply_to_message_id=reply_to,
            params=loggable(params),
            **sent,
        )
        self._sent.append(record)
        self._sent_index[key] = record
        if method in RATE_LIMITED_METHODS:
            self._record_send(chat_id)
        return copy.deepcopy(message)

    def _api_sendMessage(self, params: JSON) -> JSON:
        chat_id = self._target_chat("sendMessage", params)
        text = params.get("text")
        if not text:
            raise bad("message text is empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise bad("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat_id, params)
        self._check_rate_limit(chat_id)
        body: JSON = {"text": plain}
        if entities:
            body["entities"] = entities
        sent = {
            "text": text,
            "parse_mode": params.get("parse_mode"),
            "plain_text": plain,
            "entities": entities,
        }
        return self._bot_message(
            "sendMessage", chat_id, params, reply_to=reply_to, markup=markup, body=body, sent=sent
        )

    def _api_sendDocument(self, params: JSON) -> JSON:
        chat_id = self._target_chat("sendDocument", params)
        document = params.get("document")
        if document is None or document == "":
            raise bad("there is no document in the request")
        if isinstance(document, UploadedFile):
            if not document.content:
                raise bad("file must be non-empty")
            stored = self._store_file(document.filename, document.content, document.content_type)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and re.match(r"https?://", document):
            raise bad("failed to get HTTP URL content")
        else:
            raise bad("wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        plain, entities = "", list[JSON]()
        if caption:
            plain, entities = self._format(
                caption, params.get("parse_mode"), params.get("caption_entities")
            )
            if utf16_len(plain) > MAX_CAPTION_LENGTH:
                raise bad("message caption is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat_id, params)
        self._check_rate_limit(chat_id)
        body: JSON = {"document": self._document_json(stored)}
        if plain:
            body["caption"] = plain
            if entities:
                body["caption_entities"] = entities
        sent = {
            "text": None,
            "parse_mode": params.get("parse_mode"),
            "plain_text": plain or None,
            "entities": entities,
            "caption": caption,
            "document_name": stored.file_name,
            "document_bytes": stored.content,
            "document_mime": stored.mime_type,
            "file_id": stored.file_id,
        }
        return self._bot_message(
            "sendDocument", chat_id, params, reply_to=reply_to, markup=markup, body=body, sent=sent
        )


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad("can't parse inline keyboard button: Text must be a String")
    actions = INLINE_BUTTON_ACTIONS & button.keys()
    if not actions:
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise bad(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")
