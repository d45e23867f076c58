"""Answers per second and reply latency: focal points answering through the fake Bot API.

N focal points (one per unit) each answer a form of M integer questions. Every answer goes
the production way: getUpdates long poll, inbox, handler, outbox, sendMessage, committed
(synchronous=FULL by default) before its reply. The platform rate limits are off on both
sides (the fake does not enforce them; the bot runs with Limits(0, 0, 0)), so the figures
are the program's own cost.

Run from the repository root:

    .venv/bin/python bench/answers.py [--users 50] [--fields 20] [--rate R]

Two runs, each with a fresh bot and database, measure the two figures of the target
(300 answers/s and reply p99 < 100 ms at 50 focal points):

- **capacity** (`--rate 0` alone): each person sends the next number as soon as the reply
  to the previous one arrived, so the bot is never idle; answers/s is its ceiling. Latency
  here is only queueing: with nobody pausing it is users / throughput (Little's law), so it
  says nothing about a reply's own cost.
- **at the target rate** (`--rate 300` alone): the people send 300 answers/s between them,
  at random moments (a Poisson stream of N·M answers over N·M/300 s, dealt out in turn so
  each person answers about every N/300 s), never before the reply to their previous
  answer. Latency here is what a person waits at that load; answers/s is what the bot kept
  up with.

By default the bot runs in a child process, as it would against a local Bot API server, so
the fake server and the simulated people (in this process) do not share its interpreter
lock; `--same-process` runs all of it in one process, as the e2e tests do. Latency is from
just before `user_sends_text` to the moment the fake server recorded the reply
(`SentMessage.sent_at`), so it includes the bot's getUpdates pick-up. The figures count only
if every answer is found in the database afterwards.

While the people answer, this process (the fake server and the people) does not collect
garbage: its full collections paused the fake for ~100 ms, which showed up in the bot's
p99. The bot's own process collects as it always does.

"bot CPU" is the CPU time of the bot process (all threads) during the answering phase, per
answer: unlike throughput it hardly depends on what else the machine runs. Profiling the
bot: `--profile FILE` (cProfile of the bot's event-loop thread during the answering phase;
`python -m pstats FILE`), `--py-spy FILE` (py-spy, only the thread holding the GIL,
collapsed stacks; needs `.venv/bin/pip install py-spy`).

Exit status: 0 valid runs meeting the target (capacity >= 300 answers/s; at 300 answers/s
offered, at least 95% of it kept up with and p99 < 100 ms), 1 valid runs missing it,
2 an invalid run (an answer lost or a reply wrong).

Use a directory on the disk the bot will run on (`--dir`, default: the current one): on
tmpfs fsync costs nothing and FULL looks as fast as NORMAL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import logging
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path[1:1] = [str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]  # fakes, harness

from botproc import (  # noqa: E402
    REPLY_TIMEOUT,
    BotProcess,
    Replies,
    percentile,
    picked_up_at,
    prepare_database,
    serve_bot,
)

import bot.runtime.app  # noqa: E402
from bot.demo.telegram_api import FakeTelegramServer, SentMessage  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.runtime.ratelimit import Limits  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from storage import Database  # noqa: E402
from tests.support.clock import START  # noqa: E402
from tests.support.harness import CONFIG  # noqa: E402

TOKEN_ENV = "BAOCAO_TEST_TOKEN"
FORM = "bench"
FIRST_USER = 10_001


# ---------------------------------------------------------------------------------- workspace


def write_workspace(folder: Path, base_url: str, users: int, fields: int) -> Path:
    """Config, `users` units owing one form of `fields` integer questions; the config path."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(
        CONFIG.format(office=900, base_url=base_url, mode="polling", port=8443), encoding="utf-8"
    )
    rows = ["mã đơn vị,tên đơn vị,nhóm,biểu mẫu"]
    rows += [f"{unit_code(i)},Đơn vị thử {i + 1},Thử tải,{FORM}" for i in range(users)]
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    form = [f'[form]\ncode = "{FORM}"\ntitle = "Biểu đo tải"\n']
    for n in range(fields):
        form.append(
            f'[[fields]]\nkey = "{field_key(n)}"\nquestion = "Số liệu thứ {n + 1} trong tháng?"\n'
            f'label = "số liệu {n + 1}"\ntype = "integer"\nkind = "flow"\n'
            'measure = "đơn vị"\nmin = 0\n'
        )
    (folder / "forms" / f"{FORM}.toml").write_text("\n".join(form), encoding="utf-8")
    return config


def unit_code(i: int) -> str:
    return f"U{i + 1:03d}"


def field_key(n: int) -> str:
    return f"so_lieu_{n + 1:02d}"


def value_for(user: int, question: int) -> int:
    """The figure user `user` gives to question `question` (below 1000: no separators)."""
    return 100 + (user * 31 + question * 7) % 900


class RunningClock:
    """Real time, moved back to START (inside the reporting window of period 02/2022)."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        now: datetime = START + timedelta(seconds=time.monotonic() - self._started)
        return now


def use_synchronous(level: str) -> None:
    """Make App.start open the database with this `PRAGMA synchronous` (it has no setting)."""

    class _Opener:
        @staticmethod
        async def open(path: Any, **kwargs: Any) -> Database:
            return await Database.open(path, synchronous=level, **kwargs)

    setattr(bot.runtime.app, "Database", _Opener)  # noqa: B010 (a module attribute, patched on purpose)


# ---------------------------------------------------------------------------------- the bot


async def start_app(config: Path, synchronous: str) -> App:
    """The production App on the workspace, rate limits off."""
    use_synchronous(synchronous)
    # Timed prompts and reminders would only get in the way of the answers measured here.
    workspace = load_workspace(config)
    app = App(workspace, clock=RunningClock(), limits=Limits(0, 0, 0), run_scheduler=False)
    await app.start()
    return app


# ---------------------------------------------------------------------------------- the people


@dataclass
class Person:
    """One focal point and what happened to their answers."""

    index: int
    user_id: int
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.time() of each answer
    problems: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    finished_at: float = 0.0


async def expect(replies: Replies, person: Person, after: int, marker: str) -> SentMessage | None:
    """The first message to the person after the `after`-th one that contains `marker`.

    Messages in between (a reply sent twice, say) are kept in `person.unexpected`; None if
    nothing matching came in time.
    """
    count = after
    while True:
        count += 1
        try:
            message = await replies.wait(person.user_id, count)
        except TimeoutError:
            person.problems.append(f"no reply containing {marker!r} in {REPLY_TIMEOUT} s")
            return None
        if marker in (message.plain_text or ""):
            return message
        person.unexpected.append(message.plain_text or "")


async def register(fake: FakeTelegramServer, replies: Replies, person: Person, code: str) -> None:
    """/start CODE, then /baocao: the person is at question 1."""
    for typed, marker in ((f"/start {code}", "đầu mối báo cáo"), ("/baocao", "Câu 1/")):
        before = len(replies.by_chat[person.user_id])
        fake.user_sends_text(person.user_id, typed)
        if await expect(replies, person, before, marker) is None:
            raise RuntimeError(f"{typed.split()[0]} of {person.user_id} failed: {person.problems}")


def schedule(users: int, fields: int, rate: float, seed: int = 2022) -> list[list[float]]:
    """When (seconds from the start) each person answers each question, `rate` per second.

    Poisson arrivals over the run (given their number, uniform moments in [0, T]), dealt out
    in turn: person i gets the i-th, (i + users)-th, ... answer of the stream.
    """
    total, draw = users * fields, random.Random(seed)
    moments = sorted(draw.uniform(0, total / rate) for _ in range(total))
    return [moments[person::users] for person in range(users)]


async def answer_all(
    fake: FakeTelegramServer,
    replies: Replies,
    person: Person,
    fields: int,
    due: list[float] | None,
) -> None:
    """Answer every question as soon as the reply to the previous one arrived, and not before
    its moment in `due` (perf_counter times) when given."""
    for question in range(fields):
        if due is not None:
            await asyncio.sleep(due[question] - time.perf_counter())
        before = len(replies.by_chat[person.user_id])
        sent = time.time()
        figure = value_for(person.index, question)
        fake.user_sends_text(person.user_id, str(figure))
        following = f"Câu {question + 2}/{fields}" if question + 1 < fields else "Tóm tắt"
        reply = await expect(replies, person, before, following)
        if reply is None:
            return
        person.latencies.append(reply.sent_at - sent)
        person.sent_at.append(sent)
        if not (reply.plain_text or "").startswith(f"✓ Đã ghi: {figure}"):
            person.problems.append(f"answer {question + 1}: reply {reply.plain_text!r}")
    person.finished_at = time.perf_counter()


# ---------------------------------------------------------------------------------- checking


def stored_answers(db_path: Path, users: int, fields: int) -> tuple[int, int, list[str]]:
    """Answers found in the database, how many hold the figure that was sent, and problems."""
    problems: list[str] = []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT unit_code, field_key, value FROM answers WHERE form_code = ?", (FORM,)
        ).fetchall()
        unhandled = conn.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()
        unsent = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
        failed = conn.execute("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL").fetchone()
    finally:
        conn.close()
    expected = {
        (unit_code(u), field_key(q)): str(value_for(u, q))
        for u in range(users)
        for q in range(fields)
    }
    right = sum(1 for unit, key, value in rows if expected.get((unit, key)) == value)
    if unhandled[0]:
        problems.append(f"{unhandled[0]} inbox items unhandled")
    if failed[0]:
        problems.append(f"{failed[0]} inbox items settled with an error")
    if unsent[0]:
        problems.append(f"{unsent[0]} outbox messages unsent")
    return len(rows), right, problems


# ---------------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    """The figures of one run."""

    answers: int
    wall: float
    latencies: list[float]
    picked_up: list[float]  # per answer: from sending to the getUpdates that returned it
    stored: int
    stored_right: int
    problems: list[str]
    extra_messages: int
    cpu: CpuUse
    api_calls: str  # during the answering phase


@dataclass
class CpuUse:
    """CPU seconds used during the answering phase."""

    bot: float  # the bot process (or the whole process with --same-process)
    rest: float | None  # the fake server and the people, when in a process of their own


async def settle(db_path: Path, timeout: float = 10.0) -> None:
    """Wait until the bot has recorded every reply as sent (the people saw them already)."""
    deadline = time.monotonic() + timeout
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        while time.monotonic() < deadline:
            query = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            if conn.execute(query).fetchone()[0] == 0:
                return
            await asyncio.sleep(0.05)
    finally:
        conn.close()


async def py_spy(pid: int, output: Path) -> Callable[[], Awaitable[None]]:
    """Start py-spy on `pid`; return the coroutine function that stops it."""
    exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if exe is None:
        raise SystemExit("py-spy not found: .venv/bin/pip install py-spy")
    proc = await asyncio.create_subprocess_exec(
        exe, "record", "--pid", str(pid), "--rate", "250", "--threads", "--gil", "--format", "raw",
        "--output", str(output), "--nonblocking",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(1.0)  # let it attach

    async def stop() -> None:
        proc.send_signal(signal.SIGINT)
        await proc.wait()

    return stop


async def run(args: argparse.Namespace, folder: Path) -> Outcome:
    """Start the fake and the bot, register the people, let them answer, check the database."""
    users, fields = args.users, args.fields
    with FakeTelegramServer() as fake:
        os.environ[TOKEN_ENV] = fake.token
        config = write_workspace(folder, fake.base_url, users, fields)
        codes = await prepare_database(
            config, args.synchronous, [unit_code(i) for i in range(users)], START
        )
        db_path = load_workspace(config).settings.storage.path
        replies = Replies(fake, asyncio.get_running_loop())
        child: BotProcess | None = None
        app: App | None = None
        if args.same_process:
            app = await start_app(config, args.synchronous)
            pid = os.getpid()
        else:
            options = ["--synchronous", args.synchronous]
            options += ["--profile", str(args.profile)] if args.profile else []
            child = await BotProcess.start(__file__, config, *options)
            pid = child.pid
        try:
            await fake.wait_for_polling(timeout=30)
            people = [Person(i, FIRST_USER + i) for i in range(users)]
            await asyncio.gather(*(register(fake, replies, p, codes[p.index]) for p in people))
            # This process is the fake Telegram and the people, not the bot: a full
            # collection of its heap (every call and message it recorded) stalled the fake
            # for ~100 ms mid-run and showed up as the bot's p99. The bot collects as usual.
            gc.collect()
            gc.freeze()
            gc.disable()
            stop_spy = await py_spy(pid, args.py_spy) if args.py_spy else None
            profiler = None
            if child is not None and args.profile:
                await child.tell("profile on")
            elif args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
            bot_cpu = await child.cpu_seconds() if child is not None else 0.0
            own_cpu = time.process_time()
            wall_started = time.time()
            started = time.perf_counter()
            dues: list[list[float] | None] = [None] * users
            if args.rate:
                moments = schedule(users, fields, args.rate)
                dues = [[started + t for t in times] for times in moments]
            await asyncio.gather(
                *(answer_all(fake, replies, p, fields, dues[p.index]) for p in people)
            )
            ended = max((p.finished_at for p in people), default=started) or time.perf_counter()
            own_cpu = time.process_time() - own_cpu
            bot_cpu = (await child.cpu_seconds() - bot_cpu) if child is not None else own_cpu
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            elif child is not None and args.profile:
                await child.tell("profile off")
            gc.enable()
            if stop_spy is not None:
                await stop_spy()
            await settle(db_path)
            await asyncio.sleep(0.2)  # a message sent twice would show up by now
            received = sum(len(replies.by_chat[p.user_id]) for p in people)
        finally:
            if child is not None:
                await child.stop()
            if app is not None:
                await app.stop()
            replies.stop()
        calls = Counter(c.method for c in fake.calls() if c.at >= wall_started)
        problems = [f"user {p.user_id}: {m}" for p in people for m in p.problems]
        if fake.internal_errors:
            problems.extend(f"fake server: {e}" for e in fake.internal_errors)
    stored, right, db_problems = stored_answers(db_path, users, fields)
    latencies = sorted(x for p in people for x in p.latencies)
    sent_at = [sent for p in people for sent in p.sent_at]
    picked_up = [at - sent for at, sent in zip(picked_up_at(fake, sent_at), sent_at, strict=True)]
    problems += db_problems
    extra = received - users * (fields + 2)
    cpu = CpuUse(bot_cpu, own_cpu if child is not None else None)
    polls = calls["getUpdates"]
    return Outcome(
        users * fields,
        ended - started,
        latencies,
        sorted(picked_up),
        stored,
        right,
        problems,
        extra,
        cpu,
        f"sendMessage {calls['sendMessage']}, getUpdates {polls} "
        f"({users * fields / max(polls, 1):.1f} answers per poll)",
    )


@dataclass
class Figures:
    """What one valid run measured."""

    offered: float  # answers/s the people offered (0: as fast as the bot replied)
    answered: float  # answers/s the bot replied to
    p99: float  # ms


def report(args: argparse.Namespace, outcome: Outcome) -> Figures | None:
    """Print one run's table; its figures, or None for an invalid run."""
    ms = [x * 1000 for x in outcome.latencies]
    rate = len(ms) / outcome.wall if outcome.wall > 0 else 0.0
    pace = f"{args.rate:.0f} answers/s offered" if args.rate else "capacity: full speed"
    print(f"\n{pace}")
    rows = [
        ("users", f"{args.users}"),
        ("fields", f"{args.fields}"),
        ("answers", f"{len(ms)} of {outcome.answers}"),
        ("wall time", f"{outcome.wall:.2f} s"),
        ("answers/s", f"{rate:.0f}"),
        ("latency p50", f"{percentile(ms, 50):.1f} ms"),
        ("latency p95", f"{percentile(ms, 95):.1f} ms"),
        ("latency p99", f"{percentile(ms, 99):.1f} ms"),
        ("latency max", f"{max(ms, default=float('nan')):.1f} ms"),
        ("latency mean", f"{statistics.fmean(ms) if ms else float('nan'):.1f} ms"),
        ("to pick-up", _spread([x * 1000 for x in outcome.picked_up])),
        ("stored answers", f"{outcome.stored} ({outcome.stored_right} with the sent figure)"),
        (
            "bot CPU",
            f"{outcome.cpu.bot:.2f} s, {1000 * outcome.cpu.bot / max(len(ms), 1):.2f} ms/answer",
        ),
        (
            "fake+people CPU",
            "in the bot's process" if outcome.cpu.rest is None else f"{outcome.cpu.rest:.2f} s",
        ),
        ("API calls", outcome.api_calls),
        ("load average", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("extra messages", f"{outcome.extra_messages} (sent more than once or unasked for)"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    valid = not outcome.problems and outcome.stored_right == outcome.answers == len(ms)
    for problem in outcome.problems[:20]:
        print(f"  PROBLEM: {problem}")
    if not valid:
        print("  INVALID RUN: answers were lost or replies went wrong; the figures do not count.")
        return None
    return Figures(args.rate, rate, percentile(ms, 99))


def _spread(ms: list[float]) -> str:
    """p50/p99 of sorted milliseconds."""
    return f"p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms (getUpdates)"


def verdict(args: argparse.Namespace, runs: list[Figures]) -> bool:
    """Print whether the runs meet the target; whether they all do."""
    met = True
    for figures in runs:
        if not figures.offered:
            ok = figures.answered >= args.target_rate
            line = f"capacity {figures.answered:.0f} answers/s >= {args.target_rate:.0f}"
        else:
            ok = (
                figures.offered >= args.target_rate
                and figures.answered >= 0.95 * figures.offered
                and figures.p99 < args.target_p99
            )
            line = (
                f"at {figures.offered:.0f} answers/s offered (target {args.target_rate:.0f}): "
                f"kept up with {figures.answered:.0f}/s, p99 {figures.p99:.1f} ms "
                f"< {args.target_p99:.0f} ms"
            )
        print(f"  {line}: " + ("met" if ok else "NOT met"))
        met = met and ok
    return met


def measure(args: argparse.Namespace) -> Outcome:
    """One run in a workspace of its own."""
    if args.keep:
        folder = Path(tempfile.mkdtemp(dir=args.dir, prefix="baocao-bench-"))
        print(f"workspace and database kept in {folder}")
        return asyncio.run(run(args, folder))
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-bench-") as tmp:
        return asyncio.run(run(args, Path(tmp)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent focal points")
    parser.add_argument("--fields", type=int, default=20, help="questions in the form")
    parser.add_argument("--synchronous", default="FULL", type=str.upper, choices=("FULL", "NORMAL"))
    parser.add_argument(
        "--rate",
        type=float,
        help="answers/s the people offer between them; 0: full speed (default: both runs)",
    )
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where to put the files")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and database")
    parser.add_argument("--same-process", action="store_true", help="bot in this process too")
    parser.add_argument("--profile", type=Path, help="cProfile the bot's answering phase")
    parser.add_argument("--py-spy", type=Path, help="py-spy the bot's answering phase (raw)")
    parser.add_argument("--target-rate", type=float, default=300.0, help=argparse.SUPPRESS)
    parser.add_argument("--target-p99", type=float, default=100.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve-bot", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve_bot is not None:
        config, synchronous = args.serve_bot, args.synchronous
        asyncio.run(serve_bot(lambda: start_app(config, synchronous), args.profile))
        return
    logging.basicConfig(level=logging.WARNING, format="bench: %(levelname)s %(name)s %(message)s")
    where = "one process" if args.same_process else "bot in its own process"
    print(
        f"baocao answers bench: synchronous={args.synchronous}, {where}, "
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    paces = [0.0, args.target_rate] if args.rate is None else [args.rate]
    runs = []
    for pace in paces:
        paced = argparse.Namespace(**{**vars(args), "rate": pace})
        figures = report(paced, measure(paced))
        if figures is None:
            sys.exit(2)
        runs.append(figures)
    print()
    sys.exit(0 if verdict(args, runs) else 1)


if __name__ == "__main__":
    main()
