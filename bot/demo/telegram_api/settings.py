"""The other methods the bot calls: callback answers, getFile, commands, chat actions,
chat info and the menu button."""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

from bot.demo.telegram_api.protocol import (
    CHAT_ACTIONS,
    JSON,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_COMMANDS,
    MAX_DOWNLOAD_BYTES,
    bad,
)
from bot.demo.telegram_api.records import CallbackAnswer
from bot.demo.telegram_api.state import ApiState


class SettingsApi(ApiState):
    """answerCallbackQuery, getFile, the commands, sendChatAction, getChat, the menu button."""

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(str(query_id))
        if query is None or query["answered"]:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        self._callback_answers.append(
            CallbackAnswer(
                callback_query_id=str(query_id),
                update_id=query["update_id"],
                text=text,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
                at=time.time(),
            )
        )
        return True

    def _api_getFile(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _api_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad('parameter "commands" is required')
        if len(commands) > MAX_COMMANDS:
            raise bad("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand")
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(description)) <= 256:
                raise bad(
                    "command description is empty"
                    if not description
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        key = commands_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_getMyCommands(self, params: JSON) -> list[JSON]:
        key = commands_key(params.get("scope"), params.get("language_code") or "")
        return copy.deepcopy(self._commands.get(key, []))

    def _api_deleteMyCommands(self, params: JSON) -> bool:
        self._commands.pop(
            commands_key(params.get("scope"), params.get("language_code") or ""), None
        )
        return True

    def _api_sendChatAction(self, params: JSON) -> bool:
        chat_id = self._target_chat("sendChatAction", params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action, time.time()))
        return True

    def _api_getChat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (
            chat_id not in self._known_chats and chat_id not in self._users
        ):
            raise bad("chat not found")
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_setChatMenuButton(self, params: JSON) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise bad("can't parse menu button")
        self._menu_buttons[params.get("chat_id")] = button
        return True

    def _api_getChatMenuButton(self, params: JSON) -> JSON:
        button = self._menu_buttons.get(params.get("chat_id"))
        if button is None:
            button = self._menu_buttons.get(None, {"type": "commands"})
        if button.get("type") == "default":
            button = {"type": "commands"}
        return dict(button)


def commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    """Where a command list is kept: its scope (as canonical JSON) and its language."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code
