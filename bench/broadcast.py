"""Broadcast under Telegram's limits: prompts to 600 units, alone and while people answer.

The fake Bot API server enforces 30 messages/s overall and 1/s per chat (a 429 with
retry_after beyond them); the bot runs with its default limits, in a child process of its
own as `baocao run` would (bench/botproc.py), so the fake server and the simulated people
here do not share its interpreter lock. Two phases, each on a fresh workspace:

1. alone: an office account sends `/mo 02/2022` through the fake server and the 600 units
   get their prompt. Ideal: 600 / 30 = 20 s.
2. together: the same broadcast while 20 focal points each answer a question every 2 s.
   Their replies must go ahead of the broadcast.

The 20 are mid-form in period 01/2022 when the period opens; their units come first, so
they get their own prompt at the start of the broadcast, and each begins answering 2 s
after it arrived (reading it takes a person that long). Why: Telegram allows one message
a second to a chat, so a reply less than 1 s after that chat's own prompt must wait, and
no bot can help it; people who answered every 2 s straight through the broadcast would
each have one reply held up to 1 s by their own prompt (5% of the replies), which is the
platform's limit, not the replies waiting behind the broadcast. The latency of every
reply to every answer after that is counted: from just before the answer is written into
the fake server to the moment the fake server recorded the reply. The breakdown splits it
at the getUpdates call that handed the answer to the bot. `--answer-from-open` has the 20
answer from the moment the period opens instead (each starting at a random moment of the
first 2 s), whenever their own prompt comes: one reply each then waits for the per-chat gap
after that person's prompt, which the bot holds back while they answer (30 s at most).

Prints wall time, messages per second, 429s, and the reply latency of the 20.

    .venv/bin/python bench/broadcast.py [--units 600] [--answering 20] [--phase together]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botproc import (
    BotProcess,
    Replies,
    percentile,
    picked_up_at,
    prepare_database,
    serve_bot,
)

from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.app import App
from bot.runtime.ratelimit import Limits
from bot.workspace.load import load_workspace
from tests.support.harness import CONFIG, CTS_FORM

OFFICE = 900
# Before period 02/2022 opens (10/02 08:00 Vietnam time) people answer period 01/2022.
BEFORE_OPEN = datetime(2022, 2, 9, 2, tzinfo=UTC)
FIRST_USER = 100_000
PROMPT = "đã mở"  # in the opening prompt's text
TOKEN_ENV = "BAOCAO_TEST_TOKEN"


class RunningClock:
    """Simulated date, real seconds: from BEFORE_OPEN, time flows (retry_after works)."""

    def __init__(self) -> None:
        self._at = time.monotonic()

    def __call__(self) -> datetime:
        return BEFORE_OPEN + timedelta(seconds=time.monotonic() - self._at)


async def start_app(config: Path) -> App:
    """The production App on the workspace, Telegram's default limits. The scheduler is off:
    the broadcast is the office's /mo, and no timed step should fall due meanwhile."""
    app = App(load_workspace(config), clock=RunningClock(), limits=Limits(), run_scheduler=False)
    await app.start()
    return app


def unit_code(i: int) -> str:
    return f"X{i:04d}"


def write_workspace(folder: Path, base_url: str, units: int) -> Path:
    """A workspace of `units` communes, each owing the certificates form."""
    (folder / "forms").mkdir(parents=True)
    config = folder / "config.toml"
    text = CONFIG.format(office=OFFICE, base_url=base_url, mode="polling", port=8443)
    config.write_text(text, encoding="utf-8")
    rows = ["mã đơn vị,tên đơn vị,nhóm,biểu mẫu"]
    rows += [f"{unit_code(i)},UBND xã số {i},UBND cấp xã,cts" for i in range(units)]
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "forms" / "cts.toml").write_text(CTS_FORM, encoding="utf-8")
    return config


@dataclass
class Answered:
    """One answer of a person and the reply to it (seconds, time.time())."""

    update_id: int
    written: float
    replied: float


@dataclass
class Figures:
    """What one phase measured."""

    seconds: float = 0.0
    messages: int = 0
    count_429: int = 0
    answers: list[Answered] = field(default_factory=list)
    fetched: list[float] = field(default_factory=list)  # per answer: its getUpdates' return

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


async def register_all(fake: FakeTelegramServer, replies: Replies, codes: list[str]) -> None:
    """One focal point per unit, registered the way people do: /start CODE."""
    for i, code in enumerate(codes):
        fake.user_sends_command(FIRST_USER + i, "start", code)
    for i in range(len(codes)):
        await replies.wait(FIRST_USER + i, 1, timeout=120)


def has_prompt(replies: Replies, user: int) -> bool:
    return any(PROMPT in (m.plain_text or "") for m in replies.by_chat[user])


async def answer_after_prompt(
    fake: FakeTelegramServer,
    replies: Replies,
    user: int,
    stop: asyncio.Event,
    out: list[Answered],
    from_open: bool,
) -> None:
    """Wait for the person's prompt, then answer a question every 2 s, from 2 s after it
    (`from_open`: from a moment in the first 2 s, whenever the prompt comes)."""
    if from_open:
        # People answer independently: in step, 20 replies at once would need 20 places of
        # the overall 30/s that the broadcast keeps full, and the last would wait 0.67 s.
        await asyncio.sleep(random.Random(user).uniform(0.0, 2.0))
    else:
        while not has_prompt(replies, user):
            await replies.wait(user, len(replies.by_chat[user]) + 1, timeout=120)
        prompted = next(m for m in replies.by_chat[user] if PROMPT in (m.plain_text or ""))
        await asyncio.sleep(max(0.0, prompted.sent_at + 2.0 - time.time()))
    value = 1
    while not stop.is_set():
        count = len(replies.by_chat[user])
        written = time.time()
        update_id = fake.user_sends_text(user, str(value))
        while True:  # the reply: the first message after the answer that is not the prompt
            count += 1
            reply = await replies.wait(user, count, timeout=60)
            if PROMPT not in (reply.plain_text or ""):
                break
        out.append(Answered(update_id, written, reply.sent_at))
        value += 1
        await asyncio.sleep(max(0.0, 2.0 - (time.time() - written)))


async def run_phase(units: int, answering: int, folder: Path, from_open: bool) -> Figures:
    """One phase on a fresh workspace, the bot in a child process; its figures."""
    total = units + answering
    with FakeTelegramServer() as fake:
        os.environ[TOKEN_ENV] = fake.token  # the child inherits it
        config = write_workspace(folder, fake.base_url, total)
        codes = [unit_code(i) for i in range(total)]
        invites = await prepare_database(config, "FULL", codes, BEFORE_OPEN)
        replies = Replies(fake, asyncio.get_running_loop())
        child = await BotProcess.start(__file__, config)
        try:
            await fake.wait_for_polling(timeout=30)
            await register_all(fake, replies, invites)
            # The people come first in the units' order, so first in the broadcast.
            people = [FIRST_USER + i for i in range(answering)]
            for user in people:
                before = len(replies.by_chat[user])
                fake.user_sends_command(user, "baocao")
                await replies.wait(user, before + 1, timeout=60)
            fake.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
            stop = asyncio.Event()
            figures = Figures()
            workers = [
                asyncio.create_task(
                    answer_after_prompt(fake, replies, u, stop, figures.answers, from_open)
                )
                for u in people
            ]
            sent_before = len(fake.all_sent())
            start = time.perf_counter()
            fake.user_sends_command(OFFICE, "mo", "02/2022")
            units_left = [FIRST_USER + i for i in range(total)]
            while units_left:
                units_left = [u for u in units_left if not has_prompt(replies, u)]
                await asyncio.sleep(0.05)
            figures.seconds = time.perf_counter() - start
            figures.messages = len(fake.all_sent()) - sent_before
            stop.set()
            await asyncio.gather(*workers)
            figures.count_429 = fake.count_429
            figures.fetched = picked_up_at(fake, [a.written for a in figures.answers])
            return figures
        finally:
            await child.stop()
            replies.stop()


def ms(values: list[float]) -> str:
    ordered = sorted(v * 1000 for v in values)
    return " ".join(f"{name} {percentile(ordered, p):.0f}" for name, p in _POINTS)


_POINTS = (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))


def main() -> None:
    """Run the phases and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--answering", type=int, default=20)
    parser.add_argument("--phase", choices=("both", "alone", "together"), default="both")
    parser.add_argument(
        "--answer-from-open",
        action="store_true",
        help="the 20 answer from the moment the period opens, not from 2 s after their prompt",
    )
    parser.add_argument("--serve-bot", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve_bot is not None:
        config = args.serve_bot
        asyncio.run(serve_bot(lambda: start_app(config), None))
        return
    logging.basicConfig(level=logging.WARNING)
    ideal = args.units / 30
    with tempfile.TemporaryDirectory(prefix="baocao-bench-", dir=".") as scratch:
        if args.phase in ("both", "alone"):
            alone = asyncio.run(run_phase(args.units, 0, Path(scratch) / "alone", False))
            over = alone.seconds / ideal * 100 - 100
            met = over <= 10 and alone.count_429 == 0
            print(
                f"broadcast alone: {args.units} prompts in {alone.seconds:.1f} s "
                f"(ideal {ideal:.1f} s, {over:+.0f}%), "
                f"{alone.per_second:.1f} msg/s, 429s: {alone.count_429}  "
                f"[target within 10%, no 429: {'met' if met else 'NOT met'}]",
                flush=True,
            )
        if args.phase in ("both", "together"):
            both = asyncio.run(
                run_phase(args.units, args.answering, Path(scratch) / "both", args.answer_from_open)
            )
            share = both.per_second / 30 * 100
            met = share >= 90 and both.count_429 == 0
            print(
                f"with {args.answering} answering: {both.messages} messages in "
                f"{both.seconds:.1f} s, {both.per_second:.1f} msg/s "
                f"({share:.0f}% of the 30/s cap), 429s: {both.count_429}  "
                f"[target >= 90%, no 429: {'met' if met else 'NOT met'}]"
            )
            latency = [a.replied - a.written for a in both.answers]
            p99 = percentile(sorted(latency), 99) if latency else float("inf")
            print(
                f"replies to the {args.answering}: {len(latency)}, latency ms {ms(latency)}  "
                f"[target p99 < 500 ms: {'met' if p99 < 0.5 else 'NOT met'}]"
            )
            pairs = list(zip(both.answers, both.fetched, strict=True))
            print(
                f"  of which answer written -> fetched by getUpdates: "
                f"{ms([f - a.written for a, f in pairs])}; "
                f"fetched -> reply sent: {ms([a.replied - f for a, f in pairs])}"
            )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
