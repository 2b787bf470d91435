"""Sockets whose calls return awaitables for tornado coroutines (pyzmq's
``zmq.eventloop.future``).

Theory of operation: tornado 6 runs on asyncio, and its Future *is* asyncio's, so
these are :mod:`purezmq.asyncio`'s sockets, contexts and pollers with two of pyzmq's
tornado-flavoured details:

- their Futures cancel as pyzmq's tornado Futures do: ``cancel()`` resolves the
  Future with this module's :class:`CancelledError` (an ordinary Exception, which
  ``await`` raises), and ``cancelled()`` says whether that happened. Nothing is lost:
  a cancelled ``recv`` takes no message from the socket.
- a socket is registered with tornado's IOLoop when it is first used on it (a
  handler that watches no events), so that ``IOLoop.close(all_fds=True)`` closes it.

``Poller.poll`` returns such a Future too, rather than a coroutine.
"""

from __future__ import annotations

import asyncio
import warnings
import weakref
from collections.abc import Callable
from typing import Any

from tornado.ioloop import IOLoop

from .. import asyncio as _azmq

__all__ = ["CancelledError", "Context", "Poller", "Socket"]


class CancelledError(Exception):
    """What awaiting a cancelled Future of this module raises."""


class _TornadoFuture(asyncio.Future[Any]):
    """An asyncio Future whose cancellation is an exception it holds (pyzmq's)."""

    def cancel(self, msg: Any = None) -> bool:
        if self.done():
            return False
        self.set_exception(CancelledError())
        return True

    def cancelled(self) -> bool:
        return self.done() and isinstance(self.exception(), CancelledError)


class _TornadoWaiting(_azmq._Waiting):
    """Runs a socket's operations with tornado-flavoured Futures, and tells the socket
    when it meets a loop (through ``on_loop``, which refers to it weakly)."""

    __slots__ = ("on_loop",)

    def __init__(self, *args: Any) -> None:
        self.on_loop: Callable[[], None] | None = None
        super().__init__(*args)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
        changed = self.loop is not loop
        super().bind_loop(loop)
        if changed and self.on_loop is not None:
            self.on_loop()
        return loop

    def start(
        self,
        waiters: Any,
        attempt: Callable[[Any], Any],
        arg: Any,
        flags: int,
        timeout_ms: int,
        future_class: type[asyncio.Future[Any]] = _TornadoFuture,
    ) -> asyncio.Future[Any]:
        return super().start(waiters, attempt, arg, flags, timeout_ms, future_class)


class _Handle:
    """What the IOLoop's handler table holds for a socket: its FD, and a ``close`` that
    closes it (for ``IOLoop.close(all_fds=True)``); the socket itself only weakly, so
    that a socket the program drops is still collected (and closed)."""

    def __init__(self, sock: Socket, fd: int) -> None:
        self.socket = weakref.ref(sock)
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        sock = self.socket()
        if sock is not None:
            sock.close()


def _ignore_events(fd: Any, events: int) -> None:
    """The IOLoop handler of a socket: it is registered for no events."""


def _warn_io_loop(kwargs: dict[str, Any], owner: type) -> None:
    if kwargs.pop("io_loop", None) is not None:
        warnings.warn(
            f"{owner.__name__}(io_loop) argument is deprecated in pyzmq 22.2."
            " The currently active loop will always be used.",
            DeprecationWarning,
            stacklevel=3,
        )


class Socket(_azmq.Socket):
    """An asyncio socket whose awaitables are tornado-flavoured Futures."""

    _waiting_class = _TornadoWaiting
    _io_loop: IOLoop | None = None
    _io_fd: int = -1

    def __init__(self, context: Any = None, socket_type: int = 0, **kwargs: Any) -> None:
        _warn_io_loop(kwargs, type(self))
        super().__init__(context, socket_type, **kwargs)
        self._watch_loop()

    def _watch_loop(self) -> None:
        """Join tornado's IOLoop whenever the socket meets a loop (now, if it has)."""
        waiting: Any = self._waiting
        ref = weakref.ref(self)
        waiting.on_loop = lambda: _join_io_loop(ref)
        if waiting.loop is not None:
            self._join_io_loop()

    def _join_io_loop(self) -> None:
        """Be in the handler table of the running loop's IOLoop (and no other's)."""
        io_loop = IOLoop.current()
        if io_loop is self._io_loop:
            return
        self._leave_io_loop()
        fd = self.fileno()
        try:
            io_loop.add_handler(_Handle(self, fd), _ignore_events, 0)
        except ValueError:
            return  # another facade of this socket (a shadow) is there already
        self._io_loop, self._io_fd = io_loop, fd

    def _leave_io_loop(self) -> None:
        io_loop = self._io_loop
        if io_loop is not None:
            self._io_loop = None
            io_loop.remove_handler(self._io_fd)

    def close(self, linger: int | None = None) -> None:
        """Close the socket (see purezmq.Socket.close), and leave the IOLoop."""
        self._leave_io_loop()
        super().close(linger)


def _join_io_loop(ref: weakref.ref[Socket]) -> None:
    sock = ref()
    if sock is not None:
        sock._join_io_loop()


class Context(_azmq.Context):
    """A Context whose sockets are this module's."""

    _instance = None  # Context.instance() of this class, apart from the others'
    _socket_class = Socket
    io_loop = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _warn_io_loop(kwargs, type(self))
        super().__init__(*args, **kwargs)


class Poller(_azmq.Poller):
    """A Poller whose ``poll`` returns a tornado-flavoured Future."""

    _socket_class = Socket

    def poll(self, timeout: float | None = -1) -> _TornadoFuture:  # type: ignore[override]
        """A Future of the (socket, events) ready within ``timeout`` ms (None or
        negative: no limit; 0: the events ready now, resolved at once)."""
        future = _TornadoFuture(loop=asyncio.get_running_loop())
        _azmq._PollWait(self, timeout, future)
        return future
