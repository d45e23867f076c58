"""The send-rate limiter: a message counts from its sending, and sends are spread evenly."""

from __future__ import annotations

import itertools

import pytest

from bot.runtime.ratelimit import Limits, RateLimiter, per_channel
from tests.support.clock import FakeClock


class Wire:
    """Sends through a limiter on the fake clock, each answered `round_trip` after it left."""

    def __init__(self, limiter: RateLimiter, clock: FakeClock, round_trip: float) -> None:
        self.limiter, self.clock, self.round_trip = limiter, clock, round_trip
        self.answers: list[tuple[float, str]] = []  # (when, chat) of messages in flight
        self.sent: list[float] = []

    def now(self) -> float:
        return self.clock.monotonic()

    def move_to(self, moment: float) -> None:
        """Advance the clock to `moment`, answering the messages due on the way."""
        for due, chat in sorted(self.answers):
            if due > moment:
                break
            self.clock.advance(seconds=max(0.0, due - self.now()))
            self.limiter.release(chat)
            self.answers.remove((due, chat))
        self.clock.advance(seconds=max(0.0, moment - self.now()))

    def send(self, chat: str, *, paced: bool = False) -> float:
        """Wait until the limiter lets a message to `chat` go, send it; when it went."""
        while (wait := self.limiter.wait_for(chat, paced=paced)) > 0:
            # An answer on the way may free a place sooner than the limiter can tell.
            self.move_to(min([self.now() + wait, *(due for due, _ in self.answers)]))
        self.limiter.take(chat, paced=paced)
        self.sent.append(self.now())
        self.answers.append((self.now() + self.round_trip, chat))
        return self.now()


def test_the_31st_message_goes_a_second_after_the_first_was_sent(clock: FakeClock) -> None:
    limits = Limits(per_chat_per_second=0, global_per_second=30, margin=0.0)
    wire = Wire(RateLimiter(limits, clock.monotonic), clock, round_trip=0.05)
    wire.send("warm-up")  # the path's round trip becomes known
    wire.move_to(wire.now() + 2.0)
    first = wire.send("0")
    for chat in range(1, 30):
        wire.send(str(chat))
    # Counted until a second after its answer, the first would hold its place until
    # first + 0.05 + 1 (and 2% more): a twentieth of a second lost per message.
    assert wire.send("30") == pytest.approx(first + 1.0)


def test_a_chat_gets_its_next_message_a_second_after_the_last_was_sent(clock: FakeClock) -> None:
    limits = Limits(per_chat_per_second=1, global_per_second=0, margin=0.0)
    limiter = RateLimiter(limits, clock.monotonic)
    for chat in ("7", "7"):  # the path is this slow every time: 0.3 s there and back
        clock.advance(seconds=limiter.wait_for(chat))
        sent = clock.monotonic()
        limiter.take(chat)
        clock.advance(seconds=0.3)
        limiter.release(chat)
    assert limiter.wait_for("7") == pytest.approx(0.7)
    assert limiter.wait_for("8") == 0
    clock.advance(seconds=0.7)
    assert clock.monotonic() == pytest.approx(sent + 1.0)
    assert limiter.wait_for("7") == 0


def test_a_message_held_up_on_the_way_counts_that_much_longer(clock: FakeClock) -> None:
    limits = Limits(per_chat_per_second=1, global_per_second=0, margin=0.01)
    limiter = RateLimiter(limits, clock.monotonic)
    for chat in ("1", "2", "3"):  # quick answers: 20 ms is the path's own round trip
        limiter.take(chat)
        clock.advance(seconds=0.02)
        limiter.release(chat)
    sent = clock.monotonic()
    limiter.take("7")
    clock.advance(seconds=0.32)  # 300 ms slower: it may have reached Telegram 300 ms late
    limiter.release("7")
    assert limiter.wait_for("7") == pytest.approx(sent + 1.0 + 0.01 + 0.3 - clock.monotonic())


def test_replies_to_many_people_go_out_evenly_not_in_waves(clock: FakeClock) -> None:
    limits = Limits(per_chat_per_second=1, global_per_second=30, margin=0.01)
    wire = Wire(RateLimiter(limits, clock.monotonic), clock, round_trip=0.02)
    for chat in itertools.islice(itertools.cycle(range(50)), 300):  # 50 people, backlogged
        wire.send(str(chat))
    sent = wire.sent
    # Never more than 30 in a second...
    assert all(later - earlier >= 1.0 for earlier, later in zip(sent, sent[30:], strict=False))
    # ...and, past the first burst, one every 1/30 s or so: no second without sends.
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent[30:])]
    assert max(gaps) < 2 * 1.01 / 30
    # Close to the cap: 30 per 1.01 s, plus the 20 ms round trip's jitter (none here).
    assert (len(sent) - 31) / (sent[-1] - sent[30]) == pytest.approx(30 / 1.01, rel=0.01)


def test_bulk_waits_for_its_turn_and_a_reply_takes_a_quiet_window_at_once(
    clock: FakeClock,
) -> None:
    limiter = RateLimiter(Limits(per_chat_per_second=0, global_per_second=30), clock.monotonic)
    interval = 1.01 / 30
    limiter.take("1", paced=True)
    limiter.take("2", paced=True)  # a turn missed while idle: made up once, no more
    assert limiter.wait_for("3", paced=True) == pytest.approx(interval)
    assert limiter.wait_for("3") == 0  # a reply takes its turn early: the window is quiet
    clock.advance(seconds=interval)
    assert limiter.wait_for("3", paced=True) == 0
    clock.advance(seconds=5.0)  # a pause builds up no burst
    limiter.take("3", paced=True)
    limiter.take("4", paced=True)
    assert limiter.wait_for("5", paced=True) == pytest.approx(interval)


def test_a_busy_window_makes_replies_wait_for_their_turn_too(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(per_chat_per_second=0, global_per_second=30), clock.monotonic)
    for chat in range(10):
        assert limiter.wait_for(str(chat)) == 0
        limiter.take(str(chat))
    # A third of the window is taken: the eleventh reply waits for the turns the first ten
    # took early, rather than all thirty going at once and the window then staying shut.
    assert limiter.wait_for("10") == pytest.approx(9 * 1.01 / 30)


def test_messages_in_flight_hold_their_place_until_answered(clock: FakeClock) -> None:
    limiter = RateLimiter(
        Limits(per_chat_per_second=0, global_per_second=3, margin=0.0), clock.monotonic
    )
    for chat in ("1", "2", "3"):
        clock.advance(seconds=limiter.wait_for(chat))
        limiter.take(chat)
    # All three places belong to messages still on their way: no one knows for how long.
    assert limiter.wait_for("4") == pytest.approx(1.0)
    clock.advance(seconds=2.0)
    limiter.release("1")  # answered 2 s late (and quick answers are not known yet)
    assert limiter.wait_for("4") > 0
    clock.advance(seconds=1.0)
    assert limiter.wait_for("4") == 0


def test_groups_get_their_per_minute_limit(clock: FakeClock) -> None:
    limiter = RateLimiter(
        Limits(per_chat_per_second=0, global_per_second=0, group_per_minute=2), clock.monotonic
    )
    for _ in range(2):
        limiter.take("-100", is_group=True)
        limiter.release("-100")
    assert limiter.wait_for("-100", is_group=True) > 60
    assert limiter.wait_for("5") == 0


def test_limits_off_never_wait_and_a_pause_still_holds(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(0, 0, 0), clock.monotonic)
    for _ in range(100):
        limiter.take("1")
        limiter.release("1")
    assert limiter.wait_for("1") == 0
    limiter.pause_all(1)
    assert limiter.wait_for("1") == 1
    assert limiter.wait_for("2") == 1


def test_each_channel_counts_its_own_sends_and_jobs_are_not_limited(clock: FakeClock) -> None:
    template = RateLimiter(Limits(per_chat_per_second=1, global_per_second=3), clock.monotonic)
    limiters = per_channel(template, ["telegram", "zalo", "jobs"], unlimited={"jobs"})
    for chat in ("1", "2", "3"):
        limiters["telegram"].take(chat)
    limiters["telegram"].pause_all(5)
    assert limiters["telegram"].wait_for("4") == 5
    assert limiters["zalo"].wait_for("4") == 0  # Telegram's allowance and pause are its own
    for _ in range(10):
        limiters["jobs"].take("office")
    assert limiters["jobs"].wait_for("office") == 0
