"""Wake-ups: how a socket's owner learns that its mailbox has something.

Theory of operation (libzmq ``signaler_t``; DESIGN.md "Threads, loops and wake-ups"):
a core socket calls ``wake()`` from any thread after it appends to its mailbox.
The sync facade waits on :class:`Signaler` (a lock used as a binary semaphore:
``wake`` releases it, ``wait`` acquires it, several wakes collapse into one); the
asyncio facade awaits :class:`AsyncSignaler` (a future on the socket's loop,
resolved directly on the loop's thread and through ``call_soon_threadsafe`` from
any other). Pollers add a callback to every socket they watch.

Wakes may be spurious; waiters always re-check the socket after waking.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable

WakeHook = Callable[[], None]


class _Hooks:
    """Extra wake callbacks (pollers), replaced rather than mutated so wake() may iterate."""

    __slots__ = ("hooks",)

    def __init__(self) -> None:
        self.hooks: tuple[WakeHook, ...] = ()

    def add_hook(self, hook: WakeHook) -> None:
        self.hooks = (*self.hooks, hook)

    def remove_hook(self, hook: WakeHook) -> None:
        self.hooks = tuple(h for h in self.hooks if h is not hook)


class Signaler(_Hooks):
    """The wake-up of a socket owned by a plain thread."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._lock.acquire()

    def wake(self) -> None:
        try:
            self._lock.release()
        except RuntimeError:
            pass  # already signalled
        for hook in self.hooks:
            hook()

    def wait(self, timeout: float | None) -> bool:
        """Block until woken or ``timeout`` seconds pass (None: for ever); False on timeout."""
        if timeout is None:
            return self._lock.acquire()
        if timeout <= 0:
            return self._lock.acquire(blocking=False)
        return self._lock.acquire(timeout=timeout)


class AsyncSignaler(_Hooks):
    """The wake-up of a socket owned by an asyncio loop: runs ``callback`` soon on the loop."""

    __slots__ = ("_callback", "_loop", "_running", "_scheduled", "_thread")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, thread_id: int, callback: WakeHook
    ) -> None:
        super().__init__()
        self._loop = loop
        self._thread = thread_id
        self._callback = callback
        self._scheduled = False
        self._running = False

    def wake(self) -> None:
        if not self._scheduled:
            if threading.get_ident() == self._thread:
                if not self._running:
                    # On the loop's own thread: run now, saving a loop iteration per
                    # hand-off (what asyncio latency is made of). Not re-entrantly.
                    self._run()
                else:
                    self._scheduled = True
                    self._loop.call_soon(self._run)
            else:
                self._scheduled = True
                try:
                    self._loop.call_soon_threadsafe(self._run)
                except RuntimeError:
                    pass  # the loop is closed: nobody is waiting any more
        for hook in self.hooks:
            hook()

    def _run(self) -> None:
        self._scheduled = False
        self._running = True
        try:
            self._callback()
        finally:
            self._running = False


class FdSignal:
    """The file descriptor behind ``Socket.FD``: readable once the socket's events may
    have changed (as libzmq's, edge-like: read ZMQ_EVENTS, which clears it, then act).

    It is a wake hook of the socket's signaler, so it costs nothing until asked for.
    """

    __slots__ = ("_rsock", "_set", "_wsock")

    def __init__(self) -> None:
        self._rsock, self._wsock = socket.socketpair()
        self._rsock.setblocking(False)
        self._wsock.setblocking(False)
        self._set = False

    def fileno(self) -> int:
        return self._rsock.fileno()

    def set(self) -> None:
        """Make the fd readable (any thread); a no-op while it already is."""
        if not self._set:
            self._set = True
            try:
                self._wsock.send(b"\0")
            except OSError:
                pass  # full or closed: readable already, or nobody is watching

    def clear(self) -> None:
        """Drain the fd (the owner, before it looks at the socket's events)."""
        self._set = False
        try:
            while self._rsock.recv(4096):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self._rsock.close()
        self._wsock.close()
