"""What a test (or the demo) reads back: the messages and calls the bot made, and waits
until the bot has done something."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import TypeVar

from bot.demo.telegram_api.protocol import JSON
from bot.demo.telegram_api.records import ApiCall, CallbackAnswer, FakeTelegramTimeout, SentMessage
from bot.demo.telegram_api.settings import commands_key
from bot.demo.telegram_api.state import ApiState

T = TypeVar("T")


class Observing(ApiState):
    """Snapshots of what the bot did, and ways to wait for it."""

    # ---- reading what the bot did ---------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Snapshots of the messages the bot sent to ``chat_id``, oldest first."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._sent if m.chat_id == chat_id]

    def all_sent(self) -> list[SentMessage]:
        """Snapshots of every message the bot sent, in order."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._sent]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Requests received (optionally only those of ``method``), in order."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def callback_answers(self) -> list[CallbackAnswer]:
        """answerCallbackQuery calls made so far."""
        with self._lock:
            return list(self._callback_answers)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set with setMyCommands for that scope/language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(commands_key(scope, language_code), []))

    def update(self, update_id: int) -> JSON:
        """The JSON of an update created by a ``user_*`` helper (e.g. to POST to a webhook)."""
        with self._lock:
            return copy.deepcopy(self._updates[update_id].update)

    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates(offset=...)."""
        with self._lock:
            return [copy.deepcopy(self._pending[i].update) for i in sorted(self._pending)]

    def confirmed_update_ids(self) -> list[int]:
        """update_ids confirmed by the bot, in confirmation order."""
        with self._lock:
            return list(self._confirmed)

    @property
    def unexpected_calls(self) -> list[str]:
        """Names of unsupported methods the bot called."""
        with self._lock:
            return [c.method for c in self._unexpected]

    def allow_unexpected_methods(self, *methods: str) -> None:
        """Opt out of the teardown check, for the given methods or (no args) for all."""
        with self._lock:
            if not methods:
                self._allow_unexpected = None
            elif self._allow_unexpected is not None:
                self._allow_unexpected.update(methods)

    def assert_no_unexpected_calls(self) -> None:
        """Fail if the bot called a method the fake does not implement (unless allowed)."""
        with self._lock:
            allowed = self._allow_unexpected
            bad = [c for c in self._unexpected if allowed is not None and c.method not in allowed]
        if bad:
            details = "; ".join(f"{c.method}({sorted(c.params)})" for c in bad)
            raise AssertionError(
                f"the bot called Bot API methods the fake Telegram server does not implement: "
                f"{details}. Implement them in bot/demo/telegram_api/ or call "
                f"fake_telegram.allow_unexpected_methods(...) in the test."
            )

    # ---- waiting (async for async tests, *_blocking for threads) --------------------------

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Await until ``predicate()`` (run under the server lock) returns non-None/False."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                result = predicate()
            if result is not None and result is not False:
                return result
            if time.monotonic() >= deadline:
                raise FakeTelegramTimeout(
                    f"timed out after {timeout}s" + (f": {describe()}" if describe else "")
                )
            await asyncio.sleep(0.005)

    def wait_until_blocking(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Thread-blocking variant of ``wait_until`` (for sync tests only)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result is not None and result is not False:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FakeTelegramTimeout(
                        f"timed out after {timeout}s" + (f": {describe()}" if describe else "")
                    )
                self._cond.wait(min(remaining, 0.05))

    def _messages_predicate(
        self, chat_id: int, count: int
    ) -> Callable[[], list[SentMessage] | None]:
        def ready() -> list[SentMessage] | None:
            found = [m for m in self._sent if m.chat_id == chat_id]
            return [copy.deepcopy(m) for m in found] if len(found) >= count else None

        return ready

    def _describe_chat(self, chat_id: int, count: int) -> Callable[[], str]:
        def describe() -> str:
            texts = [m.plain_text for m in self.sent_to(chat_id)]
            return (
                f"chat {chat_id} expected >= {count} bot messages, got {len(texts)}: {texts!r}; "
                f"methods called: {[c.method for c in self.calls()][-20:]}"
            )

        return describe

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Await until the bot has sent >= ``count`` messages to ``chat_id``; return them all."""
        return await self.wait_until(
            self._messages_predicate(chat_id, count), timeout, self._describe_chat(chat_id, count)
        )

    def wait_for_messages_blocking(
        self, chat_id: int, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Thread-blocking variant of ``wait_for_messages``."""
        return self.wait_until_blocking(
            self._messages_predicate(chat_id, count), timeout, self._describe_chat(chat_id, count)
        )

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[ApiCall]:
        """Await until ``method`` was called >= ``count`` times; return those calls."""

        def ready() -> list[ApiCall] | None:
            found = [c for c in self._calls if c.method == method]
            return found if len(found) >= count else None

        return await self.wait_until(
            ready, timeout, lambda: f"{method} called {len(self.calls(method))}x, wanted {count}"
        )

    async def wait_for_callback_answer(
        self, update_id: int, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Await the bot's answerCallbackQuery for the button press ``update_id``."""

        def ready() -> CallbackAnswer | None:
            return next((a for a in self._callback_answers if a.update_id == update_id), None)

        return await self.wait_until(
            ready, timeout, lambda: f"callback query of update {update_id} not answered"
        )

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Await until the bot confirmed ``update_id`` via getUpdates(offset=...)."""
        await self.wait_until(
            lambda: update_id in self._confirmed and update_id not in self._pending,
            timeout,
            lambda: f"update {update_id} not confirmed; confirmed: {self.confirmed_update_ids()}",
        )

    async def wait_for_polling(self, timeout: float = 5.0) -> None:
        """Await until a getUpdates long poll is waiting (the bot is ready for updates)."""
        await self.wait_until(
            lambda: self._polls_waiting > 0, timeout, lambda: "no getUpdates long poll in flight"
        )
