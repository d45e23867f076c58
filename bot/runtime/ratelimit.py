"""Send-rate limits as Telegram publishes them: per chat, overall, and per group per minute.

A message counts from the moment it is sent. Telegram counts it when it arrives, a little
later; what matters is that two messages a window apart never arrive less than a window
apart, i.e. that the earlier one was not held up on the way more than the later one. So a
message counts for the window plus `margin`, plus however much longer than the fastest
recent round trip its own answer took: a request held up on the way (a busy machine, a
slow network) may have arrived that much later, and counts that much longer (with no
round trip known yet, the first message counts its whole one). On an even path a message
counts for 1.01 s, 30 messages per 1.01 s overall. Counting until a second after the
answer, as before, cost the whole round trip plus 2% on every message: with 50 people
answering over a 100 ms path (bench/pace.py --one-way 0.05 --jitter 0.02) 26.7 answers/s
and a median reply of 1.2 s, against 28.3 and 0.73 s now. Without `margin` the fake Bot
API answered a 429 now and then: it counts a message a little after its arrival.

Sends are also spread evenly, one every `margin`-widened 1/30 s: each takes the next turn
of that spread. A window alone lets the whole second's allowance go at once and then
nothing until those messages' windows end: the sends came in waves of 30 a second apart,
and a reply just missing a wave waited for the next (p50 1 s). Replies (interactive) may
take their turn early while the window is less than a third full, so a few people answering
at once are answered at once; bulk messages (prompts, reminders) always wait for their
turn, so a reply never waits for more than the next turn behind a broadcast.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

# The per-group limit is per minute and counted at sending time, with a wider margin.
GROUP_SAFETY = 1.1
# Round trips remembered for the fastest one: enough to span a few seconds of sending.
ROUND_TRIPS = 64
# Replies skip the even spread while the overall window holds fewer than this share.
BURST_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class Limits:
    """Messages allowed; 0 switches a limit off (e.g. against a local server).

    `margin` (seconds) widens every window and the spread's interval: timers fire a little
    late or early, and the fastest round trip is only an estimate of the path's own delay.
    """

    per_chat_per_second: float = 1.0
    global_per_second: float = 30.0
    group_per_minute: float = 20.0
    margin: float = 0.01


class RateLimiter:
    """Decides when the next message to a chat may go; never lets a burst exceed a limit.

    Every `take` (a message is being sent) must be followed by one `release` (its answer
    came back, or it failed).
    """

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.monotonic = monotonic
        self._chat_next: dict[str, float] = {}
        self._sending: dict[str, deque[float]] = {}  # per chat: when its messages in flight left
        self._in_flight = 0
        self._window: list[float] = []  # heap: when each answered message stops counting
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS)
        self._group_sent: dict[str, deque[float]] = {}
        self._paused_until = 0.0
        self._turn = 0.0  # when the next send of the even spread may go

    def chat_gap(self) -> float:
        """Seconds between two messages to the same chat (at least; from the first's send)."""
        if not self.limits.per_chat_per_second:
            return 0.0
        return 1.0 / self.limits.per_chat_per_second + self.limits.margin

    def wait_for(self, chat_id: str, is_group: bool = False, *, paced: bool = False) -> float:
        """Seconds until a message to this chat may be sent (0: now).

        A `paced` (bulk) message waits for its turn in the even spread; others may go early
        while the window is quiet. While every place of the overall limit belongs to a
        message still in flight, the wait is unknown: a full window is returned, and
        `release` frees a place earlier.
        """
        now = self.monotonic()
        waits = [self._paused_until - now, self._chat_next.get(chat_id, 0.0) - now]
        if self._sending.get(chat_id) and self.limits.per_chat_per_second:
            waits.append(self.chat_gap())  # known once its answer is back
        limit = self.limits.global_per_second
        if limit:
            counted = self._counted(now)
            if counted >= limit:
                waits.append(self._place_free(now, int(counted - limit) + 1))
            if paced or counted >= limit * BURST_SHARE:
                waits.append(self._turn - now)
        if is_group and self.limits.group_per_minute:
            span = 60.0 * GROUP_SAFETY
            window = _trim(self._group_sent.setdefault(chat_id, deque()), now, span)
            if len(window) >= self.limits.group_per_minute:
                waits.append(window[0] + span - now)
        return max(0.0, *waits)

    def take(self, chat_id: str, is_group: bool = False, *, paced: bool = False) -> None:
        """Count a message as sent now (`paced`: a bulk message; both take a turn)."""
        now = self.monotonic()
        self._in_flight += 1
        self._sending.setdefault(chat_id, deque()).append(now)
        if self.limits.global_per_second:
            # A turn taken late (timers fire late) is made up by at most one interval, so
            # a pause never builds up a burst; a turn taken early pushes the next ones on.
            interval = (1.0 + self.limits.margin) / self.limits.global_per_second
            self._turn = max(now - interval, self._turn) + interval
        if is_group and self.limits.group_per_minute:
            self._group_sent.setdefault(chat_id, deque()).append(now)

    def release(self, chat_id: str) -> None:
        """The answer to a message taken before came back (or the send failed)."""
        now = self.monotonic()
        sending = self._sending.get(chat_id)
        sent = sending.popleft() if sending else now
        if sending is not None and not sending:
            del self._sending[chat_id]
        self._in_flight = max(0, self._in_flight - 1)
        round_trip = now - sent
        # How much later than on the quickest path the message may have arrived. With no
        # quick path known yet (the first message, a cold connection), the whole round trip.
        late = max(0.0, round_trip - min(self._round_trips, default=0.0))
        self._round_trips.append(round_trip)
        hold = self.limits.margin + late
        if self.limits.global_per_second:
            heapq.heappush(self._window, sent + 1.0 + hold)
        if self.limits.per_chat_per_second:
            next_send = sent + 1.0 / self.limits.per_chat_per_second + hold
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), next_send)
        if len(self._chat_next) > 4096:  # chats quiet for a while are forgotten
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}

    def pause_all(self, seconds: float) -> None:
        """Hold every chat back (after a 429 that concerns the whole bot)."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    def _counted(self, now: float) -> int:
        """Messages in the overall window now: those in flight and those answered lately."""
        while self._window and self._window[0] <= now:
            heapq.heappop(self._window)
        return self._in_flight + len(self._window)

    def _place_free(self, now: float, places: int) -> float:
        """Seconds until `places` answered messages stop counting (a window if unknown)."""
        if places > len(self._window):
            return 1.0 + self.limits.margin
        return heapq.nsmallest(places, self._window)[-1] - now


def _trim(sent: deque[float], now: float, span: float) -> deque[float]:
    while sent and sent[0] <= now - span:
        sent.popleft()
    return sent


def per_channel(
    template: RateLimiter, channels: Iterable[str], unlimited: Collection[str] = ()
) -> dict[str, RateLimiter]:
    """A limiter per channel, with the template's limits and clock (none for `unlimited`).

    A platform's sends take nothing from another's allowance, nor does its 429 hold the
    other's chats. Zalo documents no limits: Telegram's are a prudent default for it. A
    job (long work, not a message) is not limited at all.
    """
    return {
        name: RateLimiter(
            Limits(0, 0, 0) if name in unlimited else template.limits, template.monotonic
        )
        for name in channels
    }
