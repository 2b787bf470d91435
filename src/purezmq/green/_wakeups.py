"""Greenlets waiting on purezmq sockets: one gevent watcher per socket's FD.

Theory of operation: a socket's ``FD`` (engine/signaler.py ``FdSignal``) turns readable
when the socket's events may have changed, and stays readable until someone drains it;
it does not say which greenlet the change is for. So one watcher per socket drains it
and wakes *every* greenlet waiting on that socket (:class:`Wakeups`), and each one
re-tries its own operation. A waiter subscribes before its try, so a change after the
try reaches it; the drain happens only in the watcher's callback (and when the program
reads ``EVENTS``, after which :func:`notify` wakes the waiters all the same).

The I/O thread touches no gevent object: it only writes to the FD's socket pair, and
the hub's own poll sees it. Everything here runs in the socket's hub thread.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from gevent.event import Event
from gevent.hub import get_hub

from ..engine.signaler import FdSignal

T = TypeVar("T")
Callback = Callable[[], None]
_READ = 1  # libev/libuv EV_READ
_WRITE = 2


class Wakeups:
    """The greenlets waiting on one socket: its FD's watcher, started while any wait."""

    __slots__ = ("_callbacks", "_fd", "_watcher")

    def __init__(self, fd: FdSignal) -> None:
        self._fd = fd
        self._watcher: Any = None
        self._callbacks: list[Callback] = []

    def add(self, callback: Callback) -> None:
        """Call ``callback`` (in the hub) whenever the socket's events may have changed."""
        self._callbacks.append(callback)
        if self._watcher is None:
            self._watcher = get_hub().loop.io(self._fd.fileno(), _READ)
            self._watcher.start(self._fired)

    def remove(self, callback: Callback) -> None:
        """Stop calling ``callback``; the watcher stops with the last one."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            return
        if not self._callbacks:
            self._stop()

    def _stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            watcher.close()

    def _fired(self) -> None:
        self._fd.clear()
        self.notify()

    def notify(self) -> None:
        """Wake every waiter: each looks at the socket again."""
        for callback in tuple(self._callbacks):
            callback()

    def close(self) -> None:
        """The socket closes: stop watching its FD (about to be closed), wake the waiters."""
        self._stop()
        self.notify()


_by_socket: weakref.WeakKeyDictionary[Any, Wakeups] = weakref.WeakKeyDictionary()


def wakeups(sock: Any) -> Wakeups:
    """The :class:`Wakeups` of a purezmq socket (green or plain), made on first use."""
    found = _by_socket.get(sock)
    if found is None:
        found = _by_socket[sock] = Wakeups(sock._fd_signal())
    # While a greenlet waits, the I/O thread reads the socket's connections (a plain
    # socket's own thread reads them itself while it blocks: see engine/stream.py).
    sock._release_readers()
    return found


def existing_wakeups(sock: Any) -> Wakeups | None:
    """The socket's :class:`Wakeups` if some greenlet ever waited on it."""
    return _by_socket.get(sock)


def wait_until(probe: Callable[[], T | None], sockets: list[Any], timeout: float | None,
               extra: Callable[[Callback], Callback] | None = None) -> T | None:
    """Run ``probe`` until it returns something other than None and return that; None
    once ``timeout`` seconds pass (None: for ever). Between tries this greenlet sleeps
    until one of ``sockets`` may have changed (or ``extra``'s callback fires: it is
    given the wake-up callback and returns an undo).

    Interrupting it (gevent.Timeout, Greenlet.kill) leaves nothing behind: a message
    is only taken by the probe that returns it.
    """
    woken = Event()
    subscribed = [wakeups(sock) for sock in sockets]
    for each in subscribed:
        each.add(woken.set)
    undo = extra(woken.set) if extra is not None else None
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            woken.clear()
            found = probe()
            if found is not None:
                return found
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            woken.wait(remaining)
    finally:
        for each in subscribed:
            each.remove(woken.set)
        if undo is not None:
            undo()


def watch_fds(fds: list[tuple[int, bool, bool]]) -> Callable[[Callback], Callback]:
    """An ``extra`` for :func:`wait_until`: wake when one of the plain descriptors
    (fd, for reading, for writing) is ready."""

    def start(callback: Callback) -> Callback:
        loop = get_hub().loop
        watchers = []
        for fd, read, write in fds:
            watcher = loop.io(fd, (_READ if read else 0) | (_WRITE if write else 0))
            watcher.start(callback)
            watchers.append(watcher)

        def stop() -> None:
            for watcher in watchers:
                watcher.stop()
                watcher.close()

        return stop

    return start
