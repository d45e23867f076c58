"""SIGKILL the real `baocao run` process while focal points answer, restart it, lose nothing.

The bot runs as a separate process against the local fake Bot API server: each start forks
a fresh `baocao run` from a pre-imported zygote (tests/e2e/zygote.py; a new interpreter per
start would spend most of twenty restarts importing), with a fast clock shared by every
start: about five hours of the office's time pass per real second, from 11/02/2022, so the
period's reminders, late notice and late reminders fall due across the kills.
Ten focal points of three units answer the chat questions concurrently, one message at a
time each, as people do: they read the question the bot asked and send a figure for it;
once the summary shows, they correct figures (pasting "number: value", or "✏ Sửa", the
question's number, the new figure). The bot process is killed with SIGKILL at random
moments several times and restarted each time; at the end it is stopped with SIGTERM, and
the SQLite file and the fake's records are compared:

- every answer the bot acknowledged ("✓ Đã ghi ...") is stored, as sent, for the field the
  person was answering, as a revision of the message that carried it;
- every update the fake considers confirmed is in the inbox and was handled, without error;
- no message produced two revisions of the same field;
- conversations resume where they were: no reply asks a question whose answer had already
  been acknowledged to that unit before the person wrote;
- every step of the timetable due by the last start was carried out (or, when several fell
  due while the bot was down, skipped for the latest) exactly once: no step is missing and
  no step message was queued twice (a message in flight at a kill may reach Telegram twice:
  counted as resent).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer, SentMessage, parse_html
from bot.runtime.restart import SUPERSEDED
from bot.workspace.load import Workspace, load_workspace
from domain.answers import Answer, Revision
from domain.calendar import ScheduleKind, ScheduleStep, schedule_steps
from domain.forms import Form
from domain.periods import Period, ReportingRegime
from handlers.catch_up import UNIT_STEPS, held
from handlers.registration import create_invite
from storage import Database, InboxItem, OutboxMessage
from tests.e2e.killable import NO_RATE_LIMITS, Run, restart, zygote
from tests.support.clock import START
from tests.support.harness import write_workspace

# Focal points (Telegram user ids) by unit: several people answer for each unit.
FOCAL_POINTS = {
    1001: "BDT",
    1002: "BDT",
    1003: "BDT",
    1004: "SYT",
    1005: "SYT",
    1006: "SYT",
    1007: "VP",
    1008: "VP",
    1009: "VP",
    1010: "VP",
}
FORM = "cts"  # the first form every unit owes
PERIOD = Period(2022, 2)
KILLS = 20
# How long the bot runs (after it polls again) before each SIGKILL, in seconds.
RUN_BEFORE_KILL = (0.1, 1.2)
# How long the bot stays dead before the restart: people keep writing meanwhile.
DEAD_FOR = (0.0, 0.3)
# The bot's clock: office seconds per real second (a day in about 4 s).
SPEED = 20_000


def _is_step_message(plain: str) -> bool:
    """A timetable message to a focal point (prompt, reminder, late reminder), by its start."""
    first = plain.split("\n", 1)[0]
    return first.startswith(("📋 Kỳ báo cáo", "⏰ Nhắc báo cáo")) or (
        first.startswith("⚠ ") and "đã trễ hạn" in first
    )


RUN_AFTER_LAST_RESTART = 1.0
# A reply may wait for a restart or two (2-8 s each on a busy machine): far more than that
# means it was lost.
REPLY_TIMEOUT = 25.0

_QUESTION = re.compile(r"Câu (\d+)/(\d+)")


@dataclass
class Received:
    """A message the bot sent to a chat, as the person sees it."""

    text: str
    at: float  # time.time() when the fake accepted it


@dataclass
class Sent:
    """One message a focal point sent, and what came of it."""

    user_id: int
    unit: str
    text: str
    update_id: int
    message_ref: str  # the answers' source_message: telegram:<chat>:<message_id>
    sent_at: float
    field_key: str | None = None  # the field answered; None for commands and edit steps
    value: str | None = None  # the canonical value expected in storage
    acked_at: float | None = None  # when the bot's reply reached the fake
    asked: str | None = None  # field key the reply asks next, "" for the summary, None: n/a


class NoReply(AssertionError):
    """The bot never answered a message: it was lost."""


class Mailbox:
    """What the bot sent to each chat, read incrementally from the fake's log of calls."""

    def __init__(self, fake: FakeTelegramServer) -> None:
        self.fake = fake
        self.seen = 0
        self.chats: dict[int, list[Received]] = defaultdict(list)

    def refresh(self) -> None:
        """Take the sendMessage calls made since the last look."""
        calls = self.fake.calls("sendMessage")
        for call in calls[self.seen :]:
            if call.status == 200:
                plain, _ = parse_html(str(call.params["text"]))
                self.chats[int(call.params["chat_id"])].append(Received(plain, call.at))
        self.seen = len(calls)

    async def wait_for(
        self, chat_id: int, start: int, matches: Callable[[str], bool], what: str
    ) -> Received:
        """The first message to `chat_id` from index `start` on that `matches` accepts."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            self.refresh()
            for message in self.chats[chat_id][start:]:
                if matches(message.text):
                    return message
            if time.monotonic() > deadline:
                got = [m.text[:50] for m in self.chats[chat_id][start:]]
                raise NoReply(f"user {chat_id} got no reply to {what!r}; got instead: {got}")
            await asyncio.sleep(0.01)


def _display(number: int) -> str:
    """A whole number as the bot writes it back (Vietnamese thousands separator)."""
    return f"{number:,}".replace(",", ".")


# What the person does next when a figure they gave is flagged: keep it, with a reason.
KEEP = "!keep"


def _next_step(text: str, form: Form) -> str:
    """The field key the bot asks next in a reply, or "" when it shows the summary."""
    match = _QUESTION.search(text)
    if "Nếu số đúng" in text and not match:
        return KEEP  # a flagged figure waits for keep or fix
    if match:
        return form.fields[int(match.group(1)) - 1].key
    assert "Tóm tắt" in text, f"the reply neither asks a question nor sums up: {text!r}"
    return ""


@dataclass
class FocalPoint:
    """A person answering for a unit, as people do: one message at a time, each after the
    bot's reply to the previous one. They answer the question on screen; once the summary
    shows, they correct figures, by pasting "number: value" or through "✏ Sửa"."""

    user_id: int
    unit: str
    fake: FakeTelegramServer
    mailbox: Mailbox
    form: Form
    rng: random.Random
    sent: list[Sent] = field(default_factory=list)
    asked: str = ""  # field key of the question on screen, "" for the summary
    no_reply: str = ""  # the message the bot never answered, if any

    def _send(
        self, text: str, field_key: str | None = None, value: str | None = None, press: bool = False
    ) -> tuple[Sent, int]:
        """Type `text` (or press the newest button labelled `text`); the record and the
        number of messages the person had before."""
        start = len(self.mailbox.chats[self.user_id])
        sent_at = time.time()
        if press:
            update_id = self.fake.user_presses_button_with_text(self.user_id, text)
            ref = f"telegram:{update_id}"
        else:
            update_id = self.fake.user_sends_text(self.user_id, text)
            message = self.fake.update(update_id)["message"]
            ref = f"telegram:{message['chat']['id']}:{message['message_id']}"
        record = Sent(self.user_id, self.unit, text, update_id, ref, sent_at, field_key, value)
        self.sent.append(record)
        return record, start

    async def _reply(self, record: Sent, start: int, matches: Callable[[str], bool]) -> str:
        """Wait for the bot's reply to `record`; note when it came."""
        reply = await self.mailbox.wait_for(self.user_id, start, matches, record.text)
        record.acked_at = reply.at
        return reply.text

    def _next(self, record: Sent, reply: str) -> None:
        """Take in what the reply asks next."""
        record.asked = self.asked = _next_step(reply, self.form)

    async def begin(self) -> None:
        """/baocao: start (or resume) the unit's form."""
        record, start = self._send("/baocao")
        self._next(record, await self._reply(record, start, lambda t: "Đã trả lời" in t))

    async def answer(self) -> None:
        """Send a new figure for the question on screen."""
        field_ = self.form.field(self.asked)
        number = self.user_id * 10_000 + len(self.sent)  # unique across everyone
        if field_.type.is_numeric:
            typed, value, shown = str(number), str(number), _display(number)
        else:
            typed = value = shown = f"ghi chú {self.user_id} số {len(self.sent)}"
        expected = f"✓ Đã ghi: {shown}"

        def matches(text: str) -> bool:
            first = text.split("\n", 1)[0]
            return first == expected or first.startswith(expected + " ")

        record, start = self._send(typed, field_.key, value)
        self._next(record, await self._reply(record, start, matches))

    async def keep(self) -> None:
        """Keep a flagged figure: «Giữ nguyên», then a reason."""
        record, start = self._send("Giữ nguyên")
        await self._reply(record, start, lambda t: "giải thích ngắn" in t)
        record, start = self._send("số liệu đúng")
        self._next(record, await self._reply(record, start, lambda t: "Đã ghi giải thích" in t))

    async def paste(self) -> None:
        """From the summary, correct one figure by pasting "number: value"."""
        field_ = self.rng.choice([f for f in self.form.fields if f.type.is_numeric])
        position = self.form.fields.index(field_) + 1
        number = self.user_id * 10_000 + len(self.sent)
        shown = re.escape(_display(number))
        line = re.compile(rf"^{position}\. [^\n:]+: {shown}(?: |$)", re.MULTILINE)

        def matches(text: str) -> bool:
            return text.startswith("✓ Đã ghi 1 câu") and bool(line.search(text))

        record, start = self._send(f"{position}: {number}", field_.key, str(number))
        self._next(record, await self._reply(record, start, matches))

    async def edit(self) -> None:
        """From the summary: "✏ Sửa" (typed or pressed), the question's number, the figure."""
        if self.rng.random() < 0.5:
            record, start = self._send("✏ Sửa", press=True)
        else:
            record, start = self._send("Sửa")
        await self._reply(record, start, lambda t: t.startswith("Muốn sửa câu nào"))
        position = self.rng.randrange(len(self.form.fields)) + 1
        record, start = self._send(str(position))
        await self._reply(record, start, lambda t: t.startswith(f"Câu {position}/"))
        self.asked = self.form.fields[position - 1].key
        await self.answer()

    async def keep_answering(self, stop: asyncio.Event) -> None:
        """Answer until told to stop, with a short, random pause between messages; a message
        the bot never answers ends this person's session (it is reported at the end)."""
        try:
            await self.begin()
            while not stop.is_set():
                if self.asked == KEEP:
                    await self.keep()
                elif self.asked:
                    await self.answer()
                elif self.rng.random() < 0.3:
                    await self.paste()
                else:
                    await self.edit()
                await asyncio.sleep(self.rng.uniform(0, 0.03))
        except NoReply as lost:
            self.no_reply = str(lost)


def _office_time(real: float, real_start: float) -> datetime:
    """The bot's clock at real time `real`."""
    return datetime.fromtimestamp(START.timestamp() + (real - real_start) * SPEED, UTC)


async def _create_invites(workspace: Workspace, now: datetime) -> dict[int, str]:
    """One invite code per focal point, made in the database as `baocao invite` does."""
    db = await Database.open(workspace.settings.storage.path)
    try:
        async with db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            return {
                user: await create_invite(tx, unit, now, 14) for user, unit in FOCAL_POINTS.items()
            }
    finally:
        await db.close()


async def _register(fake: FakeTelegramServer, mailbox: Mailbox, codes: dict[int, str]) -> list[int]:
    """Every focal point opens its invite link; the update ids of those /start messages."""
    starts = {user: len(mailbox.chats[user]) for user in codes}
    update_ids = [fake.user_sends_command(user, "start", code) for user, code in codes.items()]
    for user in codes:
        await mailbox.wait_for(user, starts[user], lambda t: "đã được đăng ký" in t, "/start")
    return update_ids


async def _kill_and_restart(fake: FakeTelegramServer, run: Run, rng: random.Random) -> None:
    """SIGKILL the bot at random moments while people answer, restarting it each time."""
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(*RUN_BEFORE_KILL))
        run.kill()
        await asyncio.sleep(rng.uniform(*DEAD_FOR))
        await restart(fake, run)
    await asyncio.sleep(RUN_AFTER_LAST_RESTART)


async def _inbox_and_outbox(db: Database) -> tuple[list[InboxItem], list[OutboxMessage]]:
    """Every stored update and every queued message (row ids run 1..n: nothing purges
    either table in this test, and a transaction killed before its commit leaves no row)."""
    inbox: list[InboxItem] = []
    outbox: list[OutboxMessage] = []
    async with db.read() as r:
        while (item := await r.inbox.get(len(inbox) + 1)) is not None:
            inbox.append(item)
        while (message := await r.outbox.get(len(outbox) + 1)) is not None:
            outbox.append(message)
    return inbox, outbox


@dataclass
class Stored:
    """What the database holds after the run."""

    inbox: list[InboxItem]
    outbox: list[OutboxMessage]
    revisions: dict[str, list[Revision]]  # by unit
    answers: dict[str, dict[str, Answer]]  # by unit, then field
    steps: set[tuple[str, str]]  # the period's (unit, step) marked done (sent or skipped)


async def _read_database(path: Path) -> Stored:
    """Inbox, revisions and answers of the form, from the file the bot left."""
    db = await Database.open(path)
    try:
        inbox, outbox = await _inbox_and_outbox(db)
        async with db.read() as r:
            # The period the people worked on, as their conversations hold it.
            states = [await r.conversations.get("telegram", str(u)) for u in FOCAL_POINTS]
            periods = {str((state or {}).get("period")) for state in states}
            assert len(periods) == 1, f"the focal points worked on periods {periods}"
            period = periods.pop()
            units = sorted(set(FOCAL_POINTS.values()))
            revisions = {u: await r.answers.revisions(u, FORM, period) for u in units}
            answers = {u: await r.answers.for_obligation(u, FORM, period) for u in units}
            steps = await r.schedule.done_steps(PERIOD)
    finally:
        await db.close()
    assert period == PERIOD.key
    return Stored(inbox, outbox, revisions, answers, steps)


@dataclass
class Timetable:
    """The period's timetable across the kills."""

    due: set[tuple[str, str]]  # (unit, step) due by the last start's catch-up
    lost: set[tuple[str, str]]  # due, but never carried out nor skipped
    expected: int  # step messages owed to the focal points (one per unit and catch-up)
    queued: int  # step messages queued to focal points
    repeated: int  # queued beyond what the steps carried out call for
    missing: int  # owed, never queued
    delivered: int  # distinct step messages that reached their chat
    resent: int  # deliveries beyond one per queued message (in flight at a kill)


def _timetable(
    workspace: Workspace,
    stored: Stored,
    replies: list[SentMessage],
    registered: datetime,
    last_window: tuple[datetime, datetime],
) -> Timetable:
    """Each catch-up (a tick at a start) marks a unit's due steps done at one moment and sends
    the latest of them, so each focal point is owed one message per distinct moment at which
    its unit's steps were marked, once it was registered."""
    regime = workspace.settings.regime
    steps = schedule_steps(PERIOD, regime)
    units = sorted(set(FOCAL_POINTS.values()))
    due = {
        ("" if s.kind is ScheduleKind.OFFICE_LATE_NOTICE else u, s.key)
        for s in steps
        if s.at <= last_window[0]
        for u in units
    }
    # A step may rightly wait at the last catch-up (quiet hours, a weekend, the unit's next
    # step later that day): lost only if it could go out wherever in the last start's window
    # (start to polling) the catch-up's clock stood, which a slow start stretches for hours.
    waiting = {key for key in {k for _, k in due} if _may_wait(steps, key, last_window, regime)}
    with sqlite3.connect(workspace.settings.storage.path) as con:
        moments = {
            unit: {
                at
                for (at,) in con.execute(
                    "SELECT DISTINCT done_at FROM schedule_steps WHERE period_key = ? "
                    "AND unit_code = ?",
                    (PERIOD.key, unit),
                )
                if datetime.fromisoformat(at.replace("Z", "+00:00")) > registered
            }
            for unit in units
        }
    people = {str(u) for u in FOCAL_POINTS}
    queued = Counter(
        m.chat_id
        for m in stored.outbox
        if m.chat_id in people and _is_step_message(parse_html(str(m.payload.get("text", "")))[0])
    )
    owed = {str(person): len(moments[unit]) for person, unit in FOCAL_POINTS.items()}
    got = Counter(
        (str(m.chat_id), m.plain_text or "")
        for m in replies
        if str(m.chat_id) in people and _is_step_message(m.plain_text or "")
    )
    return Timetable(
        due=due,
        lost={(unit, key) for unit, key in due - stored.steps if key not in waiting},
        expected=sum(owed.values()),
        queued=sum(queued.values()),
        repeated=sum(max(0, queued[c] - owed[c]) for c in people),
        missing=sum(max(0, owed[c] - queued[c]) for c in people),
        delivered=sum(1 for _ in got),
        resent=sum(n - 1 for n in got.values()),
    )


def _may_wait(
    plan: list[ScheduleStep],
    key: str,
    window: tuple[datetime, datetime],
    regime: ReportingRegime,
) -> bool:
    """Whether the catch-up could have held step `key` at some minute of `window`: the
    office's notice on its own rules, a unit's steps as their latest due one."""
    moment = window[0]
    while moment <= window[1]:
        due = [s for s in plan if s.at <= moment]
        notice = [s for s in due if s.kind is ScheduleKind.OFFICE_LATE_NOTICE]
        unit_steps = [s for s in due if s.kind in UNIT_STEPS]
        ahead = [s for s in plan if s.at > moment and s.kind in UNIT_STEPS]
        if notice and notice[0].key == key and held(notice[0], [], moment, regime):
            return True
        ours = any(s.key == key for s in unit_steps)
        if ours and held(unit_steps[-1], ahead, moment, regime):
            return True
        moment += timedelta(minutes=1)
    return False


@dataclass
class Findings:
    """The run compared with the database: what must be empty, and figures to print."""

    sent: list[Sent]
    never_answered: list[str]
    lost: list[Sent]  # acknowledged, but not stored as sent
    stale: list[tuple[str, str]]  # current answer is not the last revision
    duplicates: dict[tuple[str, str, str | None], int]  # revisions per message and field
    unhandled: list[int]  # confirmed to Telegram, not handled
    failed: list[tuple[str, str | None]]  # inbox items settled with an error
    re_asked: list[Sent]  # replies asking what had been acknowledged before
    missing_updates: set[int]  # sent by people, absent from the inbox
    extra_updates: set[int]  # in the inbox, never sent by anyone
    undelivered: list[OutboxMessage]  # replies queued and never sent
    across_a_kill: int  # messages sent before a kill and answered after the restart
    resent: int  # replies Telegram got more than once (accepted, not yet marked, at a kill)
    confirmed: int

    @property
    def answers(self) -> list[Sent]:
        """The messages that carried an answer."""
        return [s for s in self.sent if s.field_key is not None]

    @property
    def acknowledged(self) -> list[Sent]:
        """Answers the bot acknowledged."""
        return [s for s in self.answers if s.acked_at is not None]


def _compare(
    people: list[FocalPoint],
    start_updates: list[int],
    run: Run,
    stored: Stored,
    confirmed: set[int],
    replies: list[SentMessage],
) -> Findings:
    """Check the people's view (acknowledgements) and the fake's against the database."""
    sent = [s for p in people for s in p.sent]
    acked = [s for s in sent if s.field_key is not None and s.acked_at is not None]
    by_source: dict[tuple[str, str | None, str | None], Revision] = {
        (unit, rev.field_key, rev.source_message): rev
        for unit, revs in stored.revisions.items()
        for rev in revs
    }
    lost = [
        s
        for s in acked
        if (rev := by_source.get((s.unit, s.field_key, s.message_ref))) is None
        or rev.new_value != s.value
        or rev.changed_by != f"telegram:{s.user_id}"
    ]
    stale = [
        (unit, key)
        for unit, current in stored.answers.items()
        for key, answer in current.items()
        if answer.value != [r for r in stored.revisions[unit] if r.field_key == key][-1].new_value
    ]
    per_message = Counter(
        (unit, rev.field_key, rev.source_message)
        for unit, revs in stored.revisions.items()
        for rev in revs
    )
    items = {int(item.external_id): item for item in stored.inbox}
    everything = {s.update_id for s in sent} | set(start_updates)
    # When each unit's answer to a field was acknowledged to anyone.
    acked_at: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for s in acked:
        acked_at[(s.unit, s.field_key)].append(s.acked_at or 0.0)
    # Callback answers aside, and replies dropped at a restart because the conversation had
    # moved past their question meanwhile (bot/runtime/restart.py): never to be sent.
    queued = [m for m in stored.outbox if "text" in m.payload and m.last_error != SUPERSEDED]
    return Findings(
        sent=sent,
        never_answered=[p.no_reply for p in people if p.no_reply],
        lost=lost,
        stale=stale,
        duplicates={key: n for key, n in per_message.items() if n > 1},
        unhandled=sorted(u for u in confirmed if u not in items or items[u].handled_at is None),
        failed=[(item.external_id, item.error) for item in stored.inbox if item.error],
        re_asked=[
            s for s in sent if s.asked and any(at < s.sent_at for at in acked_at[(s.unit, s.asked)])
        ],
        missing_updates=everything - set(items),
        extra_updates=set(items) - everything,
        across_a_kill=sum(
            1
            for s in sent
            if s.acked_at is not None and any(s.sent_at < k < s.acked_at for k in run.kill_times)
        ),
        # Replies dropped at a restart because the conversation had moved past their question
        # meanwhile (bot/runtime/restart.py) are not to be sent; they may have reached the
        # chat before the kill, or not: `resent` counts them as sent once.
        undelivered=[m for m in queued if m.sent_at is None and m.last_error != SUPERSEDED],
        resent=len(replies) - len(queued),
        confirmed=len(confirmed),
    )


@pytest.mark.slow
@pytest.mark.timeout(150)
async def test_sigkill_while_answering_loses_nothing_acknowledged(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    """Kill the bot 20 times while 10 people answer and the timetable runs; every
    acknowledged answer survives, every due step is carried out once, the outbox drains.
    BAOCAO_CRASH_SEED=N replays a run's kill moments (the seed is printed)."""
    began = time.monotonic()
    seed = int(os.environ.get("BAOCAO_CRASH_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    with FakeTelegramServer() as fake:
        fake.disable_limits()
        config = write_workspace(tmp_path, fake.base_url)
        with config.open("a", encoding="utf-8") as settings:
            settings.write(NO_RATE_LIMITS)
        workspace = load_workspace(config)
        env = {**os.environ, "BAOCAO_TEST_TOKEN": fake.token, "PYTHONUNBUFFERED": "1"}
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
        real_start = time.time()
        log = tmp_path / "bot.log"
        run = Run(zygote(config, log, env, real_start, SPEED), log)
        mailbox = Mailbox(fake)
        people = [
            FocalPoint(
                user, unit, fake, mailbox, workspace.forms[FORM], random.Random(rng.random())
            )
            for user, unit in FOCAL_POINTS.items()
        ]
        try:
            codes = await _create_invites(workspace, _office_time(time.time(), real_start))
            await restart(fake, run)
            start_updates = await _register(fake, mailbox, codes)
            registered = _office_time(time.time(), real_start)
            stop = asyncio.Event()
            answering = [asyncio.create_task(p.keep_answering(stop)) for p in people]
            try:
                await _kill_and_restart(fake, run, rng)
            finally:
                stop.set()
                await asyncio.gather(*answering)
            # The last start's catch-up has run; let its messages go out before stopping.
            await _until_outbox_empty(workspace, run)
            exit_code = run.terminate()
        finally:
            run.ensure_dead()
        confirmed = set(fake.confirmed_update_ids())
        replies = fake.all_sent()
    stored = await _read_database(workspace.settings.storage.path)
    found = _compare(people, start_updates, run, stored, confirmed, replies)
    last_start = _office_time(run.start_times[-1], real_start)
    polling = _office_time(run.start_times[-1] + run.restart_seconds[-1], real_start)
    timetable = _timetable(workspace, stored, replies, registered, (last_start, polling))

    figures(
        f"crash test (seed {seed}): kills={len(run.kill_times)} "
        f"focal_points={len(people)} answers_sent={len(found.answers)} "
        f"acknowledged={len(found.acknowledged)} "
        f"stored={len(found.acknowledged) - len(found.lost)} lost={len(found.lost)} "
        f"duplicates={len(found.duplicates)} re_asked={len(found.re_asked)} "
        f"never_answered={len(found.never_answered)} "
        f"answered_across_a_kill={found.across_a_kill} replies_resent={found.resent} "
        f"updates_confirmed={found.confirmed} inbox={len(stored.inbox)} "
        f"unhandled={len(found.unhandled)} outbox_pending={len(found.undelivered)} "
        f"seconds={time.monotonic() - began:.1f}\n"
        f"crash test timetable: office_time {START:%d/%m %H:%M}->{last_start:%d/%m %H:%M} UTC "
        f"steps_due={len(timetable.due)} steps_done={len(stored.steps)} "
        f"steps_lost={len(timetable.lost)} step_messages_owed={timetable.expected} "
        f"queued={timetable.queued} repeated={timetable.repeated} missing={timetable.missing} "
        f"delivered={timetable.delivered} resent_after_a_kill={timetable.resent} "
        f"restart_seconds_avg={sum(run.restart_seconds) / len(run.restart_seconds):.2f} "
        f"max={max(run.restart_seconds):.2f}"
    )
    log_tail = run.tail()
    assert exit_code == 0, f"exit code {exit_code} after SIGTERM\n{log_tail}"
    assert len(run.kill_times) == KILLS
    assert not found.unhandled, f"confirmed to Telegram, never handled: {found.unhandled}"
    assert not found.never_answered, f"messages never answered: {found.never_answered}\n{log_tail}"
    assert len(found.acknowledged) == len(found.answers) > 0
    assert not found.lost, f"acknowledged but not stored as sent: {found.lost[:5]}"
    assert not found.stale, f"current answers are not their last revision: {found.stale}"
    assert not found.duplicates, f"one message, several revisions: {found.duplicates}"
    assert not found.failed, f"inbox items settled with an error: {found.failed[:5]}\n{log_tail}"
    assert not found.missing_updates and not found.extra_updates
    assert not found.undelivered, f"replies never sent: {found.undelivered[:5]}"
    assert not found.re_asked, f"asked again what was acknowledged: {found.re_asked[:5]}"
    # The timetable: reminders reached people, nothing due was lost, nothing queued twice.
    assert not timetable.lost, f"due steps never carried out: {sorted(timetable.lost)}"
    assert timetable.repeated == 0 and timetable.missing == 0, timetable
    assert timetable.queued > 0 and timetable.delivered == timetable.queued


async def _until_outbox_empty(workspace: Workspace, run: Run) -> None:
    """Wait until the running bot has sent what it queued (read beside it, with sqlite3)."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    query = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
    while True:
        with sqlite3.connect(workspace.settings.storage.path) as con:
            (pending,) = con.execute(query).fetchone()
        if pending == 0:
            return
        assert run.alive() and time.monotonic() < deadline, f"{pending} messages stay queued"
        await asyncio.sleep(0.05)
