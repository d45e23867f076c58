"""Send-rate limits as Telegram publishes them: per chat, overall, and per group per minute."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# Our clock starts when a request leaves, Telegram's when it arrives: two requests sent a
# second apart can arrive closer together. A 10% margin keeps network jitter from costing a
# 429 (which would cost far more than the margin).
SAFETY = 1.1


@dataclass(frozen=True, slots=True)
class Limits:
    """Messages allowed; 0 switches a limit off (e.g. against a local server)."""

    per_chat_per_second: float = 1.0
    global_per_second: float = 30.0
    group_per_minute: float = 20.0


class RateLimiter:
    """Decides when the next message to a chat may go; never lets a burst exceed a limit."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.monotonic = monotonic
        self._chat_next: dict[str, float] = {}
        self._global_sent: deque[float] = deque()
        self._group_sent: dict[str, deque[float]] = {}
        self._paused_until = 0.0

    def wait_for(self, chat_id: str, is_group: bool = False) -> float:
        """Seconds until a message to this chat may be sent (0: now)."""
        now = self.monotonic()
        waits = [self._paused_until - now, self._chat_next.get(chat_id, 0.0) - now]
        if self.limits.global_per_second:
            window = _trim(self._global_sent, now, SAFETY)
            if len(window) >= self.limits.global_per_second:
                waits.append(window[0] + SAFETY - now)
        if is_group and self.limits.group_per_minute:
            window = _trim(self._group_sent.setdefault(chat_id, deque()), now, 60.0 * SAFETY)
            if len(window) >= self.limits.group_per_minute:
                waits.append(window[0] + 60.0 * SAFETY - now)
        return max(0.0, *waits)

    def chat_gap(self) -> float:
        """Seconds between two messages to one chat (0: no per-chat limit)."""
        if not self.limits.per_chat_per_second:
            return 0.0
        return SAFETY / self.limits.per_chat_per_second

    def take(self, chat_id: str, is_group: bool = False) -> None:
        """Count a message as sent now."""
        now = self.monotonic()
        if self.limits.per_chat_per_second:
            self._chat_next[chat_id] = now + self.chat_gap()
        if self.limits.global_per_second:
            self._global_sent.append(now)
        if is_group and self.limits.group_per_minute:
            self._group_sent.setdefault(chat_id, deque()).append(now)

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
