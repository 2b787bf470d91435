"""What a thread has handed to an I/O loop that the loop has not run yet.

Theory of operation: a sync socket's thread hands work to its context's I/O loop
(``SocketEngine.schedule``: a pipe's wake-up, so that a session flushes what was
queued), and the direct send (``fastpaths/direct_send.py``) lets the same thread write
a message straight to the kernel. The direct send must not overtake what that thread
handed over before it: a SUB's subscription queued for a new peer, then a message on
another socket, must leave in that order, as they do from libzmq's I/O thread, which
takes both in the order it was given them. So each thread keeps, per loop, the
hand-offs still waiting; a direct send goes only while there are none.

Threads: the list of one (thread, loop) pair is appended to by that thread and
emptied by that loop's thread; deque's append and remove are atomic.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

_Waiting = deque[Callable[[], None]]
_local = threading.local()


def _per_loop() -> weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting]:
    per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting] | None
    per_loop = getattr(_local, "per_loop", None)
    if per_loop is None:
        per_loop = _local.per_loop = weakref.WeakKeyDictionary()
    return per_loop


def _waiting(loop: asyncio.AbstractEventLoop) -> _Waiting:
    per_loop = _per_loop()
    waiting = per_loop.get(loop)
    if waiting is None:
        waiting = per_loop[loop] = deque()
    return waiting


def handed(
    loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], args: tuple[Any, ...]
) -> Callable[[], None]:
    """``fn(*args)``, counted as waiting for ``loop`` until it has run."""
    waiting = _waiting(loop)

    def run() -> None:
        try:
            fn(*args)
        finally:
            waiting.remove(run)

    waiting.append(run)
    return run


def withdrawn(loop: asyncio.AbstractEventLoop, run: Callable[[], None]) -> None:
    """``run`` will never run (its loop is closed): it waits no more."""
    waiting = _waiting(loop)
    if run in waiting:
        waiting.remove(run)


def settled(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether everything this thread handed to ``loop`` has run."""
    per_loop = getattr(_local, "per_loop", None)
    return per_loop is None or not per_loop.get(loop)


__all__ = ["handed", "settled", "withdrawn"]
