"""The send-rate limiter: a message counts from its sending until a window after its answer."""

from __future__ import annotations

import pytest

from bot.runtime.ratelimit import MARGIN, Limits, RateLimiter
from tests.support.clock import FakeClock


def test_a_chat_waits_a_second_after_its_last_answer_not_after_its_last_send(
    clock: FakeClock,
) -> None:
    limiter = RateLimiter(Limits(per_chat_per_second=1, global_per_second=0), clock.monotonic)
    limiter.take("7")
    clock.advance(seconds=0.8)  # a slow answer: Telegram may have counted the message just now
    limiter.release("7")
    clock.advance(seconds=0.5)
    assert limiter.wait_for("7") == pytest.approx(MARGIN - 0.5)
    assert limiter.wait_for("8") == 0
    clock.advance(seconds=MARGIN)
    assert limiter.wait_for("7") == 0


def test_the_overall_limit_counts_messages_in_flight_and_those_answered_lately(
    clock: FakeClock,
) -> None:
    limiter = RateLimiter(Limits(per_chat_per_second=0, global_per_second=3), clock.monotonic)
    for chat in ("1", "2", "3"):
        assert limiter.wait_for(chat) == 0
        limiter.take(chat)
    # All three places belong to messages still on their way: no one knows for how long.
    assert limiter.wait_for("4") == pytest.approx(MARGIN)
    clock.advance(seconds=2.0)
    limiter.release("1")
    clock.advance(seconds=0.25)
    assert limiter.wait_for("4") == pytest.approx(MARGIN - 0.25)
    clock.advance(seconds=MARGIN)
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
    limiter.pause_chat("1", 3)
    limiter.pause_all(1)
    assert limiter.wait_for("1") == 3
    assert limiter.wait_for("2") == 1


def test_paced_messages_are_spread_at_the_overall_rate_and_others_are_not(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(per_chat_per_second=0, global_per_second=30), clock.monotonic)
    limiter.take("1", paced=True)
    limiter.take("2", paced=True)  # a turn missed while idle: made up once, no more
    assert limiter.wait_for("3", paced=True) == pytest.approx(1 / 30)
    assert limiter.wait_for("3") == 0  # a reply takes any free place
    clock.advance(seconds=1 / 30)
    assert limiter.wait_for("3", paced=True) == 0
    clock.advance(seconds=5.0)  # a pause builds up no burst
    limiter.take("3", paced=True)
    limiter.take("4", paced=True)
    assert limiter.wait_for("5", paced=True) == pytest.approx(1 / 30)
