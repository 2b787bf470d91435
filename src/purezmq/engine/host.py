"""What the parts of the engine need of each other, as small interfaces.

libzmq splits a connection's engine from the session that serves its socket
(``i_engine`` / ``session_base_t``). Here a :class:`~purezmq.engine.session.Session`
(one connection), a :class:`~purezmq.engine.connecter.Connecter` and a
:class:`~purezmq.engine.listener.Listener` talk to their socket's I/O side only
through these protocols; :class:`~purezmq.engine.socket_engine.SocketEngine`
implements all three. None of them imports another's module to do so, and a unit
test builds a Session on a fake host, with fake timers (``tests/engine/fakes.py``).

Time enters the engine through :class:`Timers` (STYLE habit 7): an asyncio loop is one,
and a fake one lets tests move time by hand.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..core.options import Options
from ..core.pipe import Msg, Pipe

if TYPE_CHECKING:
    from .fastpaths.owner_read import OwnerReader
    from .session import Session


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Timers(Protocol):
    """The clock and the timers of the engine: an asyncio loop, or a fake in tests."""

    def time(self) -> float: ...
    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> Any: ...
    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Any: ...
    def call_soon(self, callback: Callable[..., object], *args: Any) -> Any: ...


class SessionHost(Protocol):
    """What a Session needs of its socket's I/O side."""

    options: Options
    socket_type: str  # "REQ", "XPUB" ...
    sends_subscriptions: bool  # SUB/XSUB: subscriptions travel as commands
    # The socket type's sends may skip the I/O thread (direct send, fastpaths).
    owner_sends: bool
    # The socket is a sync one, owned by a thread other than the loop's.
    owner_may_read: bool
    linger: int
    thread_id: int  # the loop's thread
    timers: Timers
    # A waiting asyncio recv() that takes a message straight from its connection
    # (fastpaths/direct_receive): True if it took it; None for other sockets.
    direct_receiver: Callable[[Pipe, Msg], bool] | None

    session_class: type[Session]  # ZMTP's, or raw.py's for STREAM sockets

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool: ...
    def handed_over(self) -> bool: ...
    def stream_notify(self) -> bool: ...
    def configure_transport(self, transport: asyncio.BaseTransport) -> None: ...
    def make_pipe(self, session: Session, properties: dict[str, bytes]) -> Pipe: ...
    def resubscribe(self, pipe: Pipe) -> None: ...
    def add_owner_reader(self, reader: OwnerReader) -> None: ...
    def remove_owner_reader(self, reader: OwnerReader) -> None: ...
    def session_started(self, session: Session) -> None: ...
    def session_ready(self, session: Session) -> None: ...
    def session_closed(self, session: Session, exc: Exception | None) -> None: ...
    def handshake_failed(self, session: Session, code: int) -> None: ...


class ConnecterHost(Protocol):
    """What a Connecter needs of its socket's I/O side."""

    options: Options
    linger: int
    exiting: bool
    loop: asyncio.AbstractEventLoop

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool: ...
    async def open_session(self, sock: socket.socket, factory: Callable[[], Session]) -> None: ...
    def session_host(self) -> SessionHost: ...
    def linger_started(self, connecter: Any) -> None: ...
    def linger_ended(self, connecter: Any) -> None: ...
    def is_lingering(self, connecter: Any) -> bool: ...
    def connect_started(self, connecter: Any) -> None: ...
    def connect_failed(self, connecter: Any, exc: BaseException) -> None: ...
    def connect_retried(self, connecter: Any, delay: int) -> None: ...
    def connecter_stopped(self, connecter: Any) -> None: ...


class ListenerHost(Protocol):
    """What a Listener needs of its socket's I/O side."""

    loop: asyncio.AbstractEventLoop

    async def open_session(self, sock: socket.socket, factory: Callable[[], Session]) -> None: ...
    def session_host(self) -> SessionHost: ...
    def emit(self, event: int, value: int, endpoint: str) -> None: ...


__all__ = ["Cancellable", "ConnecterHost", "ListenerHost", "SessionHost", "Timers"]
