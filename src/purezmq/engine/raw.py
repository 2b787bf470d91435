"""A raw connection: bytes to and from a peer that does not speak ZMTP (STREAM sockets).

Theory of operation (libzmq ``raw_engine_t``; zmq_socket(3), ZMQ_STREAM):

- No greeting, no handshake, no framing. A connection is ready once it is made. Each
  read becomes one message on the pipe, and each message the socket writes to the pipe
  is written to the connection as it is.
- With STREAM_NOTIFY an empty message goes to the socket when the connection is made
  and when it ends. The socket puts the routing id in front of it, as in front of
  everything else.
- Back-pressure, both ways: a read the pipe has no room for waits in ``backlog`` and
  reading pauses until the socket reads the pipe down to its low-water mark. While
  the transport's buffer is over its limit (``pause_writing``) nothing is taken from
  the pipe, so the socket feels its SNDHWM.
- The socket closes a connection by terminating its pipe (it sent ``[id, b""]``). The
  session writes what came before the delimiter, then closes. On a connect()ed
  endpoint, the pipe belongs to the :class:`~purezmq.engine.connecter.Connecter` and
  outlives connections, as in libzmq. The same routing id then reconnects, with
  another "connected" notice. An accepted connection's pipe ends with it.

:class:`RawSession` takes the place of a ZMTP :class:`~.session.Session`. Listeners
and connecters make the one ``session_class`` of the host names. It keeps Session's
lifecycle (states.py: READY once made, DRAINING once the socket left the pipe) and its
closing (``socket_closing``, ``close``, ``abandon``), and overrides every transport and
pipe callback; it has no decoder, no intake and no shortcuts.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from ..core.pipe import Msg, Pipe
from ..core.socket_base import SocketBase
from ..core.sockets.stream import Stream
from .session import Host, Session
from .states import Life
from .stream import StreamTransport

_NOTICE: Msg = (b"",)


def session_class_for(core: SocketBase) -> type[Session]:
    """The class of session each connection of ``core`` gets: raw bytes for STREAM,
    ZMTP for every other type."""
    return RawSession if isinstance(core, Stream) else Session


class RawSession(Session):
    """One raw connection between a transport and a pipe of a STREAM socket."""

    def __init__(
        self,
        host: Host,
        endpoint: str,
        pipe: Pipe | None = None,
        on_lost: Callable[[Session], None] | None = None,
        **flags: Any,
    ) -> None:
        super().__init__(host, endpoint, pipe, on_lost, **flags)
        # Reads that the pipe had no room for, in order (reading pauses meanwhile).
        self.pending: deque[Msg] = deque()

    def __repr__(self) -> str:
        return f"<RawSession {self.endpoint} {self.life.name} pending={len(self.pending)}>"

    # -- asyncio.Protocol ------------------------------------------------------

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, base)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1
        host = self.host
        host.configure_transport(transport)
        host.session_started(self)  # CONNECTED or ACCEPTED; closes us if the socket is gone
        if transport.is_closing():
            return
        if self.pipe is None:
            self.pipe = host.make_pipe(self, {})
        self.handshake_done = True  # no handshake: ready once made
        self._move(Life.HANDSHAKE_DONE)
        if _notify(host) and self.pipe.open:
            self.pipe.write_many([_NOTICE])
        self.flush()  # what the socket sent before the connection was made

    def data_received(self, data: bytes) -> None:
        if data:
            self._to_socket((data,))

    def socket_readable(self) -> None:
        """A :class:`StreamTransport` (a sync socket's) found its socket readable."""
        transport = self.transport
        if not isinstance(transport, StreamTransport):
            return
        data = transport.receive()
        if data is None:
            return
        if data:
            self._to_socket((data,))
        else:
            transport.end_of_stream()

    def eof_received(self) -> bool | None:
        return None  # the peer is done: close (libzmq ends a raw connection at EOF too)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        # Not at once: the transport calls this from inside its own write handler.
        self.host.timers.call_soon(self.flush)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.linger_timer is not None:
            self.linger_timer.cancel()
            self.linger_timer = None
        pipe = self.pipe
        if pipe is not None:
            self._hand_over_the_rest(pipe)
            if self.owns_pipe:
                pipe.terminate()
        self._move(Life.LOST)
        self.host.session_closed(self, exc)
        if self.on_lost is not None:
            self.on_lost(self)

    def _hand_over_the_rest(self, pipe: Pipe) -> None:
        """The connection is gone: what it read reaches the socket even past the HWM,
        then the "disconnected" notice, unless the socket left the pipe."""
        pending, self.pending = list(self.pending), deque()
        if not pipe.open:
            return
        if _notify(self.host):
            pending.append(_NOTICE)
        if pending:
            pipe.write_many(pending)

    # -- towards the socket -------------------------------------------------------

    def _to_socket(self, msg: Msg) -> None:
        """One read to the socket; it waits, and reading pauses, if the pipe is full."""
        pipe = self.pipe
        if pipe is None:
            return
        if self.pending or not pipe.try_write(msg):
            self.pending.append(msg)
            self.update_reading()

    def room_again(self) -> None:
        """The socket read its pipe down: hand over the reads that waited, then read on."""
        pipe, pending = self.pipe, self.pending
        if pipe is None:
            return
        while pending and pipe.try_write(pending[0]):
            pending.popleft()
        if not pipe.open:
            pending.clear()  # the socket left: nobody will read them
        self.update_reading()

    def update_reading(self) -> None:
        """Read from the transport unless reads wait for room in the pipe."""
        transport = self.transport
        if transport is not None and transport.is_reading() == bool(self.pending):
            if self.pending:
                transport.pause_reading()
            else:
                transport.resume_reading()

    # -- towards the wire -----------------------------------------------------------

    def flush(self) -> None:
        """Write everything the socket queued, then close if it left the pipe."""
        pipe, transport = self.pipe, self.transport
        if pipe is None or transport is None or not self.established:
            return
        while not self.writing_paused:
            batch = pipe.read_all()
            if not batch:
                break
            transport.write(b"".join([msg[0] for msg in batch]))
        if self.draining:
            self.close_after_flush()

    # -- the pipe's wake-ups (any thread) ---------------------------------------------

    def read_activated(self, pipe: Pipe) -> None:
        self.host.schedule(self.flush)

    def write_activated(self, pipe: Pipe) -> None:
        self.host.schedule(self.room_again)

    def refill(self) -> bool:
        return False  # nothing waits undecoded: room_again (on the loop) hands reads over


def _notify(host: Host) -> bool:
    """STREAM_NOTIFY of the host's socket, as it is now."""
    return host.stream_notify()
