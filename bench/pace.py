"""Replies at the platform's pace: 50 people answering at once under Telegram's limits.

The fake Bot API server enforces 30 messages/s overall and 1/s per chat (a 429 with
retry_after beyond them); the bot runs with its default limits, in a child process of its
own (bench/botproc.py) as `baocao run` would. N focal points (one per unit) each answer a
form of M integer questions: a person reads each reply for `--think` seconds (from the
moment the fake server recorded it) before answering the next question. Together they ask
for more than 30 replies a second, so the overall limit decides: the bot can at best keep
up with 30 answers/s, and how close it comes is what this bench measures.

Printed per run: answers/s (all answers over the time from the first answer to the last
reply), 429s, reply latency (from just before the answer is written into the fake server
to the moment the fake server recorded the reply) and stalled people (a reply that never
came within REPLY_TIMEOUT). The figures count only if every answer is found in the
database afterwards. Targets: >= 28.5 answers/s (95% of the cap), no 429, p50 <= 0.8 s,
nobody stalled.

`--one-way S --jitter J` puts a network between the bot and the fake server: each call
takes S seconds (plus up to J, drawn anew each way) to arrive and as long to come back, as
Telegram's servers do from Vietnam, and the limits count a call when it arrives.

    .venv/bin/python bench/pace.py [--users 50] [--fields 10] [--think 1.0] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from answers import (
    FIRST_USER,
    TOKEN_ENV,
    Person,
    RunningClock,
    expect,
    register,
    settle,
    stored_answers,
    unit_code,
    value_for,
    write_workspace,
)
from botproc import BotProcess, Replies, percentile, prepare_database, serve_bot

from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.app import App
from bot.runtime.ratelimit import Limits
from bot.workspace.load import load_workspace
from tests.support.clock import START


async def start_app(config: Path, margin: float | None) -> App:
    """The production App on the workspace, Telegram's limits (default margin unless given),
    no timetable."""
    limits = Limits() if margin is None else Limits(margin=margin)
    app = App(load_workspace(config), clock=RunningClock(), limits=limits, run_scheduler=False)
    await app.start()
    return app


async def answer_all(
    fake: FakeTelegramServer, replies: Replies, person: Person, fields: int, think: float
) -> None:
    """Answer every question, `think` seconds after the reply to the previous one arrived."""
    for question in range(fields):
        before = len(replies.by_chat[person.user_id])
        sent = time.time()
        figure = value_for(person.index, question)
        fake.user_sends_text(person.user_id, str(figure))
        following = f"Câu {question + 2}/{fields}" if question + 1 < fields else "Tóm tắt"
        reply = await expect(replies, person, before, following)
        if reply is None:
            return  # stalled
        person.latencies.append(reply.sent_at - sent)
        person.sent_at.append(sent)
        person.finished_at = reply.sent_at
        if not (reply.plain_text or "").startswith(f"✓ Đã ghi: {figure}"):
            person.problems.append(f"answer {question + 1}: reply {reply.plain_text!r}")
        await asyncio.sleep(max(0.0, reply.sent_at + think - time.time()))


@dataclass
class Run:
    """The figures of one run."""

    answers: int
    seconds: float
    count_429: int
    latencies: list[float]
    replied: list[float]  # when each reply was recorded, seconds from the first answer
    stalled: int
    problems: list[str]
    load: str

    @property
    def per_second(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    def steady(self) -> float:
        """Replies/s over the middle half of the run: no start (every person answering at
        once into an empty window), no end (fewer people left than places)."""
        low, high = self.seconds / 4, self.seconds * 3 / 4
        inside = sum(1 for t in self.replied if low <= t < high)
        return inside / (high - low) if high > low else 0.0

    def timeline(self, slot: float = 0.1) -> str:
        """Replies per `slot` seconds over the middle half (waves show as bursts and gaps)."""
        low = self.seconds / 4
        counts = [0] * int(self.seconds / 2 / slot)
        for t in self.replied:
            i = int((t - low) / slot)
            if 0 <= i < len(counts):
                counts[i] += 1
        return " ".join(str(c) for c in counts)


async def run(args: argparse.Namespace, folder: Path) -> Run:
    """Fresh fake, workspace and bot; register the people, let them answer, check the db."""
    users, fields = args.users, args.fields
    with FakeTelegramServer() as fake:
        os.environ[TOKEN_ENV] = fake.token  # the child inherits it
        config = write_workspace(folder, fake.base_url, users, fields)
        codes = await prepare_database(config, "FULL", [unit_code(i) for i in range(users)], START)
        db_path = load_workspace(config).settings.storage.path
        replies = Replies(fake, asyncio.get_running_loop())
        margin = [] if args.margin is None else ["--margin", str(args.margin)]
        child = await BotProcess.start(__file__, config, *margin)
        try:
            await fake.wait_for_polling(timeout=30)
            people = [Person(i, FIRST_USER + i) for i in range(users)]
            await asyncio.gather(*(register(fake, replies, p, codes[p.index]) for p in people))
            await asyncio.sleep(1.1)  # the per-chat windows of registration end
            fake.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
            fake.network_delay(args.one_way, args.jitter)
            before_429 = fake.count_429
            started = time.time()
            await asyncio.gather(
                *(answer_all(fake, replies, p, fields, args.think) for p in people)
            )
            count_429 = fake.count_429 - before_429
            await settle(db_path)
        finally:
            await child.stop()
            replies.stop()
    answered = [p for p in people if len(p.latencies) == fields]
    ended = max((p.finished_at for p in people), default=started)
    _, right, problems = stored_answers(db_path, users, fields)
    problems += [f"user {p.user_id}: {m}" for p in people for m in p.problems]
    if right != users * fields:
        problems.append(f"{right} of {users * fields} answers stored with the sent figure")
    return Run(
        answers=sum(len(p.latencies) for p in people),
        seconds=ended - started,
        count_429=count_429,
        latencies=sorted(x for p in people for x in p.latencies),
        replied=sorted(
            s + x - started for p in people for s, x in zip(p.sent_at, p.latencies, strict=True)
        ),
        stalled=users - len(answered),
        problems=problems,
        load=" ".join(f"{x:.2f}" for x in os.getloadavg()),
    )


def report(number: int, figures: Run, timeline: bool) -> bool:
    """Print one run's line; whether it meets the targets."""
    ms = [x * 1000 for x in figures.latencies]
    p50, p99 = percentile(ms, 50), percentile(ms, 99)
    met = (
        figures.per_second >= 28.5
        and figures.count_429 == 0
        and p50 <= 800
        and figures.stalled == 0
        and not figures.problems
    )
    print(
        f"run {number}: {figures.answers} answers in {figures.seconds:.2f} s, "
        f"{figures.per_second:.1f} answers/s ({figures.steady():.1f}/s mid-run), "
        f"429s: {figures.count_429}, "
        f"latency p50 {p50:.0f} ms p99 {p99:.0f} ms max {max(ms, default=0):.0f} ms, "
        f"stalled: {figures.stalled}, load average {figures.load}  "
        f"[targets >= 28.5/s, 0 x 429, p50 <= 800 ms, 0 stalled: {'met' if met else 'NOT met'}]",
        flush=True,
    )
    if timeline:
        print(f"  replies per 0.1 s mid-run: {figures.timeline()}")
    for problem in figures.problems[:10]:
        print(f"  PROBLEM: {problem}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--fields", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="seconds before each answer")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--one-way", type=float, default=0.0, help="seconds each call takes to the fake (and back)"
    )
    parser.add_argument("--margin", type=float, help="the limiter's margin (s; default its own)")
    parser.add_argument("--jitter", type=float, default=0.0, help="up to this much more, each way")
    parser.add_argument("--timeline", action="store_true", help="print replies per 0.1 s")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where to put the files")
    parser.add_argument("--serve-bot", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve_bot is not None:
        config = args.serve_bot
        asyncio.run(serve_bot(lambda: start_app(config, args.margin), None))
        return
    logging.basicConfig(level=logging.WARNING, format="bench: %(levelname)s %(name)s %(message)s")
    print(
        f"baocao pace bench: {args.users} people x {args.fields} questions, "
        f"{args.think:.1f} s think time, fake limits 30/s overall and 1/s per chat, "
        f"network {1000 * args.one_way:.0f} ms each way (+ up to {1000 * args.jitter:.0f} ms)",
        flush=True,
    )
    met = True
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-bench-") as tmp:
            met = report(number, asyncio.run(run(args, Path(tmp))), args.timeline) and met
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
