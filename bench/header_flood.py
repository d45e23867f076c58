"""Header floods and slow clients against the bot's HTTP server: what they cost in memory.

The server (bot/runtime/webhook.py, its default limits, one webhook route) runs in a child
process; this process attacks it over raw sockets from 127.0.0.1, in two phases:

1. flood: connections stream unique header lines ("X-<n>: vvv...") as fast as the sockets
   take them, reconnecting whenever the server cuts one, until 200 MB were offered in all
   (8 connections at a time). Before the limits, one such connection took RSS from 88 MB
   to 1.5 GB in 6 s.
2. slow: 500 connections each send a request line and one header byte every second, for
   `--slow-seconds`, holding their connection as long as the server lets them.

Prints the child's RSS before, its peak (VmHWM) and RSS after each phase, the bytes sent,
how many connections were cut, and a check that a webhook still answers afterwards.

    .venv/bin/python bench/header_flood.py [--megabytes 200] [--slow-seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime.webhook import Limits, WebhookRoute, WebhookServer  # noqa: E402

SECRET = "bench-secret-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def serve(read_seconds: float) -> None:
    """The child: the server, its port on stdout, until stdin closes."""

    async def accept(update: dict[str, object]) -> None:
        return None

    route = WebhookRoute("/telegram", HEADER, SECRET, accept)
    server = WebhookServer("127.0.0.1", 0, [route], limits=Limits(read_seconds=read_seconds))
    await server.start()
    print(server.port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.stop()


def memory(pid: int) -> dict[str, float]:
    """The child's VmRSS and VmHWM (peak), in MB."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) / 1024
    return figures


async def flood_one(port: int, budget: list[int], counter: list[int]) -> None:
    """Stream header lines on one connection after another until the budget is spent."""
    number = 0
    while budget[0] > 0:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
        try:
            while budget[0] > 0:
                lines = b"".join(b"X-%d: %s\r\n" % (number + i, b"v" * 200) for i in range(500))
                number += 500
                writer.write(lines)
                await writer.drain()
                budget[0] -= len(lines)
        except ConnectionError:
            counter[0] += 1
        writer.close()


async def slow_one(port: int, seconds: float, cut: list[int]) -> None:
    """A request line, then a header byte a second: held until the server lets go."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /telegram HTTP/1.1\r\nX-Slow: ")
    try:
        for _ in range(int(seconds)):
            await asyncio.sleep(1)
            writer.write(b"v")
            await writer.drain()
    except ConnectionError:
        cut[0] += 1
    writer.close()


async def still_answers(port: int) -> int:
    """The status of a well-formed webhook POST."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"update_id": 1}).encode()
    head = (
        f"POST /telegram HTTP/1.1\r\nHost: x\r\n{HEADER}: {SECRET}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    answer = await reader.read()
    writer.close()
    return int(answer.split(b" ")[1])


async def attack(port: int, pid: int, megabytes: int, slow_seconds: float) -> None:
    """Both phases, with the figures."""
    before = memory(pid)
    print(f"child RSS at start: {before['VmRSS']:.1f} MB")
    budget, cut = [megabytes * 1024 * 1024], [0]
    started = time.monotonic()
    await asyncio.gather(*(flood_one(port, budget, cut) for _ in range(8)))
    after = memory(pid)
    print(
        f"flood: {megabytes} MB of header lines offered in {time.monotonic() - started:.1f} s, "
        f"{cut[0]} connections cut; peak RSS {after['VmHWM']:.1f} MB "
        f"(growth {after['VmHWM'] - before['VmRSS']:.1f} MB), RSS after {after['VmRSS']:.1f} MB"
    )
    slow_cut = [0]
    started = time.monotonic()
    await asyncio.gather(*(slow_one(port, slow_seconds, slow_cut) for _ in range(500)))
    late = memory(pid)
    print(
        f"slow: 500 connections for up to {slow_seconds:.0f} s, {slow_cut[0]} let go by the "
        f"server in {time.monotonic() - started:.1f} s; peak RSS {late['VmHWM']:.1f} MB, "
        f"RSS after {late['VmRSS']:.1f} MB"
    )
    print(f"a webhook afterwards: {await still_answers(port)}")


def main() -> None:
    """Parse the options; be the child or the attacker."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    parser.add_argument("--read-seconds", type=float, default=3.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve(options.read_seconds))
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--read-seconds", str(options.read_seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        asyncio.run(attack(port, child.pid, options.megabytes, options.slow_seconds))
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)


if __name__ == "__main__":
    main()
