"""A Bot API call's parameters: from the query string and a JSON, form or multipart body,
converted to Python values by the kinds each method declares."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.demo.telegram_api.protocol import JSON, bad
from bot.demo.telegram_api.records import UploadedFile


def decode_params(query: str, headers: Any, body: bytes) -> tuple[JSON, dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSON = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    content_type, type_params = _split_header_params(headers.get("Content-Type", ""))
    if not body:
        return params, files
    if content_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            raise bad("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise bad("JSON request body must be an object")
        params.update(data)
    elif content_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif content_type == "multipart/form-data" and type_params.get("boundary"):
        fields, files = _parse_multipart(body, type_params["boundary"])
        params.update(fields)
    return params, files


def _split_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="x"; filename="y"`` -> ("form-data", {...})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in re.finditer(r'\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*;?', rest):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):  # RFC 2231/5987: utf-8''percent-encoded
            key = key[:-1]
            _, _, raw = raw.partition("''")
            raw = unquote(raw)
        elif key == "filename":
            raw = raw.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
        params.setdefault(key, raw)
    return main.strip().lower(), params


def _parse_multipart(body: bytes, boundary: str) -> tuple[JSON, dict[str, UploadedFile]]:
    """Decode a multipart/form-data body into (text fields, file parts)."""
    fields: JSON = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for chunk in (b"\r\n" + body).split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n")
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        _, disposition = _split_header_params(headers.get("content-disposition", ""))
        part = disposition.get("name")
        if not part:
            continue
        if "filename" in disposition:
            files[part] = UploadedFile(
                disposition["filename"], content, headers.get("content-type")
            )
        else:
            fields[part] = content.decode("utf-8", "replace")
    return fields, files


# Parameter kinds per method: "int", "num", "bool", "str", "json", "chat", "file".
PARAMS: dict[str, dict[str, str]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {"offset": "int", "limit": "int", "timeout": "num", "allowed_updates": "json"},
    "setWebhook": {
        "url": "str",
        "certificate": "file",
        "ip_address": "str",
        "max_connections": "int",
        "allowed_updates": "json",
        "drop_pending_updates": "bool",
        "secret_token": "str",
    },
    "deleteWebhook": {"drop_pending_updates": "bool"},
    "getWebhookInfo": {},
    "sendMessage": {
        "chat_id": "chat",
        "message_thread_id": "int",
        "text": "str",
        "parse_mode": "str",
        "entities": "json",
        "link_preview_options": "json",
        "disable_web_page_preview": "bool",
        "disable_notification": "bool",
        "protect_content": "bool",
        "reply_parameters": "json",
        "reply_to_message_id": "int",
        "allow_sending_without_reply": "bool",
        "reply_markup": "json",
    },
    "editMessageText": {
        "chat_id": "chat",
        "message_id": "int",
        "inline_message_id": "str",
        "text": "str",
        "parse_mode": "str",
        "entities": "json",
        "link_preview_options": "json",
        "disable_web_page_preview": "bool",
        "reply_markup": "json",
    },
    "editMessageReplyMarkup": {
        "chat_id": "chat",
        "message_id": "int",
        "inline_message_id": "str",
        "reply_markup": "json",
    },
    "answerCallbackQuery": {
        "callback_query_id": "str",
        "text": "str",
        "show_alert": "bool",
        "url": "str",
        "cache_time": "int",
    },
    "sendDocument": {
        "chat_id": "chat",
        "message_thread_id": "int",
        "document": "file",
        "thumbnail": "file",
        "caption": "str",
        "parse_mode": "str",
        "caption_entities": "json",
        "disable_content_type_detection": "bool",
        "disable_notification": "bool",
        "protect_content": "bool",
        "reply_parameters": "json",
        "reply_to_message_id": "int",
        "allow_sending_without_reply": "bool",
        "reply_markup": "json",
    },
    "getFile": {"file_id": "str"},
    "setMyCommands": {"commands": "json", "scope": "json", "language_code": "str"},
    "getMyCommands": {"scope": "json", "language_code": "str"},
    "deleteMyCommands": {"scope": "json", "language_code": "str"},
    "deleteMessage": {"chat_id": "chat", "message_id": "int"},
    "sendChatAction": {"chat_id": "chat", "action": "str", "message_thread_id": "int"},
    "getChat": {"chat_id": "chat"},
    "setChatMenuButton": {"chat_id": "int", "menu_button": "json"},
    "getChatMenuButton": {"chat_id": "int"},
}
METHODS_BY_LOWER = {name.lower(): name for name in PARAMS}


def coerce(method: str, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    """Convert raw parameters (strings from forms, typed values from JSON) to Python values."""
    kinds = PARAMS[method]
    result: JSON = {}
    for name, value in params.items():
        kind = kinds.get(name)
        if kind is None:
            result[name] = value  # unknown parameters are ignored by Telegram; keep for tests
        elif kind == "file":
            result[name] = _attached(value, files)
        else:
            result[name] = _coerce_value(name, value, kind)
    for name, upload in files.items():
        if kinds.get(name) == "file" and name not in result:
            result[name] = upload
    return result


def _attached(value: Any, files: dict[str, UploadedFile]) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value[len("attach://") :])
        if upload is None:
            raise bad(f"file {value} not found in the request")
        return upload
    return value


def _coerce_value(name: str, value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "str":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad("can't parse reply keyboard markup JSON object") from None
                raise bad(f"can't parse {name} JSON object") from None
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0", ""):
            return False
        raise bad(f"invalid {name} specified")
    if kind == "num":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad(f"invalid {name} specified") from None
    # int / chat
    if isinstance(value, bool):
        raise bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "chat":
        if text.startswith("@") or text == "":
            return text
        raise bad("chat not found")
    raise bad(f"invalid {name} specified")


def canonical(method: str) -> str:
    """A method's proper spelling (Telegram's names are case-insensitive); "*" stays."""
    return "*" if method == "*" else METHODS_BY_LOWER.get(method.lower(), method)
