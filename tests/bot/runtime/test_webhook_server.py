"""The bot's HTTP server (webhooks, download links, /healthz) on a public port: HTTP as the
RFC says (query strings, HEAD, chunked bodies), and every request bounded: a client that
never finishes its request is let go, a flood of header lines is cut early."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.runtime.downloads import Downloads
from bot.runtime.webhook import Limits, TryLater, WebhookRoute, WebhookServer
from handlers.events import Document
from tests.support.clock import START, FakeClock

SECRET = "hook-secret-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Stored:
    """What the route was given, and whether the store is full."""

    def __init__(self) -> None:
        self.updates: list[dict[str, object]] = []
        self.full = False

    async def accept(self, update: dict[str, object]) -> None:
        if self.full:
            raise TryLater("database full")
        self.updates.append(update)


@pytest.fixture
def stored() -> Stored:
    return Stored()


@pytest.fixture
async def server(stored: Stored, tmp_path: Path) -> AsyncIterator[WebhookServer]:
    clock = FakeClock(START)
    downloads = Downloads(tmp_path / "files", "https://bot.example.vn", "d" * 32, 7, clock)
    reasons: list[str] = []

    async def health() -> list[str]:
        return reasons

    route = WebhookRoute("/telegram", HEADER, SECRET, stored.accept)
    limits = Limits(read_seconds=0.3, body_bytes=4096)
    running = WebhookServer("127.0.0.1", 0, [route], downloads, limits, health)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _raw(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout=5)
    finally:
        writer.close()


async def test_a_request_never_finished_is_closed_after_the_read_time(
    server: WebhookServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /files/x HTTP/1.1\r\n")  # and then nothing more
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=5)  # let go, not held for ever
    writer.close()
    assert answer in (b"", b"HTTP/1.1 408 Request Timeout") or answer.startswith(b"HTTP/1.1 408")


async def test_a_complete_request_is_still_answered(server: WebhookServer) -> None:
    answer = await _raw(server.port, b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"\r\nServer:" not in answer  # no software versions on a public port


async def test_a_flood_of_header_lines_is_cut_after_the_limit(server: WebhookServer) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
    sent, number = 0, 0
    try:
        while sent < 200 * 1024 * 1024:
            lines = b"".join(b"X-%d: %s\r\n" % (number + i, b"v" * 100) for i in range(1000))
            number += 1000
            writer.write(lines)
            await writer.drain()
            sent += len(lines)
    except ConnectionError:
        pass
    writer.close()
    # Cut after 64 lines: what was sent is what the sockets' buffers took meanwhile.
    assert sent < 20 * 1024 * 1024
    assert number < 200_000


async def test_a_request_line_past_the_limit_is_refused(server: WebhookServer) -> None:
    target = b"/telegram?" + b"x" * 10_000
    answer = await _raw(server.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.split(b" ")[1] == b"400"


async def _post(
    server: WebhookServer, path: str, data: bytes | AsyncIterator[bytes], secret: str = SECRET
) -> int:
    url = f"http://127.0.0.1:{server.port}{path}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers={HEADER: secret}) as response,
    ):
        return response.status


async def test_a_query_string_is_not_part_of_the_path(
    server: WebhookServer, stored: Stored
) -> None:
    assert await _post(server, "/telegram?x=1", b'{"update_id": 1}') == 200
    assert stored.updates == [{"update_id": 1}]


async def test_a_chunked_body_is_read(server: WebhookServer, stored: Stored) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"update_id":'
        yield b" 2}"

    assert await _post(server, "/telegram", chunks()) == 200
    assert stored.updates == [{"update_id": 2}]


async def test_a_chunked_body_past_the_limit_is_refused(server: WebhookServer) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    assert await _post(server, "/telegram", chunks()) == 413
    assert await _post(server, "/telegram", b" " * 5000) == 413


async def test_a_wrong_or_missing_secret_is_refused(server: WebhookServer, stored: Stored) -> None:
    assert await _post(server, "/telegram", b'{"update_id": 1}', secret="wrong") == 403
    assert await _post(server, "/telegram", b'{"update_id": 1}', secret="") == 403
    assert stored.updates == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe", b'"x"'])
async def test_a_body_that_is_not_an_update_is_400(server: WebhookServer, body: bytes) -> None:
    assert await _post(server, "/telegram", body) == 400


async def test_a_full_database_answers_503(server: WebhookServer, stored: Stored) -> None:
    stored.full = True
    assert await _post(server, "/telegram", b'{"update_id": 1}') == 503


async def test_other_methods_on_a_webhook_are_405(server: WebhookServer) -> None:
    async with aiohttp.ClientSession() as session:
        for method in ("GET", "HEAD", "PUT"):
            url = f"http://127.0.0.1:{server.port}/telegram"
            async with session.request(method, url) as response:
                assert response.status == 405


async def test_healthz_says_ok_or_degraded_with_the_reasons(server: WebhookServer) -> None:
    url = f"http://127.0.0.1:{server.port}/healthz"
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert (response.status, await response.json()) == (
                200,
                {"status": "ok", "reasons": []},
            )
        assert server.health is not None
        (await server.health()).append("disk full")
        async with session.get(url) as response:
            assert response.status == 503
            assert json.loads(await response.text()) == {
                "status": "degraded",
                "reasons": ["disk full"],
            }
        async with session.head(url) as response:
            assert response.status == 503 and await response.read() == b""


async def test_a_download_keeps_its_vietnamese_name_and_answers_head(
    server: WebhookServer,
) -> None:
    assert server.downloads is not None
    link, _ = server.downloads.publish(Document("Báo cáo tháng 11.docx", b"PK-docx"))
    local = link.replace("https://bot.example.vn", f"http://127.0.0.1:{server.port}")
    async with aiohttp.ClientSession() as session:
        async with session.get(local) as response:
            assert (response.status, await response.read()) == (200, b"PK-docx")
            disposition = response.headers["Content-Disposition"]
        async with session.head(local) as response:
            assert response.status == 200 and await response.read() == b""
        async with session.get(local.replace("&s=", "&s=0")) as response:
            assert response.status == 403
    assert disposition.endswith("filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%C3%A1ng%2011.docx")
