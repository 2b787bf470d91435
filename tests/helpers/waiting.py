"""Waiting on conditions with a deadline: the only way tests synchronise."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_DEADLINE = 10.0


def wait_for(condition: Callable[[], T], deadline: float = DEFAULT_DEADLINE) -> T:
    """Poll ``condition`` until it returns something truthy; fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    delay = 0.0005
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {deadline}s: {condition}")
        time.sleep(delay)  # a poll interval, not a synchronisation
        delay = min(delay * 2, 0.02)


async def async_wait_for(
    condition: Callable[[], T], deadline: float = DEFAULT_DEADLINE
) -> T:
    """``wait_for`` for coroutines: yields to the loop between checks."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {deadline}s: {condition}")
        await asyncio.sleep(0.001)


def run(coro: Awaitable[T], deadline: float = 30.0) -> T:
    """Run a coroutine on a fresh loop, failing if it takes longer than ``deadline`` s."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, deadline)

    return asyncio.run(bounded())
