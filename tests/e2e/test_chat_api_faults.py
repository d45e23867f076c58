"""The Bot API failing while the real bot works: 429 storms, 5xx, timeouts, the server gone
(connection refused) for simulated minutes, and chats that blocked the bot (403).

The bot runs in-process against the fake Bot API with the harness's hand-moved clock: a
ticker moves it 20 s every 50 ms of real time, so the delivery worker's backoff (2, 4, 8 ...
seconds of the clock, up to 10 minutes) plays out over "minutes" in a few real seconds.
Messages are queued through the outbox as the bot queues them (queue_replies) and people
write to the bot meanwhile. Each phase checks that everything queued arrives, once (a
timeout may make one arrive twice: counted), that the bot keeps serving the other chats,
that it backs off (requests during a fault are bounded), and prints its figures.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramChannel
from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.app import App
from bot.runtime.outbox import queue_replies
from bot.runtime.ratelimit import Limits
from bot.workspace.load import load_workspace
from handlers.events import Reply
from tests.support.clock import START, FakeClock
from tests.support.harness import OFFICE_USER, BotUnderTest, stop_or_explain, write_workspace

PEOPLE = {2001 + i: ("BDT", "SYT", "VP")[i % 3] for i in range(9)}
READ_TIMEOUT = 0.5  # the bot's; the fake holds "timed out" requests longer
WAIT = 20.0  # real seconds a phase may take at most


@dataclass
class Figures:
    """One phase's outcome."""

    name: str
    queued: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    requests: int = 0
    errors_answered: int = 0
    most_attempts: int = 0
    simulated_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        extra = " ".join(self.notes)
        return (
            f"{self.name}: queued={self.queued} delivered={self.delivered} lost={self.lost} "
            f"duplicates={self.duplicates} requests={self.requests} "
            f"errors_answered={self.errors_answered} max_attempts={self.most_attempts} "
            f"simulated={self.simulated_seconds / 60:.1f}min {extra}".rstrip()
        )


class Ticker:
    """Moves the clock 20 s every 50 ms of real time while running."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            self.clock.advance(seconds=20)

    def __enter__(self) -> Ticker:
        self.task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()


@pytest.fixture
async def bot(
    tmp_path: Path, fake_telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotUnderTest]:
    """The app with a short read timeout (the real one is 15 s) and everyone registered."""
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    # retry_after as the timedelta PTB will hand out (and no deprecation warning per 429).
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    clock = FakeClock(START)
    workspace = load_workspace(write_workspace(tmp_path, fake_telegram.base_url))
    channel = TelegramChannel(fake_telegram.token, fake_telegram.base_url, poll_timeout=1)
    channel.bot = Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        request=HTTPXRequest(connection_pool_size=64, read_timeout=READ_TIMEOUT),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=3),
    )
    app = App(workspace, clock=clock, telegram=channel, limits=Limits(0, 0, 0))
    app.run_scheduler = False
    await app.start()
    running = BotUnderTest(app, fake_telegram, clock, workspace)
    try:
        for person, unit in PEOPLE.items():
            await running.register(person, unit)
        yield running
    finally:
        await stop_or_explain(running)


async def _queue(bot: BotUnderTest, tag: str, chats: Iterable[int], each: int = 1) -> list[str]:
    """Queue `each` bulk messages to every chat, as the bot queues reminders; their texts."""
    texts = []
    replies = []
    for chat in chats:
        for n in range(each):
            body = f"{tag} #{chat}-{n}"
            texts.append(body)
            replies.append(Reply(chat_id=str(chat), text=body, bulk=True))
    async with bot.db.write() as tx:
        await queue_replies(tx, replies)
    assert bot.app.delivery is not None
    bot.app.delivery.wake()
    return texts


def _arrived(fake: FakeTelegramServer, texts: list[str]) -> Counter[str]:
    wanted = set(texts)
    return Counter(
        str(c.params["text"])
        for c in fake.calls("sendMessage")
        if c.status == 200 and str(c.params.get("text")) in wanted
    )


async def _until_delivered(bot: BotUnderTest, texts: list[str]) -> None:
    deadline = time.monotonic() + WAIT
    while set(_arrived(bot.fake, texts)) != set(texts):
        assert time.monotonic() < deadline, (
            f"not delivered: {set(texts) - set(_arrived(bot.fake, texts))}"
        )
        await asyncio.sleep(0.05)
    await _until_outbox_settled(bot)


async def _until_outbox_settled(bot: BotUnderTest) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        async with bot.db.read() as r:
            if await r.outbox.pending_count() == 0:
                return
        assert time.monotonic() < deadline, "the outbox does not drain"
        await asyncio.sleep(0.05)


async def _most_attempts(bot: BotUnderTest, texts: list[str]) -> int:
    wanted = set(texts)
    most = 0
    async with bot.db.read() as r:
        n = 1
        while (message := await r.outbox.get(n)) is not None:
            if message.payload.get("text") in wanted:
                most = max(most, message.attempts)
            n += 1
    return most


def _sends(fake: FakeTelegramServer, since: int) -> list[object]:
    return fake.calls("sendMessage")[since:]


async def _phase(
    bot: BotUnderTest,
    name: str,
    fault: Callable[[], None],
    chats: Iterable[int],
    each: int = 2,
    heal: Callable[[], None] | None = None,
    heal_after: float = 0.0,
) -> Figures:
    """Queue messages under a fault (healed after `heal_after` real seconds), wait for all."""
    fake = bot.fake
    figures = Figures(name)
    calls_before = len(fake.calls("sendMessage"))
    errors_before = len([c for c in fake.calls("sendMessage") if c.status != 200])
    began = bot.clock()
    fault()
    with Ticker(bot.clock):
        texts = await _queue(bot, name, chats, each)
        if heal is not None:
            await asyncio.sleep(heal_after)
            heal()
        await _until_delivered(bot, texts)
    arrived = _arrived(fake, texts)
    figures.queued = len(texts)
    figures.delivered = len(arrived)
    figures.duplicates = sum(n - 1 for n in arrived.values())
    figures.lost = len(set(texts) - set(arrived))
    figures.requests = len(fake.calls("sendMessage")) - calls_before
    figures.errors_answered = (
        len([c for c in fake.calls("sendMessage") if c.status != 200]) - errors_before
    )
    figures.most_attempts = await _most_attempts(bot, texts)
    figures.simulated_seconds = (bot.clock() - began).total_seconds()
    return figures


async def _people_keep_being_served(bot: BotUnderTest, people: Iterable[int]) -> int:
    """Each person writes /baocao and gets the first question; how many were served."""
    served = 0
    for person in people:
        reply = await bot.command(person, "baocao")
        served += "Câu 1/5" in reply or "Đã trả lời" in reply
    return served


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_the_bot_survives_a_failing_chat_api(
    bot: BotUnderTest, figures: Callable[[str], None]
) -> None:
    fake = bot.fake
    everyone = list(PEOPLE)
    results: list[Figures] = []

    # 429 storm: Telegram says "retry after 1 s" to 25 sends in a row.
    storm = await _phase(
        bot,
        "429-storm",
        lambda: fake.fail_next("sendMessage", 429, retry_after=1, count=25),
        everyone,
    )
    results.append(storm)
    # Retrying a chat before its retry_after is what makes a storm last: never.
    per_chat: dict[int, list[tuple[float, int]]] = {}
    for call in fake.calls("sendMessage"):
        per_chat.setdefault(int(call.params["chat_id"]), []).append((call.at, call.status))
    early = sum(
        1
        for calls in per_chat.values()
        for (t0, s0), (t1, _) in itertools.pairwise(calls)
        if s0 == 429 and t1 - t0 < 0.9
    )
    storm.notes.append(f"retried_before_retry_after={early}")
    assert early == 0
    assert storm.requests <= storm.queued + 25

    # 5xx: the API answers 502 to 20 sends.
    errors = await _phase(
        bot, "5xx", lambda: fake.fail_next("sendMessage", 502, count=20), everyone
    )
    results.append(errors)
    assert errors.requests <= errors.queued + 20

    # Timeouts: the API holds 4 sends past the bot's read timeout, then carries them out.
    timeouts = await _phase(
        bot,
        "timeouts",
        lambda: fake.delay_next("sendMessage", READ_TIMEOUT * 3, count=4),
        everyone,
    )
    results.append(timeouts)
    assert timeouts.duplicates <= 4  # only those the bot could not know about
    timeouts.notes.append("duplicates_allowed<=4")

    # Connection refused: the server is gone for a while (minutes of the clock), then back on
    # the same port. Sends are retried with growing pauses, not hammered.
    port = fake.port
    outage = await _phase(
        bot,
        "connection-refused",
        fake.stop,
        everyone,
        heal=lambda: fake.start(port),
        heal_after=3.0,
    )
    results.append(outage)
    # 3 s real = 20 min of clock; backoff 2, 4, 8, ... 512, 600 s: about 10 tries at most.
    assert outage.most_attempts <= 12, outage.most_attempts
    outage.notes.append("down_for=3s_real")
    served_after = await _people_keep_being_served(bot, everyone[:3])
    assert served_after == 3

    # 403: two people blocked the bot. Their messages fail for good, the others arrive, the
    # office is told once per blocked chat, and people keep being answered meanwhile.
    blocked = everyone[:2]
    for chat in blocked:
        fake.block_chat(chat)
    before_office = len(fake.sent_to(OFFICE_USER))
    calls_before = len(fake.calls("sendMessage"))
    with Ticker(bot.clock):
        to_blocked = await _queue(bot, "403", blocked, each=3)
        to_others = await _queue(bot, "403-others", everyone[2:], each=2)
        await _until_delivered(bot, to_others)
        served = await _people_keep_being_served(bot, everyone[2:5])
        await _until_outbox_settled(bot)
    arrived = _arrived(fake, to_blocked + to_others)
    told = [
        m.plain_text or ""
        for m in fake.sent_to(OFFICE_USER)[before_office:]
        if (m.plain_text or "").startswith("🚫")
    ]
    async with bot.db.read() as r:
        marked = [
            p.user_id
            for unit in ("BDT", "SYT", "VP")
            for p in await r.focal_points.list_for_unit(unit)
            if p.unreachable_at is not None
        ]
    forbidden = Figures(
        "403-blocked",
        queued=len(to_blocked) + len(to_others),
        delivered=len(arrived),
        duplicates=sum(n - 1 for n in arrived.values()),
        lost=len(set(to_others) - set(arrived)),
        requests=len(fake.calls("sendMessage")) - calls_before,
        errors_answered=len(
            [c for c in fake.calls("sendMessage")[calls_before:] if c.status == 403]
        ),
        notes=[
            f"blocked_chats={len(blocked)} marked_unreachable={len(marked)} "
            f"office_told={len(told)} others_served={served}/3"
        ],
    )
    results.append(forbidden)
    assert sorted(marked) == sorted(str(c) for c in blocked)
    assert len(told) == len(blocked)  # once per blocked chat, not once per failed message
    assert set(arrived) == set(to_others) and forbidden.duplicates == 0
    assert served == 3
    # A blocked chat is tried once, then left alone (its other messages are not hammered).
    assert forbidden.errors_answered <= len(to_blocked)

    for phase in results:
        figures(f"chat API faults: {phase.line()}")
    for phase in results[:4]:
        assert phase.lost == 0 and phase.delivered == phase.queued
        if phase.name != "timeouts":
            assert phase.duplicates == 0, phase.line()
    # Each notice names the blocked person's unit (2001: BDT, 2002: SYT).
    assert sorted("Sở Y tế" in t for t in told) == [False, True]
    assert sorted("Bưu điện tỉnh" in t for t in told) == [False, True]
