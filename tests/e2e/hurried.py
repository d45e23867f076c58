"""Hurried people and one SIGKILL: does every answer land on its question?

The shape of the crash that once shifted figures: many people each answer a form of integer
questions, and answer EVERY question message they get (a duplicate too, as a hurried person
does). The bot (`baocao run`, forked by tests/e2e/zygote.py) is killed with SIGKILL right
after the Nth acknowledgement reaches Telegram and restarted a second later; a reply sent
but not yet marked sent at the kill may reach its chat twice. At the end the database is
compared with what each person meant: the value for question q is `value(person, q)`.

Shared by tests/e2e/test_crash_shift.py (one run) and bench/crash_shift.py (several runs).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.demo.telegram_api import FakeTelegramServer, parse_html
from bot.workspace.load import load_workspace
from handlers.registration import create_invite
from storage import Database
from templates.catalog import text
from tests.e2e.killable import NO_RATE_LIMITS, Run, restart, zygote
from tests.support.clock import START
from tests.support.harness import CONFIG

FORM = "so10"
_QUESTION = re.compile(r"Câu (\d+)/(\d+)")
_RECORDED = re.compile(r"^✓ Đã ghi: ([\d.]+)")
REPLY_TIMEOUT = 40.0
# Seconds a person takes to read a message and answer it.
THINK = (0.05, 0.3)


def form_toml(questions: int) -> str:
    """A form of `questions` whole-number questions with no cross-checks."""
    fields = "".join(
        f'\n[[fields]]\nkey = "q{n:02d}"\nquestion = "Chỉ tiêu số {n}?"\nlabel = "chỉ tiêu {n}"\n'
        'type = "integer"\nkind = "flow"\nmeasure = "văn bản"\nmin = 0\n'
        for n in range(1, questions + 1)
    )
    return f'[form]\ncode = "{FORM}"\ntitle = "Mười chỉ tiêu"\n{fields}'


def write_office(folder: Path, base_url: str, people: int, questions: int) -> Path:
    """Config, one unit per person (all owing the form), the form; the config's path."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    settings = CONFIG.format(office=900, base_url=base_url, mode="polling", port=8443)
    config.write_text(settings + NO_RATE_LIMITS, encoding="utf-8")
    rows = "".join(f"U{n:02d},Đơn vị {n},Sở,{FORM}\n" for n in range(people))
    (folder / "units.csv").write_text("mã đơn vị,tên đơn vị,nhóm,biểu mẫu\n" + rows, "utf-8")
    (folder / "forms" / f"{FORM}.toml").write_text(form_toml(questions), encoding="utf-8")
    return config


def value(person: int, question: int) -> int:
    """What person `person` answers to question `question` (1-based): unique per pair."""
    return 1000 + person * 100 + question


@dataclass
class Person:
    """One focal point: answers every question message, presses "send" on the summary, and
    says which question a value was meant for when the bot asks."""

    index: int
    user_id: int
    fake: FakeTelegramServer
    rng: random.Random
    think: tuple[float, float] = THINK
    code: str = ""  # the invite
    got: list[str] = field(default_factory=list)  # what the bot sent, as shown
    unread: asyncio.Queue[tuple[str, list[str]]] = field(default_factory=asyncio.Queue)
    reading: bool = False  # before /baocao, messages are not read
    questions_seen: Counter[int] = field(default_factory=Counter)
    submitted: bool = False
    done: bool = False
    asked_which: int = 0  # times the bot asked which question a value was for

    def deliver(self, shown: str, buttons: list[str]) -> None:
        """A message reached the person's chat."""
        self.got.append(shown)
        if self.reading:
            self.unread.put_nowait((shown, buttons))

    async def live(self, stop: asyncio.Event) -> None:
        """Read each new message in turn and do what it asks, until done or stopped."""
        self.reading = True
        await self._send(lambda: self.fake.user_sends_command(self.user_id, "baocao"))
        while not stop.is_set() and not self.done:
            try:
                shown, buttons = await asyncio.wait_for(self.unread.get(), 0.1)
            except TimeoutError:
                continue
            await self._read(shown, buttons)

    async def _read(self, shown: str, buttons: list[str]) -> None:
        if shown.startswith("✅ Đã nhận báo cáo"):
            self.done = True
            return
        echo = _echo_button(buttons)
        if echo is not None:
            self.asked_which += 1
            await self._send(lambda: self.fake.user_presses_button_with_text(self.user_id, echo))
            return
        match = _QUESTION.search(shown)
        if match:
            number = int(match.group(1))
            self.questions_seen[number] += 1
            typed = str(value(self.index, number))
            await self._send(lambda: self.fake.user_sends_text(self.user_id, typed))
        elif "Tóm tắt" in shown and not self.submitted:
            self.submitted = True
            label = text("chat.button_submit")
            await self._send(lambda: self.fake.user_presses_button_with_text(self.user_id, label))

    async def _send(self, act: Callable[[], object]) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think))  # reading and typing
        act()

    @property
    def duplicates(self) -> int:
        """Question messages seen more than once."""
        return sum(n - 1 for n in self.questions_seen.values())


class Mailbox:
    """Hands each message the fake accepted to its person, and counts acknowledgements: read
    incrementally from the fake's log of calls (no copies), so a kill follows the Nth at once."""

    def __init__(self, fake: FakeTelegramServer, crowd: list[Person]) -> None:
        self.fake = fake
        self.people = {p.user_id: p for p in crowd}
        self.seen = 0
        self.acks = 0

    def refresh(self) -> None:
        """Deliver the messages sent since the last look."""
        calls = self.fake.calls("sendMessage")
        for call in calls[self.seen :]:
            person = self.people.get(int(call.params["chat_id"]))
            if call.status != 200 or person is None:
                continue
            shown, _ = parse_html(str(call.params["text"]))
            markup = call.params.get("reply_markup") or {}
            if isinstance(markup, str):
                markup = json.loads(markup)
            rows = markup.get("inline_keyboard") or []
            person.deliver(shown, [str(button["text"]) for row in rows for button in row])
            self.acks += shown.startswith("✓ Đã ghi: ")
        self.seen = len(calls)

    async def watch(self, stop: asyncio.Event) -> None:
        """Refresh until stopped."""
        while not stop.is_set():
            self.refresh()
            await asyncio.sleep(0.002)


def _echo_button(buttons: list[str]) -> str | None:
    """On the bot's "which question was this for?" message, the button naming the earlier
    question (the person was answering that one again); None on any other message."""
    earlier = {text("chat.repeat_button_earlier", number=n) for n in range(1, 100)}
    return next((label for label in buttons if label in earlier), None)


@dataclass
class Outcome:
    """One kill run, as the database and the people saw it."""

    acknowledged: int
    lost: int  # acknowledged ("✓ Đã ghi: v" for question q) but v not stored for q
    misplaced: int  # revisions whose value belongs to another question
    shifted_reports: int  # submitted obligations holding a misplaced value
    duplicates: int  # question messages people saw more than once
    asked_which: int  # times the bot asked which question a value was for
    superseded: int  # replies queued before the kill, dropped at restart as answered meanwhile
    submitted: int
    people: int
    seconds: float

    def line(self, run: int) -> str:
        """The figures of one run, on one line."""
        return (
            f"run {run}: people={self.people} acknowledged={self.acknowledged} "
            f"lost={self.lost} misplaced={self.misplaced} "
            f"shifted_reports={self.shifted_reports} duplicates_seen={self.duplicates} "
            f"asked_which_question={self.asked_which} superseded={self.superseded} "
            f"submitted={self.submitted} "
            f"seconds={self.seconds:.1f}"
        )


async def crash_run(
    folder: Path,
    seed: int,
    people: int = 50,
    questions: int = 10,
    kill_after: int = 250,
    think: tuple[float, float] = THINK,
) -> Outcome:
    """One run: people answer, SIGKILL right after the `kill_after`th acknowledgement,
    restart 1 s later, everyone finishes; then the database is compared."""
    began = time.monotonic()
    rng = random.Random(seed)
    with FakeTelegramServer() as fake:
        fake.disable_limits()
        config = write_office(folder, fake.base_url, people, questions)
        workspace = load_workspace(config)
        env = {**os.environ, "BAOCAO_TEST_TOKEN": fake.token, "PYTHONUNBUFFERED": "1"}
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
        real_start = time.time()
        log = folder / "bot.log"
        run = Run(zygote(config, log, env, real_start, speed=1), log)
        crowd = [
            Person(n, 2000 + n, fake, random.Random(rng.random()), think) for n in range(people)
        ]
        mailbox = Mailbox(fake, crowd)
        stop = asyncio.Event()
        watching = asyncio.create_task(mailbox.watch(stop))
        try:
            await _invite(workspace.settings.storage.path, crowd)
            await restart(fake, run)
            await _register(fake, crowd)
            living = [asyncio.create_task(p.live(stop)) for p in crowd]
            try:
                await _kill_after(mailbox, run, kill_after)
                await _all_done(crowd, run)
            finally:
                stop.set()
                await asyncio.gather(*living, watching, return_exceptions=True)
            run.terminate()
        finally:
            stop.set()
            run.ensure_dead()
        acks = _acknowledgements(crowd)
    outcome = await _compare(workspace.settings.storage.path, crowd, acks, questions)
    outcome.seconds = time.monotonic() - began
    return outcome


async def _invite(path: Path, crowd: list[Person]) -> None:
    """An invite per person, stored as `baocao invite` does."""
    db = await Database.open(path)
    try:
        async with db.write() as tx:
            await tx.units.sync_all(list(load_workspace(path.parent / "config.toml").units))
            for person in crowd:
                person.code = await create_invite(tx, f"U{person.index:02d}", START, 14)
    finally:
        await db.close()


async def _register(fake: FakeTelegramServer, crowd: list[Person]) -> None:
    """Each person opens their invite link; what the bot says then is not read."""
    for person in crowd:
        fake.user_sends_command(person.user_id, "start", person.code)
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not all(p.got for p in crowd):
        assert time.monotonic() < deadline, "the invites were not answered"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)


async def _kill_after(mailbox: Mailbox, run: Run, acknowledgements: int) -> None:
    """SIGKILL as soon as the fake has accepted that many acknowledgements; restart 1 s on."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        mailbox.refresh()
        if mailbox.acks >= acknowledgements:
            break
        assert time.monotonic() < deadline, f"only {mailbox.acks} acknowledgements\n{run.tail()}"
        await asyncio.sleep(0.001)
    run.kill()
    await asyncio.sleep(1.0)
    await restart(mailbox.fake, run)


async def _all_done(crowd: list[Person], run: Run) -> None:
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not all(p.done for p in crowd):
        if time.monotonic() > deadline:
            stuck = [(p.user_id, p.got[-1:]) for p in crowd if not p.done]
            raise AssertionError(f"people never got their receipt: {stuck}\n{run.tail()}")
        await asyncio.sleep(0.05)


def _acknowledgements(crowd: list[Person]) -> list[tuple[int, int, int]]:
    """(person, question, value) for every "✓ Đã ghi: v … Câu q+1" the people got: the bot
    said it stored v for the question asked before the one it now asks."""
    found = []
    for person in crowd:
        for shown in person.got:
            match = _RECORDED.match(shown)
            if match is None:
                continue
            said = int(match.group(1).replace(".", ""))
            nxt = _QUESTION.search(shown)
            question = int(nxt.group(1)) - 1 if nxt else -1  # -1: the last, before the summary
            found.append((person.index, question, said))
    return found


async def _compare(
    path: Path, crowd: list[Person], acks: list[tuple[int, int, int]], questions: int
) -> Outcome:
    db = await Database.open(path)
    lost = misplaced = shifted = submitted = 0
    try:
        async with db.read() as r:
            for person in crowd:
                unit = f"U{person.index:02d}"
                state = await r.conversations.get("telegram", str(person.user_id)) or {}
                period = str(state.get("period", ""))
                answers = await r.answers.for_obligation(unit, FORM, period)
                revisions = await r.answers.revisions(unit, FORM, period)
                meant = {f"q{q:02d}": str(value(person.index, q)) for q in range(1, questions + 1)}
                misplaced += sum(1 for rev in revisions if rev.new_value != meant[rev.field_key])
                values = {key: answer.value for key, answer in answers.items()}
                obligation = await r.obligations.get(unit, FORM, period)
                if obligation is not None and obligation.state.is_done:
                    submitted += 1
                    shifted += any(values.get(k) != v for k, v in meant.items())
                stored_values = {int(v) for v in values.values() if v is not None}
                lost += sum(
                    1 for p, _, said in acks if p == person.index and said not in stored_values
                )
    finally:
        await db.close()
    return Outcome(
        acknowledged=len(acks),
        lost=lost,
        misplaced=misplaced,
        shifted_reports=shifted,
        duplicates=sum(p.duplicates for p in crowd),
        asked_which=sum(p.asked_which for p in crowd),
        submitted=submitted,
        superseded=_superseded(path),
        people=len(crowd),
        seconds=0.0,
    )


def _superseded(path: Path) -> int:
    """Replies queued before the kill that the restart dropped (their question answered)."""
    with sqlite3.connect(path) as con:
        query = "SELECT count(*) FROM outbox WHERE last_error LIKE 'superseded%'"
        return int(con.execute(query).fetchone()[0])
