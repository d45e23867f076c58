"""The bot's HTTP server (webhooks, download links) on a public port: a client that never
finishes its request is answered 408 and let go, instead of holding a connection for ever."""

from __future__ import annotations

import asyncio

from bot.runtime.webhook import WebhookServer


async def test_a_request_never_finished_is_answered_408_and_closed() -> None:
    server = WebhookServer("127.0.0.1", 0, [], read_seconds=0.2)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /files/x HTTP/1.1\r\n")  # and then nothing more
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
    finally:
        await server.stop()
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")


async def test_a_complete_request_is_still_answered() -> None:
    server = WebhookServer("127.0.0.1", 0, [], read_seconds=0.2)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
    finally:
        await server.stop()
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n")
