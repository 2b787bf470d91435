"""Green Poller: pyzmq's ``zmq.green.Poller``, waiting in gevent's hub.

The sync Poller decides what is ready (sockets' events, plain descriptors through a
zero-timeout poll); this one only replaces the wait between looks: the greenlet sleeps
until a registered socket may have changed (:mod:`._wakeups`) or a plain descriptor is
ready, so other greenlets run meanwhile.
"""

from __future__ import annotations

from typing import Any

from .. import constants
from ..sugar.poll import Poller as _SyncPoller
from ..sugar.poll import _fileno
from ._wakeups import wait_until, watch_fds

_POLLIN = int(constants.PollEvent.POLLIN)
_POLLOUT = int(constants.PollEvent.POLLOUT)
_POLLERR = int(constants.PollEvent.POLLERR)


class Poller(_SyncPoller):
    """Wait for events on sockets and descriptors, blocking only the calling greenlet."""

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: for ever); the (socket, events)
        ready, empty on timeout."""
        zsocks, fds = self._split()
        sockets = [sock for sock, _ in zsocks]

        def probe() -> list[tuple[Any, int]] | None:
            ready = self._ready(zsocks, fds)
            if ready:
                return ready
            for sock in sockets:
                if sock.context.terminated:
                    raise sock._terminated()  # or parked, at exit
            return None

        watched = [
            (_fileno(obj), bool(flags & (_POLLIN | _POLLERR)), bool(flags & _POLLOUT))
            for obj, flags in fds
        ]
        seconds = None if timeout is None or timeout < 0 else timeout / 1000
        return wait_until(probe, sockets, seconds, watch_fds(watched) if watched else None) or []
