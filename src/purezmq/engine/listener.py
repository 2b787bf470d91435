"""A bound endpoint: accepts connections and gives each a Session.

As in libzmq, the sessions a listener accepted end with it when it is unbound; when the
socket closes they flush what is queued under LINGER, like every other session.

The listener accepts by itself (a reader on the listening socket) rather than through
``loop.create_server``, so that a failed accept reaches the monitor (ACCEPT_FAILED,
with the errno). When the process is out of descriptors or memory, accepting pauses
for ACCEPT_RETRY seconds instead of spinning on a socket that stays readable.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from typing import Protocol

from ..constants import Event as ev
from .session import Host, Session
from .tcp import BoundSocket


class ListenerHost(Protocol):
    """What a Listener needs of its socket's I/O side (see host.py)."""

    loop: asyncio.AbstractEventLoop

    async def open_session(self, sock: socket.socket, factory: Callable[[], Session]) -> None: ...
    def session_host(self) -> Host: ...
    session_class: type[Session]  # ZMTP's, or raw.py's for STREAM sockets
    def emit(self, event: int, value: int, endpoint: str) -> None: ...

ACCEPT_RETRY = 0.1
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
# Connections taken per wake-up, so that a flood of connects does not starve the loop.
_ACCEPTS_PER_WAKEUP = 64


class Listener:
    """Serves one listening socket on the engine's loop."""

    def __init__(self, host: ListenerHost, bound: BoundSocket) -> None:
        self.host = host
        self.bound = bound
        self.endpoint = bound.endpoint
        self.sessions: set[Session] = set()
        self.closed = False
        self.reading = False
        self.retry: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<Listener {self.endpoint} sessions={len(self.sessions)}>"

    def start(self) -> None:
        if self.closed:
            return
        self.retry = None
        self.host.loop.add_reader(self.bound.sock.fileno(), self._accept)
        self.reading = True

    def _stop_reading(self) -> None:
        if self.reading:
            self.host.loop.remove_reader(self.bound.sock.fileno())
            self.reading = False

    def _accept(self) -> None:
        sock = self.bound.sock
        for _ in range(_ACCEPTS_PER_WAKEUP):
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.host.emit(ev.ACCEPT_FAILED, exc.errno or 0, self.endpoint)
                if exc.errno in _OUT_OF_RESOURCES:
                    self._stop_reading()
                    self.retry = self.host.loop.call_later(ACCEPT_RETRY, self.start)
                return
            conn.setblocking(False)
            self.host.loop.create_task(self._serve(conn))

    async def _serve(self, conn: socket.socket) -> None:
        if self.closed:
            conn.close()
            return
        try:
            await self.host.open_session(conn, self._new_session)
        except OSError:
            conn.close()

    def _new_session(self) -> Session:
        host = self.host.session_host()
        # The host says which class of session (raw.py's for STREAM sockets).
        session = self.host.session_class(
            host, self.endpoint, on_lost=self.sessions.discard, accepted=True
        )
        self.sessions.add(session)
        return session

    def close(self, drop_sessions: bool = True) -> None:
        """Stop accepting, and drop the connections this listener accepted (unless
        ``drop_sessions`` is False: the socket is closing, and they linger)."""
        self.closed = True
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        self._stop_reading()
        self.bound.close()
        if drop_sessions:
            for session in list(self.sessions):
                session.close()
