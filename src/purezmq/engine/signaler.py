"""Wake-ups: how a socket's owner learns that its mailbox has something.

Theory of operation (libzmq ``signaler_t``; DESIGN.md "Threads, loops and wake-ups"):
a core socket calls ``wake()`` from any thread after it appends to its mailbox.
The sync facade waits on :class:`Signaler` (a lock used as a binary semaphore:
``wake`` releases it, ``wait`` acquires it, several wakes collapse into one); the
asyncio facade awaits :class:`AsyncSignaler` (a future on the socket's loop,
resolved directly on the loop's thread and through ``call_soon_threadsafe`` from
any other). Pollers add a callback to every socket they watch.

Wakes may be spurious; waiters always re-check the socket after waking.

The signaler's lock, its poll and the FD's socket pair are the originals even under
gevent's monkey-patching (``engine/iothread.py`` says why): a plain socket's blocking
call then blocks its thread, greenlets included, until the I/O thread wakes it, as a
pyzmq socket's does; ``purezmq.green`` waits on ``FD`` instead.
"""

from __future__ import annotations

import asyncio
import math
import select
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .iothread import original, os_lock

if TYPE_CHECKING:
    import socket

    from .fastpaths.owner_read import OwnerReader

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

    __slots__ = ("_armed", "_fd", "_lock", "_plain_next", "_poll", "_polled")

    def __init__(self) -> None:
        super().__init__()
        self._lock = os_lock()
        self._lock.acquire()
        # While a wait_readers() polls: wake() makes _fd readable too.
        self._armed = False
        self._fd: FdSignal | None = None
        self._poll: Any = None  # a select.poll
        self._polled: tuple[int, ...] = ()
        self._plain_next = False

    def wake(self) -> None:
        try:
            self._lock.release()
        except RuntimeError:
            pass  # already signalled
        if self._armed:
            self._fd.set()  # type: ignore[union-attr]
        for hook in self.hooks:
            hook()

    def wait_readers(self, readers: list[OwnerReader], timeout: float | None) -> bool:
        """As :meth:`wait` (exactly that, with no readers), and meanwhile watch the
        readers' connections: when one turns readable, read it in this thread (which
        may deliver a message without the I/O thread's help; see engine/stream.py).
        True if something may have changed.

        A reader that could not read (its connection is busy on the loop, or ended)
        makes the next wait a plain one, so that a descriptor the loop still has to deal
        with is not polled in a busy loop.
        """
        if not readers or self._plain_next:
            self._plain_next = False
            return self.wait(timeout)
        lock = self._lock
        if lock.acquire(blocking=False):
            return True
        fd = self._fd
        if fd is None:
            fd = self._fd = FdSignal()
        fds = tuple(reader.fd for reader in readers)
        poll = self._poll
        if poll is None or fds != self._polled:
            poll = self._poll = original("select", "poll")()
            poll.register(fd.fileno(), select.POLLIN)
            for each in fds:
                poll.register(each, select.POLLIN)
            self._polled = fds
        # Armed before the last look at the lock: a wake after that look sets the fd.
        self._armed = True
        for reader in readers:
            reader.waiting = True
            reader.waits += 1
        try:
            if lock.acquire(blocking=False):
                return True
            ready = poll.poll(None if timeout is None else max(0, math.ceil(timeout * 1000)))
        finally:
            for reader in readers:
                reader.waiting = False
            self._armed = False
            if fd.is_set():
                fd.clear()
        if not ready:
            return lock.acquire(blocking=False)
        for ready_fd, _ in ready:
            for reader in readers:
                if reader.fd == ready_fd and not reader.owner_read():
                    self._plain_next = True
        # The caller looks at the socket next: that answers this wake-up, and the ones
        # the reads above made (a delivery wakes the socket's own signaler).
        lock.acquire(blocking=False)
        return True

    def wait(self, timeout: float | None) -> bool:
        """Block until woken or ``timeout`` seconds pass (None: for ever); False on timeout."""
        if timeout is None:
            return self._lock.acquire()
        if timeout <= 0:
            return self._lock.acquire(blocking=False)
        return self._lock.acquire(timeout=timeout)


class AsyncSignaler(_Hooks):
    """The wake-up of a socket owned by an asyncio loop: runs ``callback`` soon on the loop.

    Until the socket meets its loop (``loop`` None), a wake-up only runs the hooks and
    is remembered: the callback runs once the loop is bound.
    """

    __slots__ = ("_callback", "_loop", "_missed", "_thread", "running", "scheduled")

    def __init__(
        self, loop: asyncio.AbstractEventLoop | None, thread_id: int, callback: WakeHook
    ) -> None:
        super().__init__()
        self._loop = loop
        self._thread = thread_id
        self._callback = callback
        # A run is scheduled on the loop; the callback is running now (on the loop).
        self.scheduled = False
        self.running = False
        self._missed = False

    def bind(self, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        """Run on ``loop`` (owned by ``thread_id``) from now on."""
        self._loop = loop
        self._thread = thread_id
        self.scheduled = False
        if self._missed:
            self._missed = False
            self.wake()

    def wake(self) -> None:
        if not self.scheduled:
            if threading.get_ident() == self._thread and self._loop is not None:
                if not self.running:
                    # On the loop's own thread: run now, saving a loop iteration per
                    # hand-off (what asyncio latency is made of). Not re-entrantly.
                    # (_run inlined: this is every delivery to an asyncio socket.)
                    self.running = True
                    try:
                        self._callback()
                    finally:
                        self.running = False
                else:
                    self.scheduled = True
                    self._loop.call_soon(self._run)
            elif self._loop is None:
                self._missed = True
            else:
                self.scheduled = True
                try:
                    self._loop.call_soon_threadsafe(self._run)
                except RuntimeError:
                    pass  # the loop is closed: nobody is waiting any more
        for hook in self.hooks:
            hook()

    def _run(self) -> None:
        self.scheduled = False
        self.running = True
        try:
            self._callback()
        finally:
            self.running = False


class FdSignal:
    """The file descriptor behind ``Socket.FD``: readable once the socket's events may
    have changed (as libzmq's, edge-like: read ZMQ_EVENTS, which clears it, then act).

    It is a wake hook of the socket's signaler, so it costs nothing until asked for.
    """

    __slots__ = ("_rsock", "_set", "_wsock")

    def __init__(self) -> None:
        pair: tuple[socket.socket, socket.socket] = original("socket", "socketpair")()
        self._rsock, self._wsock = pair
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

    def is_set(self) -> bool:
        return self._set

    def clear(self) -> None:
        """Drain the fd (the owner, before it looks at the socket's events).

        Drained first, then marked clear: a set() that comes between finds it still
        set and writes nothing, but what it reports happened before the owner's next
        look. Marked clear first, a set() between the two would write a byte that the
        drain then eats, leaving the fd marked set and unreadable: no later set()
        would write again, and a waiter on the fd would sleep for ever.
        """
        try:
            while self._rsock.recv(4096):
                pass
        except OSError:
            pass
        self._set = False

    def close(self) -> None:
        self._rsock.close()
        self._wsock.close()
