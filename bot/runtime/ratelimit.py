"""Send-rate limits as Telegram publishes them: per chat, overall, and per group per minute.

Telegram counts a message when it arrives, and we cannot know when that is: somewhere
between sending the request and getting the answer. Counting at sending time with a margin
still cost 429s whenever requests were delayed on the way unevenly. So a message counts from
the moment it is sent until `window` after its answer came back: whenever Telegram saw it,
it saw it within that span, and at most `limit` such spans overlap, so no window of
Telegram's can hold more than `limit` messages. The price is the answer's latency added to
each message's window (a few per cent at tens of milliseconds), not a fixed 10% margin.

Paced messages (a broadcast) are also spread evenly at the overall rate. Sent as fast as
places came free, a broadcast went out in bursts: the whole second's allowance within a
fraction of it, then nothing until those messages' windows ended. A reply to someone
answering, though first in line, found no place for the rest of that second (the median
reply waited 0.2 s, the slowest 0.75 s). Spread out, a place comes free every 1/30 s.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# Timers fire a little late or early; a message never counts for less than this longer span.
MARGIN = 1.02
# The per-group limit is per minute and counted at sending time, with a wider margin.
GROUP_SAFETY = 1.1


@dataclass(frozen=True, slots=True)
class Limits:
    """Messages allowed; 0 switches a limit off (e.g. against a local server)."""

    per_chat_per_second: float = 1.0
    global_per_second: float = 30.0
    group_per_minute: float = 20.0


class RateLimiter:
    """Decides when the next message to a chat may go; never lets a burst exceed a limit.

    Every `take` (a message is being sent) must be followed by one `release` (its answer
    came back, or it failed).
    """

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.monotonic = monotonic
        self._chat_next: dict[str, float] = {}
        self._sending = 0  # taken, not yet released
        self._answered: deque[float] = deque()  # when released, within the last second
        self._group_sent: dict[str, deque[float]] = {}
        self._paused_until = 0.0
        self._paced_next = 0.0  # when the next paced message may go

    def chat_gap(self) -> float:
        """Seconds between one message's answer and the next message to the same chat."""
        if not self.limits.per_chat_per_second:
            return 0.0
        return MARGIN / self.limits.per_chat_per_second

    def wait_for(self, chat_id: str, is_group: bool = False, *, paced: bool = False) -> float:
        """Seconds until a message to this chat may be sent (0: now).

        While every place of the overall limit belongs to a message still being sent, the
        wait is unknown: a full second is returned, and `release` frees a place earlier.
        A `paced` message also waits its turn in an even spread at the overall rate.
        """
        now = self.monotonic()
        waits = [self._paused_until - now, self._chat_next.get(chat_id, 0.0) - now]
        limit = self.limits.global_per_second
        if limit:
            if paced:
                waits.append(self._paced_next - now)
            answered = _trim(self._answered, now, MARGIN)
            if self._sending + len(answered) >= limit:
                waits.append(answered[0] + MARGIN - now if answered else MARGIN)
        if is_group and self.limits.group_per_minute:
            span = 60.0 * GROUP_SAFETY
            window = _trim(self._group_sent.setdefault(chat_id, deque()), now, span)
            if len(window) >= self.limits.group_per_minute:
                waits.append(window[0] + span - now)
        return max(0.0, *waits)

    def take(self, chat_id: str, is_group: bool = False, *, paced: bool = False) -> None:
        """Count a message as being sent now."""
        self._sending += 1
        if paced and self.limits.global_per_second:
            # The overall limit's window (with its margin) is what keeps within Telegram's
            # limit; the spacing only spreads the sends. A turn taken late (timers fire late)
            # is made up by at most one interval, so a pause never builds up a burst.
            interval = 1.0 / self.limits.global_per_second
            self._paced_next = max(self.monotonic() - interval, self._paced_next) + interval
        if is_group and self.limits.group_per_minute:
            self._group_sent.setdefault(chat_id, deque()).append(self.monotonic())

    def release(self, chat_id: str) -> None:
        """The answer to a message taken before came back (or the send failed)."""
        now = self.monotonic()
        self._sending = max(0, self._sending - 1)
        if self.limits.global_per_second:
            self._answered.append(now)
        if self.limits.per_chat_per_second:
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), now + self.chat_gap())

    def pause_chat(self, chat_id: str, seconds: float) -> None:
        """Hold a chat back (after a 429 naming it)."""
        self._chat_next[chat_id] = max(
            self._chat_next.get(chat_id, 0.0), self.monotonic() + seconds
        )

    def pause_all(self, seconds: float) -> None:
        """Hold every chat back (after a 429 that concerns the whole bot)."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)


def _trim(sent: deque[float], now: float, span: float) -> deque[float]:
    while sent and sent[0] <= now - span:
        sent.popleft()
    return sent
