"""Fault injection: blocked chats, failing or slow calls, flood limits, redelivered updates."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TypeVar

from bot.demo.telegram_api.params import canonical
from bot.demo.telegram_api.protocol import HTTP_PHRASES
from bot.demo.telegram_api.records import Fault, FloodLimits
from bot.demo.telegram_api.state import ApiState

T = TypeVar("T")


class Faults(ApiState):
    """What a test does to make Telegram misbehave, as it sometimes does."""

    def block_chat(self, chat_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: sends to ``chat_id`` answer 403 from now on.

        With ``notify`` the bot also gets the ``my_chat_member`` update Telegram sends.
        """
        with self._cond:
            self._blocked.add(chat_id)
            if notify:
                self._push_update({"my_chat_member": self._member_change(chat_id, "kicked")})

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        with self._cond:
            self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` (``"*"``: any) fail with ``status``.

        The failed call has no effect. A 429 always carries ``parameters.retry_after``
        (default 1 s); the description defaults to Telegram's wording.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            phrase = HTTP_PHRASES.get(status, "Error")
            description = (
                f"Too Many Requests: retry after {retry_after}" if status == 429 else phrase
            )
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._cond:
            queue = self._faults.setdefault(canonical(method), deque())
            queue.extend(Fault(status, description, parameters) for _ in range(count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` before handling them.

        As on Telegram, a request the client gave up on is still carried out.
        """
        with self._cond:
            self._delays.setdefault(canonical(method), deque()).extend([seconds] * count)

    def network_delay(self, one_way: float, jitter: float = 0.0) -> None:
        """Every call travels `one_way` seconds (plus up to `jitter`, drawn anew each way)
        to the fake and as long back, as over a real network; (0, 0) switches it off.

        Flood limits count a call when it arrives, after its way there.
        """
        with self._cond:
            self._network = (one_way, jitter)

    def enforce_limits(
        self,
        per_chat_per_sec: float = 1,
        global_per_sec: float = 30,
        group_per_min: float = 20,
    ) -> None:
        """Answer 429 + retry_after to sends beyond Telegram's flood limits (off by default).

        Counted: successful sendMessage/sendDocument calls, per chat (1 s window), overall
        (1 s window) and per group chat, i.e. negative chat_id (60 s window).
        """
        with self._cond:
            self._limits = FloodLimits(per_chat_per_sec, global_per_sec, group_per_min)
            self._send_log.clear()

    def disable_limits(self) -> None:
        """Switch rate-limit enforcement off again."""
        with self._cond:
            self._limits = None

    def redeliver(self, update_ids: Iterable[int] | None = None) -> list[int]:
        """Forget confirmations: deliver the given (default: all already delivered) updates
        once more, with their original update_id, whatever offset the next getUpdates passes.
        Returns the update_ids scheduled again."""
        with self._cond:
            ids = (
                [i for i, r in self._updates.items() if r.delivered > 0]
                if update_ids is None
                else list(update_ids)
            )
            for update_id in ids:
                self._deliver_again(update_id)
            self._cond.notify_all()
            return sorted(ids)

    def deliver_twice(self, update_id: int) -> None:
        """Make sure ``update_id`` reaches the bot twice (Telegram's at-least-once delivery)."""
        with self._cond:
            record = self._updates[update_id]
            if record.delivered == 0:
                record.min_deliveries = max(record.min_deliveries, 2)
            else:
                self._deliver_again(update_id)
            self._cond.notify_all()


def pop_first(queues: dict[str, deque[T]], method: str) -> T | None:
    """The next queued item for ``method``, else for any method ("*"); None if none."""
    for key in (method, "*"):
        queue = queues.get(key)
        if queue:
            return queue.popleft()
    return None
