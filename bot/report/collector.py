"""Holding off Python's cyclic garbage collector while a draft or an export is made."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block: a year's draft makes millions of short-lived
    objects (freed as they go by reference counting), and the collector's passes over them
    and over everything alive took a sixth of its time. Blocks may nest or overlap (two
    drafts at once); the collector runs again when the last one ends, if it ran before."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def without_collector(make: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """`make` (a coroutine function) run with the cyclic collector paused throughout."""

    @functools.wraps(make)
    async def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return await make(*args, **kwargs)

    return paused
