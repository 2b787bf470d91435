"""What the parts of the engine need of each other, as small interfaces.

libzmq splits a connection's engine from the session that serves its socket
(``i_engine`` / ``session_base_t``). Here a :class:`~purezmq.engine.session.Session`
(one connection) talks to its socket's I/O side only through :class:`SessionHost`,
as a :class:`~purezmq.engine.connecter.Connecter` and a
:class:`~purezmq.engine.listener.Listener` do through the host protocols of their own
modules; :class:`~purezmq.engine.socket_engine.SocketEngine` implements all three.
None of them imports another's module to do so, and a unit test builds a Session on a
fake host, with fake timers (``tests/engine/fakes.py``). This module names no session
class: :class:`SessionHost` takes the types of the sessions and of the owner readers
it is handed as parameters, so that the session and its parts can name it without an
import circle.

Time enters the engine through :class:`Timers` (STYLE habit 7): an asyncio loop is one,
and a fake one lets tests move time by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ..core.options import Options
from ..core.pipe import Msg, Pipe

SessionT = TypeVar("SessionT", contravariant=True)
ReaderT = TypeVar("ReaderT", contravariant=True)


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Timers(Protocol):
    """The clock and the timers of the engine: an asyncio loop, or a fake in tests."""

    def time(self) -> float: ...
    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> Any: ...
    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Any: ...
    def call_soon(self, callback: Callable[..., object], *args: Any) -> Any: ...


class SessionHost(Protocol[SessionT, ReaderT]):
    """What a Session needs of its socket's I/O side (``SessionT``: the sessions it
    hosts; ``ReaderT``: their owner readers, fastpaths/owner_read)."""

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

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool: ...
    def handed_over(self) -> bool: ...
    def stream_notify(self) -> bool: ...
    def configure_transport(self, transport: asyncio.BaseTransport) -> None: ...
    def make_pipe(self, session: SessionT, properties: dict[str, bytes]) -> Pipe: ...
    def resubscribe(self, pipe: Pipe) -> None: ...
    def add_owner_reader(self, reader: ReaderT) -> None: ...
    def remove_owner_reader(self, reader: ReaderT) -> None: ...
    def session_started(self, session: SessionT) -> None: ...
    def session_ready(self, session: SessionT) -> None: ...
    def session_closed(self, session: SessionT, exc: Exception | None) -> None: ...
    def handshake_failed(self, session: SessionT, code: int) -> None: ...
    def auth_failed(self, session: SessionT, status_code: int) -> None: ...
    # A pipe to the ZAP handler bound in the socket's Context, or None (RFC 27).
    def zap_connect(self) -> Pipe | None: ...


__all__ = ["Cancellable", "SessionHost", "Timers"]
