"""Broadcast under Telegram's limits: prompts to 600 units, alone and while people answer.

The fake Bot API server enforces 30 messages/s overall and 1/s per chat (a 429 with
retry_after beyond them); the bot runs with its default limits. Two phases:

1. alone: the period opens and 600 units get their prompt. Ideal: 600 / 30 = 20 s.
2. together: the same broadcast while 20 focal points each answer a question every 2 s.
   Their replies must go ahead of the broadcast.

Prints wall time, messages per second, 429s, and the reply latency of the 20.

What the bot sent is watched through one thread waiting on the fake server (bench/answers.py's
`Replies`): polling `sent_to` (which copies every message under the server's lock) from 20
people every 5 ms, and for 620 chats every 50 ms, took the lock and the CPU from the fake
server's request threads, and its answers to the bot slowed to seconds.

    .venv/bin/python bench/broadcast.py [--units 600] [--answering 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path[1:1] = [str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]

from answers import Replies  # noqa: E402
from fakes.telegram_server import FakeTelegramServer, SentMessage  # noqa: E402
from harness import CONFIG, CTS_FORM  # noqa: E402

from bot.app import App  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.datafiles import load_workspace  # noqa: E402
from bot.ratelimit import Limits  # noqa: E402
from handlers.registration import create_invite  # noqa: E402

OFFICE = 900
# Before period 02/2022 opens (10/02 08:00 Vietnam time) people answer period 01/2022.
BEFORE_OPEN = datetime(2022, 2, 9, 2, tzinfo=UTC)
AT_OPEN = datetime(2022, 2, 10, 1, tzinfo=UTC)
FIRST_USER = 100_000
PROMPT = "đã mở"  # in the opening prompt's text


class RunningClock:
    """Simulated date, real seconds: set to a moment, then time flows (retry_after works)."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, moment: datetime) -> None:
        """Jump to a moment; time goes on from there."""
        self._base, self._at = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._at)


def write_workspace(folder: Path, base_url: str, units: int) -> Path:
    """A workspace of `units` communes, each owing the certificates form."""
    (folder / "forms").mkdir(parents=True)
    config = folder / "config.toml"
    text = CONFIG.format(office=OFFICE, base_url=base_url, mode="polling", port=8443)
    config.write_text(text, encoding="utf-8")
    rows = ["mã đơn vị,tên đơn vị,nhóm,biểu mẫu"]
    rows += [f"X{i:04d},UBND xã số {i},UBND cấp xã,cts" for i in range(units)]
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "forms" / "cts.toml").write_text(CTS_FORM, encoding="utf-8")
    return config


async def register_all(
    app: App, fake: FakeTelegramServer, replies: Replies, units: int, clock: RunningClock
) -> None:
    """One focal point per unit, registered the way people do: /start CODE."""
    assert app.db is not None
    async with app.db.write() as tx:
        codes = [await create_invite(tx, f"X{i:04d}", clock(), 14) for i in range(units)]
    for i, code in enumerate(codes):
        fake.user_sends_command(FIRST_USER + i, "start", code)
    for i in range(units):
        await replies.wait(FIRST_USER + i, 1, timeout=120)


def prompts_received(replies: Replies, units: int) -> int:
    """How many units have received the opening prompt."""
    return sum(
        any(PROMPT in (m.plain_text or "") for m in replies.by_chat[FIRST_USER + i])
        for i in range(units)
    )


async def broadcast(app: App, replies: Replies, units: int, clock: RunningClock) -> float:
    """Open the period and wait until every unit has its prompt; the seconds it took."""
    assert app.scheduler is not None
    clock.set(AT_OPEN)
    start = time.perf_counter()
    await app.scheduler.tick()
    while prompts_received(replies, units) < units:
        await asyncio.sleep(0.05)
    return time.perf_counter() - start


async def answer_every_two_seconds(
    fake: FakeTelegramServer,
    replies: Replies,
    user: int,
    stop: asyncio.Event,
    latencies: list[float],
) -> None:
    """A person answering one question every 2 s, measuring the reply's latency: the reply
    is the first message after the answer that is not the opening prompt."""
    value = 1
    while not stop.is_set():
        count = len(replies.by_chat[user])
        sent = time.time()
        fake.user_sends_text(user, str(value))
        reply: SentMessage | None = None
        while reply is None or PROMPT in (reply.plain_text or ""):
            count += 1
            reply = await replies.wait(user, count, timeout=60)
        latencies.append(reply.sent_at - sent)
        value += 1
        await asyncio.sleep(max(0.0, 2.0 - (time.time() - sent)))


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_phase(units: int, answering: int, folder: Path) -> dict[str, float]:
    """One phase on a fresh workspace; its figures."""
    clock = RunningClock(BEFORE_OPEN)
    with FakeTelegramServer() as fake:
        os.environ["BAOCAO_TEST_TOKEN"] = fake.token
        config = write_workspace(folder, fake.base_url, units + answering)
        channel = TelegramChannel(fake.token, fake.base_url, poll_timeout=1)
        app = App(
            load_workspace(config),
            clock=clock,
            telegram=channel,
            limits=Limits(),
            run_scheduler=False,
        )
        await app.start()
        replies = Replies(fake, asyncio.get_running_loop())
        try:
            await register_all(app, fake, replies, units + answering, clock)
            people = [FIRST_USER + units + i for i in range(answering)]
            for user in people:
                before = len(replies.by_chat[user])
                fake.user_sends_command(user, "baocao")
                await replies.wait(user, before + 1, timeout=60)
            fake.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
            stop = asyncio.Event()
            latencies: list[float] = []
            workers = [
                asyncio.create_task(answer_every_two_seconds(fake, replies, u, stop, latencies))
                for u in people
            ]
            sent_before = len(fake.all_sent())
            seconds = await broadcast(app, replies, units + answering, clock)
            sent = len(fake.all_sent()) - sent_before
            stop.set()
            await asyncio.gather(*workers)
            return {
                "seconds": seconds,
                "messages": sent,
                "per_second": sent / seconds,
                "count_429": fake.count_429,
                "replies": len(latencies),
                "p50": percentile(latencies, 0.50) * 1000 if latencies else 0.0,
                "p95": percentile(latencies, 0.95) * 1000 if latencies else 0.0,
                "p99": percentile(latencies, 0.99) * 1000 if latencies else 0.0,
                "max": max(latencies) * 1000 if latencies else 0.0,
            }
        finally:
            replies.stop()
            await app.stop()


def main() -> None:
    """Run the phases and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--answering", type=int, default=20)
    parser.add_argument("--phase", choices=("both", "alone", "together"), default="both")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    ideal = args.units / 30
    with tempfile.TemporaryDirectory(prefix="baocao-bench-", dir=".") as scratch:
        if args.phase in ("both", "alone"):
            alone = asyncio.run(run_phase(args.units, 0, Path(scratch) / "alone"))
            over = alone["seconds"] / ideal * 100 - 100
            met = over <= 10 and alone["count_429"] == 0
            print(
                f"broadcast alone: {args.units} prompts in {alone['seconds']:.1f} s "
                f"(ideal {ideal:.1f} s, {over:+.0f}%), "
                f"{alone['per_second']:.1f} msg/s, 429s: {alone['count_429']:.0f}  "
                f"[target within 10%, no 429: {'met' if met else 'NOT met'}]",
                flush=True,
            )
        if args.phase in ("both", "together"):
            together = asyncio.run(run_phase(args.units, args.answering, Path(scratch) / "both"))
            share = together["per_second"] / 30 * 100
            print(
                f"with {args.answering} answering: {together['messages']:.0f} messages in "
                f"{together['seconds']:.1f} s, {together['per_second']:.1f} msg/s "
                f"({share:.0f}% of the 30/s cap), 429s: {together['count_429']:.0f}  "
                f"[target >= 90%, no 429: "
                f"{'met' if share >= 90 and together['count_429'] == 0 else 'NOT met'}]"
            )
            print(
                f"replies to the {args.answering}: {together['replies']:.0f}, latency ms "
                f"p50 {together['p50']:.0f} p95 {together['p95']:.0f} p99 {together['p99']:.0f} "
                f"max {together['max']:.0f}  "
                f"[target p99 < 500 ms: {'met' if together['p99'] < 500 else 'NOT met'}]"
            )


if __name__ == "__main__":
    main()
