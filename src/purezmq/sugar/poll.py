"""Poller and select over sockets and plain file descriptors (pyzmq ``zmq.Poller``).

Theory of operation: the poller adds a wake hook to the signaler of every socket it
watches *before* it first looks at their events, so a socket that becomes ready
between the look and the wait still wakes it. With only sockets registered the
wait is a lock; with file descriptors too it is a ``select`` over them plus a
socket pair that the hooks write to.
"""

from __future__ import annotations

import select as _select
import time
from typing import Any

from .. import constants
from ..error import ZMQError
from .exiting import stay_blocked_if_exiting

POLLIN = int(constants.PollEvent.POLLIN)
POLLOUT = int(constants.PollEvent.POLLOUT)
POLLERR = int(constants.PollEvent.POLLERR)


def _fileno(obj: Any) -> int:
    return obj if isinstance(obj, int) else int(obj.fileno())


class _LockWaker:
    """Wakes a poller that waits on sockets only.

    The I/O thread wakes it: a real lock even under gevent's monkey-patching (see
    engine/iothread.py), so a plain Poller blocks its thread as pyzmq's does.
    """

    def __init__(self) -> None:
        from ..engine.iothread import os_lock  # loaded with the first socket already

        self.lock = os_lock()
        self.lock.acquire()

    def wake(self) -> None:
        try:
            self.lock.release()
        except RuntimeError:
            pass

    def wait(self, timeout: float | None, fds: list[Any]) -> None:
        self.lock.acquire(timeout=-1 if timeout is None else max(timeout, 0))

    def close(self) -> None:
        pass


class _FdWaker:
    """Wakes a poller that also selects on plain file descriptors."""

    def __init__(self) -> None:
        import socket  # only for pollers of plain descriptors: not in ``import purezmq``

        self.rsock, self.wsock = socket.socketpair()
        self.rsock.setblocking(False)
        self.wsock.setblocking(False)

    def wake(self) -> None:
        try:
            self.wsock.send(b"\0")
        except OSError:
            pass  # buffer full: a wake-up is pending anyway

    def wait(self, timeout: float | None, fds: list[Any]) -> None:
        rlist = [self.rsock, *(fd for fd, flags in fds if flags & POLLIN)]
        wlist = [fd for fd, flags in fds if flags & POLLOUT]
        _select.select(rlist, wlist, [], None if timeout is None else max(timeout, 0))

    def close(self) -> None:
        self.rsock.close()
        self.wsock.close()


class Poller:
    """Wait for events on several sockets and file descriptors at once."""

    # Its poll() blocks the calling thread (the asyncio Poller's does not).
    _blocks = True

    def __init__(self) -> None:
        self.sockets: list[tuple[Any, int]] = []
        self._map: dict[Any, int] = {}

    def __contains__(self, socket: Any) -> bool:
        return socket in self._map

    def register(self, socket: Any, flags: int = POLLIN | POLLOUT) -> None:
        """Watch ``socket`` (a Socket, an fd, or an object with fileno()) for ``flags``;
        ``flags=0`` unregisters it. TypeError, here rather than at ``poll()``, for an
        object that is none of these."""
        if not flags:
            if socket in self._map:
                self.unregister(socket)
            return
        check_pollable(socket)
        if self._blocks and hasattr(socket, "_core"):
            socket._polled_synchronously()
        if socket in self._map:
            self.sockets[self._map[socket]] = (socket, flags)
        else:
            self._map[socket] = len(self.sockets)
            self.sockets.append((socket, flags))

    def modify(self, socket: Any, flags: int = POLLIN | POLLOUT) -> None:
        """Change the flags of a registered socket."""
        self.register(socket, flags)

    def unregister(self, socket: Any) -> None:
        """Stop watching ``socket``; KeyError if it is not registered."""
        idx = self._map.pop(socket)
        self.sockets.pop(idx)
        for sock, i in list(self._map.items()):
            if i > idx:
                self._map[sock] = i - 1

    def _split(self) -> tuple[list[tuple[Any, int]], list[tuple[Any, int]]]:
        zsocks = [(s, f) for s, f in self.sockets if hasattr(s, "_core")]
        fds = [(s, f) for s, f in self.sockets if not hasattr(s, "_core")]
        return zsocks, fds

    def _ready(self, zsocks: list[tuple[Any, int]], fds: list[tuple[Any, int]]) -> list[Any]:
        ready = []
        for sock, flags in zsocks:
            events = sock._events() & flags
            if events:
                ready.append((sock, events))
        if fds:
            ready.extend(_fd_events(fds))
        return ready

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: for ever); the (socket, events) ready.

        With nothing registered it returns ``[]`` at once, whatever the timeout, as
        pyzmq's (libzmq's ``zmq_poll`` of no items).
        """
        if not self.sockets:
            return []
        if timeout is not None and timeout < 0:
            timeout = None
        zsocks, fds = self._split()
        waker: _LockWaker | _FdWaker = _FdWaker() if fds else _LockWaker()
        for sock, _ in zsocks:
            sock._signaler.add_hook(waker.wake)
            # The I/O thread reads the sockets' connections while this waits.
            sock._release_readers()
        try:
            deadline = None if timeout is None else time.monotonic() + timeout / 1000
            while True:
                try:
                    ready = self._ready(zsocks, fds)
                except ZMQError:  # a socket closed, maybe by the exit hook
                    for sock, _ in zsocks:
                        stay_blocked_if_exiting(sock.context)
                    raise
                if ready:
                    return ready
                for sock, _ in zsocks:
                    if sock.context.terminated:
                        from ..error import ContextTerminated

                        stay_blocked_if_exiting(sock.context)
                        raise ContextTerminated()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return []
                waker.wait(remaining, fds)
        finally:
            for sock, _ in zsocks:
                sock._signaler.remove_hook(waker.wake)
            waker.close()


def check_pollable(obj: object) -> None:
    """TypeError unless ``obj`` can be polled: a socket, an int fd, or an object with a
    ``fileno()`` method (pyzmq's message, which pyzmq gives only at ``poll()``)."""
    if hasattr(obj, "_core") or isinstance(obj, int) or callable(getattr(obj, "fileno", None)):
        return
    raise TypeError(
        f"Socket must be a 0MQ socket, an integer fd or have a fileno() method: {obj!r}"
    )


def _fd_events(fds: list[tuple[Any, int]]) -> list[tuple[int, int]]:
    """The events ready now on plain file descriptors, by number (as pyzmq: an object
    with ``fileno()`` is reported as its fd)."""
    poller = _select.poll()
    for obj, flags in fds:
        fd = _fileno(obj)
        mask = (_select.POLLIN if flags & POLLIN else 0) | (
            _select.POLLOUT if flags & POLLOUT else 0
        )
        poller.register(fd, mask)
    ready = []
    for fd, mask in poller.poll(0):
        events = 0
        if mask & (_select.POLLIN | _select.POLLHUP):
            events |= POLLIN
        if mask & _select.POLLOUT:
            events |= POLLOUT
        if mask & (_select.POLLERR | _select.POLLNVAL):
            events |= POLLERR
        if events:
            ready.append((fd, events))
    return ready


def select(
    rlist: list[Any], wlist: list[Any], xlist: list[Any], timeout: float | None = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """pyzmq's ``zmq.select``: like select.select over sockets and fds (timeout in
    seconds); as pyzmq, ready plain descriptors are given by number."""
    poller = Poller()
    for sock in {*rlist, *wlist, *xlist}:
        flags = (POLLIN if sock in rlist else 0) | (POLLOUT if sock in wlist else 0)
        flags |= POLLERR if sock in xlist else 0
        poller.register(sock, flags)
    ready = poller.poll(None if timeout is None or timeout < 0 else timeout * 1000)
    return (
        [s for s, events in ready if events & POLLIN],
        [s for s, events in ready if events & POLLOUT],
        [s for s, events in ready if events & POLLERR],
    )
