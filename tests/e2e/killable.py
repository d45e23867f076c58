"""The real `baocao run` process, forked per start by tests/e2e/zygote.py, to SIGKILL and
restart (shared by the crash tests: test_crash.py, test_crash_shift.py through hurried.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import START

# How long a (re)started bot may take to poll.
STARTUP_TIMEOUT = 20.0

# The bot's own send limits out of the way (the config takes no 0), like the fake's:
# the test is about crashes, not pacing.
NO_RATE_LIMITS = """
[delivery]
per_chat_per_second = 1000
global_per_second = 100000
group_per_minute = 100000
"""


@dataclass
class Run:
    """The bot: a `baocao run` process forked by the zygote per start, its kills."""

    zygote: subprocess.Popen[str]
    log: Path
    pid: int = 0
    exit_status: str | None = None  # once reaped: the exit code, or -N for signal N
    starts: int = 0
    start_times: list[float] = field(default_factory=list)
    kill_times: list[float] = field(default_factory=list)
    restart_seconds: list[float] = field(default_factory=list)  # start to polling

    def _ask(self, line: str) -> str:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(line + "\n")
        self.zygote.stdin.flush()
        answer = self.zygote.stdout.readline().strip()
        assert answer, f"the zygote died:\n{self.tail()}"
        return answer

    def start(self) -> None:
        """Start `baocao run` (the log file collects the output of every run)."""
        with self.log.open("ab") as out:
            out.write(f"---- start {self.starts + 1}\n".encode())
        self.start_times.append(time.time())
        self.pid = int(self._ask("start"))
        self.exit_status = None
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the bot."""
        os.kill(self.pid, signal.SIGKILL)
        self.exit_status = self._ask(f"wait {self.pid}")
        assert self.exit_status == f"-{signal.SIGKILL.value}", self.exit_status
        self.kill_times.append(time.time())

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops the bot; the exit code."""
        os.kill(self.pid, signal.SIGTERM)
        self.exit_status = self._ask(f"wait {self.pid}")
        return int(self.exit_status)

    def alive(self) -> bool:
        """Whether the current process still runs."""
        if not self.pid or self.exit_status is not None:
            return False
        answer = self._ask(f"poll {self.pid}")
        if answer != "running":
            self.exit_status = answer
        return answer == "running"

    def ensure_dead(self) -> None:
        """Whatever happened, leave no bot process (nor the zygote) behind."""
        try:
            if self.zygote.poll() is None and self.alive():
                self.kill()
        finally:
            if self.zygote.poll() is None:
                self.zygote.kill()
            self.zygote.wait(timeout=10)
            for pipe in (self.zygote.stdin, self.zygote.stdout):
                if pipe is not None:
                    pipe.close()

    def tail(self, lines: int = 40) -> str:
        """The end of the bot's log, for failure messages."""
        if not self.log.exists():
            return ""
        return "\n".join(
            self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        )


def zygote(
    config: Path, log: Path, env: dict[str, str], real_start: float, speed: float
) -> subprocess.Popen[str]:
    """The pre-imported baocao that forks each start (clock: START at `real_start`, `speed`
    office seconds per real second)."""
    script = Path(__file__).with_name("zygote.py")
    args = [str(config), str(log), str(START.timestamp()), str(real_start), str(speed)]
    # The child keeps its own copy of the log's descriptor; ours is closed once it started.
    with log.open("ab") as errors:
        return subprocess.Popen(
            [sys.executable, str(script), *args],
            cwd=config.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )


async def wait_polling(fake: FakeTelegramServer, run: Run, calls_before: int) -> None:
    """Until the (re)started bot calls getUpdates: it is ready and takes updates."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while fake.get_updates_calls <= calls_before:
        assert run.alive(), f"the bot exited at start:\n{run.tail()}"
        assert time.monotonic() < deadline, f"the bot did not start polling:\n{run.tail()}"
        await asyncio.sleep(0.01)


async def restart(fake: FakeTelegramServer, run: Run) -> None:
    """Start the bot and wait until it polls."""
    before = fake.get_updates_calls
    began = time.monotonic()
    run.start()
    await wait_polling(fake, run, before)
    run.restart_seconds.append(time.monotonic() - began)
