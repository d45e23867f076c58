"""What the benches share: the bot in a child process, and watching what it sends.

The bot runs in a process of its own (as `baocao run` does in production), so the fake
Bot API server and the simulated people, in the bench's process, do not share its
interpreter lock: in one process they took turns with the bot and every reply waited for
them. A bench script serves as the child too: started with `--serve-bot CONFIG ...`, it
builds the App its own way and hands it to `serve_bot`.
"""

from __future__ import annotations

import asyncio
import bisect
import cProfile
import logging
import math
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path[1:1] = [str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]  # fakes, harness

from bot.demo.telegram_api import FakeTelegramServer, SentMessage  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from handlers.registration import create_invite  # noqa: E402
from storage import Database  # noqa: E402

REPLY_TIMEOUT = 30.0


async def prepare_database(
    config: Path, synchronous: str, unit_codes: list[str], now: datetime
) -> list[str]:
    """Create the database with the units and one invite code per unit; the codes."""
    workspace = load_workspace(config)
    db = await Database.open(workspace.settings.storage.path, synchronous=synchronous)
    try:
        async with db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            return [await create_invite(tx, code, now, 14) for code in unit_codes]
    finally:
        await db.close()


async def serve_bot(start_app: Callable[[], Awaitable[App]], profile_path: Path | None) -> None:
    """Child process: run the bot; obey 'profile on', 'profile off', 'cpu', 'stop' on stdin."""
    logging.basicConfig(level=logging.WARNING, format="bot: %(levelname)s %(name)s %(message)s")
    app = await start_app()
    profiler = cProfile.Profile() if profile_path else None
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "profile on" and profiler is not None:
                profiler.enable()
            elif line == "profile off" and profiler is not None:
                profiler.disable()
            elif line == "cpu":
                print(f"cpu {time.process_time()}", flush=True)
                continue
            elif line in ("stop", ""):
                break
            print(f"ok {line}", flush=True)
    finally:
        await app.stop()
    if profiler is not None and profile_path is not None:
        profiler.dump_stats(profile_path)
    print("stopped", flush=True)


class BotProcess:
    """The bot in a child process (`serve_bot`)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pid = proc.pid

    @classmethod
    async def start(cls, script: str, config: Path, *options: str) -> BotProcess:
        """Run `script --serve-bot CONFIG OPTIONS...`; return once the bot is ready."""
        argv = [sys.executable, script, "--serve-bot", str(config), *options]
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        running = cls(proc)
        try:
            await running.expect("ready", timeout=60)
        except BaseException:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            raise
        return running

    async def expect(self, word: str, timeout: float = 30) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if line.decode().strip() != word:
            raise RuntimeError(f"bot process said {line!r}, expected {word!r}")

    async def tell(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{command}\n".encode())
        await self.proc.stdin.drain()
        await self.expect(f"ok {command}")

    async def cpu_seconds(self) -> float:
        """CPU time the bot process has used so far (every thread, user and system)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"cpu\n")
        await self.proc.stdin.drain()
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 30)).decode().split()
        if len(line) != 2 or line[0] != "cpu":
            raise RuntimeError(f"bot process said {line!r}, expected its CPU time")
        return float(line[1])

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"stop\n")
        await self.proc.stdin.drain()
        await self.expect("stopped", timeout=60)
        await self.proc.wait()


class Replies:
    """What the bot sent, per chat, as soon as the fake server records it.

    One thread waits on the fake server's condition (notified on every API call) and hands
    new messages to the event loop: no per-person polling, and no deep copies of every sent
    message (`sent_to`/`wait_for_messages` copy them all, which at this scale would cost
    more than the bot). Relies on the fake's `_cond` and `_sent`.
    """

    def __init__(self, fake: FakeTelegramServer, loop: asyncio.AbstractEventLoop) -> None:
        self._fake = fake
        self._loop = loop
        self.by_chat: dict[int, list[SentMessage]] = defaultdict(list)
        self._waiting: dict[int, tuple[int, asyncio.Future[None]]] = {}
        self._stopping = False
        self._thread = threading.Thread(target=self._watch, name="replies", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        cond, sent, seen = self._fake._cond, self._fake._sent, 0
        while True:
            with cond:
                while len(sent) == seen and not self._stopping:
                    cond.wait(0.5)
                if self._stopping:
                    return
                new, seen = sent[seen:], len(sent)
            self._loop.call_soon_threadsafe(self._arrived, new)

    def _arrived(self, messages: list[SentMessage]) -> None:
        for message in messages:
            got = self.by_chat[message.chat_id]
            got.append(message)
            waiting = self._waiting.get(message.chat_id)
            if waiting and len(got) >= waiting[0] and not waiting[1].done():
                waiting[1].set_result(None)

    async def wait(self, chat_id: int, count: int, timeout: float = REPLY_TIMEOUT) -> SentMessage:
        """The `count`-th message to the chat, once it was sent."""
        got = self.by_chat[chat_id]
        if len(got) < count:
            future = self._loop.create_future()
            self._waiting[chat_id] = (count, future)
            try:
                await asyncio.wait_for(future, timeout)
            finally:
                del self._waiting[chat_id]
        return got[count - 1]

    def stop(self) -> None:
        self._stopping = True
        with self._fake._cond:
            self._fake._cond.notify_all()
        self._thread.join(timeout=5)


def picked_up_at(fake: FakeTelegramServer, written: list[float]) -> list[float]:
    """When each update (written at these time.time() moments) left the fake server: the
    first successful getUpdates returning after it (a call is logged as it returns); NaN if
    none did."""
    returns = sorted(c.at for c in fake.calls("getUpdates") if c.status == 200)
    found = [bisect.bisect_right(returns, at) for at in written]
    return [returns[i] if i < len(returns) else float("nan") for i in found]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(p / 100 * len(sorted_values))))
    return sorted_values[rank - 1]
