"""PTB's Bot over AiohttpRequest: PTB's wire format, its errors for transport failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.aiohttp_request import AiohttpRequest
from tests.support.ports import free_port

TOKEN = "123456:ABCdefGhIJKlmNoPQRsTUVwxyZ"
ME = {"id": 123456, "is_bot": True, "first_name": "Báo cáo", "username": "baocao_bot"}


@dataclass
class Server:
    """A tiny Bot API on 127.0.0.1: answers by method, records what it received."""

    base_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()

    async def handle(request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        seen: dict[str, Any] = {
            "method": method,
            "content_type": request.content_type,
            "host": request.host,
        }
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                assert isinstance(part, BodyPartReader)
                seen[part.name or ""] = (part.filename, bytes(await part.read()))
        else:
            seen.update(await request.post())
        state.received.append(seen)
        answer = state.answers.get(method, {"ok": True, "result": True})
        if answer == "hang":
            await asyncio.sleep(1.5)  # longer than the read timeout below
        if answer == "drop":
            assert request.transport is not None
            request.transport.close()  # hang up without answering
            return web.Response()
        status = 200 if answer.get("ok") else answer["error_code"]
        return web.json_response(answer, status=status)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    state.base_url = f"http://127.0.0.1:{port}/bot"
    state.answers["getMe"] = {"ok": True, "result": ME}
    try:
        yield state
    finally:
        await runner.cleanup()


def _bot(base_url: str, **timeouts: float) -> Bot:
    request = AiohttpRequest(connection_pool_size=4, **timeouts)
    return Bot(TOKEN, base_url=base_url, request=request, get_updates_request=request)


async def test_a_message_goes_as_ptb_form_fields_and_its_result_comes_back(server: Server) -> None:
    server.answers["sendMessage"] = {"ok": True, "result": {"message_id": 7}}
    async with _bot(server.base_url) as bot:
        markup = {"inline_keyboard": [[{"text": "◀ Quay lại", "callback_data": "b:1"}]]}
        params = {"chat_id": 42, "text": "Đã ghi: 1.924.862 lượt", "reply_markup": markup}
        result = await bot._post("sendMessage", params)
    assert result == {"message_id": 7}
    sent = server.received[-1]
    assert sent["content_type"] == "application/x-www-form-urlencoded"
    assert (sent["chat_id"], sent["text"]) == ("42", "Đã ghi: 1.924.862 lượt")
    assert json.loads(sent["reply_markup"]) == markup


async def test_a_document_goes_as_multipart_with_its_name(server: Server) -> None:
    document = {"message_id": 8, "date": 0, "chat": {"id": 42, "type": "private"}}
    server.answers["sendDocument"] = {"ok": True, "result": document}
    async with _bot(server.base_url) as bot:
        name = 'Báo cáo "tháng" 02-2022.docx'
        await bot.send_document(42, b"PK-docx", filename=name, caption="Dự thảo")
    sent = server.received[-1]
    assert sent["content_type"] == "multipart/form-data"
    assert sent["document"] == (name, b"PK-docx")
    assert sent["caption"] == (None, "Dự thảo".encode())


# PTB's own RetryAfter constructor reads its deprecated retry_after (PTB 22.2+).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_api_errors_are_ptbs_own(server: Server) -> None:
    server.answers["sendMessage"] = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    server.answers["sendChatAction"] = {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    async with _bot(server.base_url) as bot:
        with pytest.raises(RetryAfter):
            await bot._post("sendMessage", {"chat_id": 1, "text": "x"})
        with pytest.raises(Forbidden):
            await bot._post("sendChatAction", {"chat_id": 1, "action": "typing"})


@pytest.mark.slow
async def test_a_server_that_does_not_answer_in_time_is_a_timeout(server: Server) -> None:
    server.answers["sendMessage"] = "hang"
    async with _bot(server.base_url, read_timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot._post("sendMessage", {"chat_id": 1, "text": "x"})
        # A longer read timeout given by the call (getUpdates' long poll) is used instead.
        server.answers["getUpdates"] = {"ok": True, "result": []}
        assert await bot._post("getUpdates", {"timeout": 0}, read_timeout=5) == []


async def test_a_refused_connection_or_a_hang_up_is_a_network_error(server: Server) -> None:
    server.answers["sendMessage"] = "drop"
    async with _bot(server.base_url) as bot:
        with pytest.raises(NetworkError) as hang_up:
            await bot._post("sendMessage", {"chat_id": 1, "text": "x"})
    assert not isinstance(hang_up.value, TimedOut)  # the outcome is not "maybe sent"
    bot = _bot(f"http://127.0.0.1:{free_port()}/bot")
    with pytest.raises(NetworkError) as refused:
        await bot.initialize()
    await bot.request.shutdown()  # Bot.shutdown skips a bot whose start failed
    assert not isinstance(refused.value, TimedOut)
    assert "ClientConnectorError" in str(refused.value)


async def test_shutdown_closes_the_session_and_it_can_start_again(server: Server) -> None:
    request = AiohttpRequest(connection_pool_size=2)
    bot = Bot(TOKEN, base_url=server.base_url, request=request, get_updates_request=request)
    await request.initialize()
    await request.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):
        await bot._post("getMe")
    async with bot:
        assert bot.username == "baocao_bot"


async def test_the_proxy_named_by_the_environment_is_used_unless_no_proxy_exempts(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    # The test server plays the proxy: a port nobody listens on is reached only through it.
    monkeypatch.setenv("HTTP_PROXY", server.base_url.removesuffix("/bot"))
    nowhere = f"localhost:{free_port()}"
    async with _bot(f"http://{nowhere}/bot") as bot:
        assert bot.username == "baocao_bot"
    assert server.received[-1]["host"] == "localhost"  # the proxy was asked for that host
    monkeypatch.setenv("NO_PROXY", "localhost")
    bot = _bot(f"http://{nowhere}/bot")
    with pytest.raises(NetworkError, match="ClientConnectorError"):  # went direct: refused
        await bot.initialize()
    await bot.request.shutdown()
