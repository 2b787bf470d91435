"""Green Socket and Context: pyzmq's ``zmq.green`` classes over purezmq's sync ones.

Theory of operation: the sync :class:`purezmq.Socket` first tries every operation
without blocking, and calls ``_wait(attempt, timeout)`` only when it would block (and
NOBLOCK was not given). The green socket overrides that one method (and ``poll``): it
waits for the socket's FD in gevent's hub (:mod:`._wakeups`) and tries again, until the
attempt succeeds, RCVTIMEO/SNDTIMEO pass (``Again``), or the context is terminated
(``ContextTerminated``). So send, recv, their multipart, string, json, pyobj and
serialized forms and ``recv_into`` block only their greenlet, and nothing is written
twice. A message is taken from the socket only by the attempt that returns it: a
``gevent.Timeout`` or ``Greenlet.kill()`` during a wait loses nothing.

A green socket belongs to the hub of the thread that waits on it, as a pyzmq green
socket belongs to the hub its watcher was made in.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

from gevent.event import Event
from gevent.hub import get_hub

from .. import constants
from ..core.errors import WouldBlock
from ..error import Again
from ..sugar.context import Context as _SyncContext
from ..sugar.socket import Socket as _SyncSocket
from ._wakeups import existing_wakeups, wait_until

_EVENTS = int(constants.SocketOption.EVENTS)
_POLLIN = int(constants.PollEvent.POLLIN)
_TIMEOS = (int(constants.SocketOption.RCVTIMEO), int(constants.SocketOption.SNDTIMEO))
# How often a green term() that waits for sockets collects garbage (see Context.term).
_COLLECT_EVERY = 0.5


class Socket(_SyncSocket[bytes]):
    """A socket whose blocking calls block only the calling greenlet."""

    _repr_cls = "zmq.green.Socket"

    def _wait(self, attempt: Callable[[], Any], timeout_ms: int, reading: bool = False) -> Any:
        """Retry ``attempt`` each time the socket may have changed until it gives
        something (not None, no WouldBlock); Again once ``timeout_ms`` (-1: never)
        passes, ContextTerminated when the context is."""

        def probe() -> Any:
            self._check_open()
            try:
                return attempt()
            except WouldBlock:
                return None

        found = wait_until(probe, [self], None if timeout_ms < 0 else timeout_ms / 1000)
        if found is None:
            raise Again()
        return found

    def poll(self, timeout: int | None = None, flags: int = _POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or negative: for ever) for ``flags``, blocking
        only this greenlet; the events that are ready (0 on timeout)."""
        self._events()  # ENOTSOCK on a closed socket

        def probe() -> int | None:
            if self.context.terminated:
                raise self._terminated()  # or parked, at exit
            return (self._core.events() & flags) or None

        seconds = None if timeout is None or timeout < 0 else timeout / 1000
        return wait_until(probe, [self], seconds) or 0

    def set(self, option: int, optval: Any) -> None:
        """As the sync socket's, warning (as pyzmq's zmq.green does) on RCVTIMEO and
        SNDTIMEO, which pyzmq's green sockets ignore."""
        _warn_timeo(option)
        super().set(option, optval)

    setsockopt = set

    def get(self, option: int) -> Any:
        """As the sync socket's; reading EVENTS (which drains the FD) wakes this
        socket's waiting greenlets, so that none misses the change it drained."""
        _warn_timeo(option)
        value = super().get(option)
        if int(option) == _EVENTS:
            found = existing_wakeups(self)
            if found is not None:
                found.notify()
        return value

    getsockopt = get

    def close(self, linger: int | None = None) -> None:
        """Close the socket; greenlets waiting on it raise ZMQError(ENOTSOCK)."""
        found = existing_wakeups(self)
        if found is not None and not self.closed:
            found.close()
        super().close(linger)


def _warn_timeo(option: int) -> None:
    if option in _TIMEOS:
        # purezmq's green sockets do honour them: the warning is for portability.
        warnings.warn(
            "TIMEO socket options have no effect in pyzmq's zmq.green"
            " (purezmq's green sockets honour them)",
            UserWarning,
            stacklevel=3,
        )


class Context(_SyncContext[Socket]):
    """A Context whose sockets are green, and whose term() waits cooperatively."""

    _repr_cls = "zmq.green.Context"

    _socket_class = Socket
    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _closing: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_closing", Event())

    def _socket_closed(self, sock: Any) -> None:
        super()._socket_closed(sock)
        self._closing.set()

    def _wait_sockets_closed(self) -> None:
        """Let the greenlets that close the sockets run meanwhile (the sync context's
        wait would block the hub, and them with it)."""
        while any(not sock.closed for sock in list(self._state.sockets)):
            if not self._closing.wait(_COLLECT_EVERY):
                gc.collect()
            self._closing.clear()

    def _wait_flushed(self, engines: list[Any], limit: float | None = None) -> None:
        """The LINGER wait in one of gevent's pool threads: other greenlets run
        meanwhile, and a gevent.Timeout around term() can fire."""
        pending = [engine for engine in engines if not engine.done.is_set()]
        if pending and self.exiting:
            # The exit hook, in the main greenlet: gevent's pool cannot start at exit
            # (its first use imports concurrent.futures, which refuses after shutdown),
            # and the greenlets left are parked for good (sugar/exiting.py).
            super()._wait_flushed(pending, limit)
        elif pending:
            get_hub().threadpool.apply(super()._wait_flushed, (pending, limit))
