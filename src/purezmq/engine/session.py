"""One connection: a transport, a ZmtpConnection and a pipe to the socket.

Theory of operation (libzmq ``session_base_t`` + ``zmtp_engine``; DESIGN.md):

A Session is the asyncio protocol of one connection. It owns the transport, the
sans-I/O :class:`~purezmq.zmtp.ZmtpConnection` and the connection's timers, and runs
its **lifecycle** (``states.py``): HANDSHAKING until the ZMTP handshake is done (the
pipe is made then, unless a connecter made it at ``connect()``), READY, DRAINING once
the socket has left the pipe and what it queued is still written out (LINGER), then
CLOSING and CLOSED. A session made after its socket closed, to deliver what a
connecter still holds, starts ORPHANED: it handshakes, then drains.

The rest is delegated: the way in to :class:`~purezmq.engine.intake.Intake` (decoding
into the pipe, holding, the backlog), the way out to ``outlet.flush``, heartbeats to
:class:`~purezmq.engine.heartbeats.Heartbeats`, and the shortcuts to ``fastpaths/``
(direct send, owner read, refill, direct receive). The session talks to its socket's
I/O side only through :class:`~purezmq.engine.host.SessionHost`.

A pipe made at connect() belongs to the Connecter and outlives connections; one made
at the handshake belongs to the session and ends with it. A faulty peer (any
RemoteProtocolError) loses its connection; nothing is raised towards the socket.

Threads and locks. Everything here runs on the loop's thread, except what the
socket's own thread does through the shortcuts. What both may touch is guarded by
``lock`` (a real lock even under gevent: a greenlet must not wait on a gevent lock
that the I/O thread holds):

=====================  =========================================================
``conn``               every call (decode, encode, send_*), both threads
``intake``             its state, backlog and deferred events
``pipe`` writes        the session's end: the intake's deliveries, either thread;
                       the loop also writes without it while the intake is
                       DEFERRED or BACKLOGGED, states in which no other thread does
``transport.receive``  the reads of a StreamTransport, either thread
``direct``             the direct-send state (``DirectSend``); ``turn`` also
                       written by the loop without it (see fastpaths/direct_send.py)
``owner`` reading      ``OwnerReader.state``, whichever thread moves it;
                       ``waiting``/``waits`` are the socket's thread's alone
=====================  =========================================================

``life``, ``transport`` and the timers are the loop's alone; the shortcuts read
``life`` and ``transport`` under the lock, and ``connection_lost`` clears them under it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any, TypeAlias, cast

from ..core.pipe import Pipe
from ..zmtp import (
    AuthenticationFailed,
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    PeerError,
    Ping,
    RemoteProtocolError,
    Subscribe,
    ZapRequest,
    ZmtpConnection,
)
from . import outlet
from .fastpaths.direct_send import DirectSend, start_shortcuts
from .fastpaths.owner_read import OwnerReader
from .fastpaths.refill import refill
from .heartbeats import Heartbeats
from .host import SessionHost
from .intake import Intake
from .iothread import os_lock
from .security import Guard, message_fault
from .states import LIFECYCLE, Life, Lifecycle, Reader, advance
from .states import Intake as IntakeState
from .stream import StreamTransport

# The host of a Session, as host.py's SessionHost takes its types.
Host: TypeAlias = "SessionHost[Session, OwnerReader]"

# Signature (10 octets) and major version: the greeting's first part (RFC 37).
GREETING_HEAD = 11


class Session(asyncio.Protocol):
    """The protocol object of one ZMTP connection."""

    def __init__(
        self,
        host: Host,
        endpoint: str,
        pipe: Pipe | None = None,
        on_lost: Callable[[Session], None] | None = None,
        *,
        accepted: bool = False,
        orphaned: bool = False,
        reconnected: bool = False,
        routing_id: bytes = b"",
    ) -> None:
        self.host = host
        self.endpoint = endpoint
        self.pipe = pipe
        self.owns_pipe = pipe is None
        self.on_lost = on_lost
        # accepted (bind side) or connected; replacing a lost connection (its peer must
        # hear our subscriptions again); CONNECT_ROUTING_ID, the id we give the peer.
        self.accepted = accepted
        self.reconnected = reconnected
        self.routing_id = routing_id
        self.life = Lifecycle.ORPHANED if orphaned else Lifecycle.HANDSHAKING
        # Facts for the monitor: the handshake was done; why it failed, once reported
        # (a ZMTP protocol error code, or a ZAP status code).
        self.handshake_done = False
        self.failure: int | None = None
        self.guard = Guard(self)  # the mechanism, ZAP, the messages' properties
        # The part of our greeting held until the peer's first octets (connection_made).
        self.greeting_rest = b""
        self.transport: asyncio.Transport | None = None
        self.conn: ZmtpConnection | None = None
        self.fd = -1
        self.writing_paused = False  # the transport's flow control (pause_writing)
        self.lock = os_lock()
        self.intake = Intake(self)
        self.heartbeats: Heartbeats | None = None
        self.direct: DirectSend | None = None
        self.owner: OwnerReader | None = None
        self.handshake_timer: Any = None
        self.linger_timer: Any = None
        # The OS socket under an asyncio transport (see abandon).
        self.raw_socket: socket.socket | None = None

    def __repr__(self) -> str:
        return f"<Session {self.endpoint} {self.life.name} {self.intake.state.name}>"

    def _move(self, event: Life) -> None:
        self.life = advance(LIFECYCLE, self.life, event)

    @property
    def established(self) -> bool:
        """The handshake is done and the connection is not gone."""
        return self.handshake_done and self.life is not Lifecycle.CLOSED

    @property
    def writable(self) -> bool:
        """Messages may be written now: established, and the transport takes them."""
        return self.handshake_done and self.transport is not None and not self.writing_paused

    @property
    def draining(self) -> bool:
        """The socket has left its pipe: what it queued is written, then the end."""
        return self.life is Lifecycle.DRAINING

    # -- asyncio.Protocol ----------------------------------------------

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        transport = cast(asyncio.Transport, base)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1
        host = self.host
        host.configure_transport(transport)
        self.conn = self.guard.connection(sock)
        greeting = self.conn.data_to_send()
        # As libzmq: the signature and the major version first, the rest (the mechanism)
        # once the peer's have arrived. A peer that refuses our mechanism has then sent
        # its own, and both sides can say "mechanism mismatch" rather than "closed".
        transport.write(greeting[:GREETING_HEAD])
        self.greeting_rest = greeting[GREETING_HEAD:]
        if host.options.handshake_ivl > 0:
            self.handshake_timer = host.timers.call_later(
                host.options.handshake_ivl / 1000, self._handshake_timed_out
            )
        host.session_started(self)

    def data_received(self, data: bytes) -> None:
        """Bytes from an asyncio transport (loop thread)."""
        conn = self.conn
        if conn is None:
            return
        with self.lock:
            conn.receive_data(data)
        if self.heartbeats is not None:
            self.heartbeats.received()
        self.received()

    def socket_readable(self) -> None:
        """A :class:`StreamTransport` found its socket readable (loop thread): read it
        under the lock, unless the socket's waiting thread reads it (owner read)."""
        transport, conn, owner = self.transport, self.conn, self.owner
        if not isinstance(transport, StreamTransport) or conn is None:
            return
        if owner is not None and owner.loop_readable():
            return
        with self.lock:
            data = self.receive_from(transport, conn)
        if data is None:
            return  # the socket's thread read it first
        if not data:
            transport.end_of_stream()
            return
        self.received()
        if owner is not None:
            owner.loop_read(len(data))

    def receive_from(self, transport: StreamTransport, conn: ZmtpConnection) -> bytes | None:
        """One recv(), either thread, lock held, fed to ``conn``: as
        StreamTransport.receive, None if nothing was there, b"" at the end."""
        data = transport.receive(conn.read_hint())
        if data:
            conn.receive_data(data)
            if self.heartbeats is not None:
                self.heartbeats.received()
        return data

    def received(self) -> None:
        """Bytes went into the connection (loop thread): decode and deliver them."""
        if self.greeting_rest:
            self._greet_on()
        intake = self.intake
        if intake.state is not IntakeState.FLOWING:
            # Left by the socket's thread: what it decoded goes first, then the rest.
            intake.drain()
            return
        if intake.run():
            self.send_output()

    def _greet_on(self) -> None:
        """The rest of our greeting, once the peer's signature and major version are in."""
        conn, transport = self.conn, self.transport
        if conn is None or transport is None:
            return
        if conn.peer_version is not None or conn.buffered_bytes >= GREETING_HEAD:
            transport.write(self.greeting_rest)
            self.greeting_rest = b""

    def eof_received(self) -> bool | None:
        if self.conn is not None:
            self.data_received(b"")
        return None

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        # Not flush() at once: asyncio calls this from inside its write handler, and a
        # flush that ends by closing the transport there (the socket is gone) makes
        # asyncio run connection_lost twice (CPython gh-156512).
        self.host.timers.call_soon(self.flush)

    def connection_lost(self, exc: Exception | None) -> None:
        with self.lock:
            self.transport = None
            if self.direct is not None:
                self.direct.stop()
        pipe = self.pipe
        if pipe is not None:
            if self.direct is not None and pipe.peer.direct == self.direct.send:
                pipe.peer.direct = None
            if pipe.peer.refill == self.refill:
                pipe.peer.refill = None
        if self.owner is not None:
            self.host.remove_owner_reader(self.owner)
            self.owner.stop()
        self.guard.close()
        self._cancel_timers()
        self.intake.finish()
        if pipe is not None and self.owns_pipe:
            pipe.terminate()
        self._move(Life.LOST)
        self.host.session_closed(self, exc)
        if self.on_lost is not None:
            self.on_lost(self)

    # -- helpers the intake and the shortcuts call ---------------------------

    def update_reading(self) -> None:
        """Read from the transport unless input is held or the socket's thread reads."""
        transport = self.transport
        if transport is None:
            return
        owner = self.owner
        want = self.intake.reading and (owner is None or owner.state is not Reader.OWNER)
        if want != transport.is_reading():
            if want:
                transport.resume_reading()
            else:
                transport.pause_reading()

    def intake_drain_if_held(self) -> None:
        """After the socket's thread gave the reading back: decode what it left held."""
        if self.intake.state is not IntakeState.FLOWING:
            self.intake.drain()

    def peer_spoke(self) -> None:
        """A message came in: the next send may go directly (see fastpaths/direct_send)."""
        if self.direct is not None:
            self.direct.peer_spoke()

    def send_output(self) -> None:
        """Write what the connection queued (a PONG, handshake commands)."""
        conn = self.conn
        if conn is None or not conn.output_waiting:
            return
        with self.lock:
            out = conn.data_to_send()
            if out and self.transport is not None:
                self.write_rest()
                self.transport.write(out)

    def write_rest(self) -> None:
        """The unsent tail of a direct send goes first (lock held)."""
        if self.direct is not None:
            self.direct.write_rest()

    def refill(self) -> bool:
        """The socket's thread wants more of the held input (the pipe's refill hook)."""
        return refill(self)

    # -- events from the wire ------------------------------------------

    def handle(self, events: list[Any]) -> bool:
        """Deliver decoded events in order (loop thread); False once the connection is
        ending."""
        start = 0
        for i, event in enumerate(events):
            if type(event) is tuple:
                continue
            if i > start:
                self.intake.deliver_handled(events[start:i])
            start = i + 1
            if not self._handle_event(event):
                return False
        if start < len(events):
            self.intake.deliver_handled(events[start:] if start else events)
        return True

    def _handle_event(self, event: Any) -> bool:
        if isinstance(event, Subscribe):
            self.intake.deliver_handled([(b"\x01" + event.topic,)])
        elif isinstance(event, Cancel):
            self.intake.deliver_handled([(b"\x00" + event.topic,)])
        elif isinstance(event, HandshakeComplete):
            self._handshake_done(event)
        elif isinstance(event, ZapRequest):
            self.guard.ask_zap(event.frames)
        elif isinstance(event, AuthenticationFailed):
            self._auth_failed(event)
        elif isinstance(event, Ping):
            # The PONG is already queued by the codec; the TTL is the peer's wish that
            # we hang up if we hear nothing from it for that long.
            if event.ttl:
                if self.heartbeats is None:
                    self.heartbeats = Heartbeats(self)
                self.heartbeats.peer_pinged(event.ttl)
        elif isinstance(event, PeerError | ConnectionClosed):
            self.close(abort=False)
            return False
        return True

    def _handshake_done(self, event: HandshakeComplete) -> None:
        if self.handshake_timer is not None:
            self.handshake_timer.cancel()
            self.handshake_timer = None
        host = self.host
        pipe = self.pipe
        properties = self.guard.properties(event.properties)
        if pipe is None:
            pipe = self.pipe = host.make_pipe(self, properties)
        else:
            pipe.peer.properties = properties
            if self.reconnected and host.sends_subscriptions:
                host.resubscribe(pipe.peer)  # the new peer knows none (libzmq: hiccup)
        self.handshake_done = True
        self._move(Life.HANDSHAKE_DONE)
        pipe.peer.refill = self.refill
        host.session_ready(self)
        if host.options.heartbeat_ivl > 0:
            self.heartbeats = Heartbeats(self)
            self.heartbeats.arm()
        self.direct, self.owner = start_shortcuts(self, pipe)
        if self.owner is not None:
            host.add_owner_reader(self.owner)
        self.flush()

    # -- security: refusals (loop thread; ZAP is the guard's) ------------------

    def _auth_failed(self, event: AuthenticationFailed) -> None:
        """Authentication failed, by our ZAP handler or by the peer's: the monitor hears
        the status code; our ERROR, if any, goes out before the close that follows."""
        self.failure = event.status_code
        self.send_output()
        self.host.auth_failed(self, event.status_code)

    # -- wake-ups from the socket's side of the pipe (any thread) -------------

    def read_activated(self, pipe: Pipe) -> None:
        self.host.schedule(self.flush)

    def write_activated(self, pipe: Pipe) -> None:
        if not self.refill():
            self.host.schedule(self.room_again)

    def room_again(self) -> None:
        """The socket read its pipe down (loop thread): deliver what waits."""
        self.intake.drain()

    def pipe_delimited(self, pipe: Pipe) -> None:
        # From inside Pipe.read (outlet.flush, loop thread): the socket left the pipe.
        self._move(Life.SOCKET_GONE)

    # -- towards the wire (loop thread) --------------------------------

    def flush(self) -> None:
        """Send every message waiting in the pipe (see outlet.flush)."""
        outlet.flush(self)

    # -- closing ----------------------------------------------------------

    def socket_closing(self, linger: int) -> None:
        """The socket closed (loop thread): with LINGER 0 the connection ends now;
        established ones flush what is queued, then close; a handshake that the socket
        no longer waits for ends, unless a lingering connecter still delivers through it."""
        if linger == 0:
            self.close()
        elif self.established:
            self.flush()  # reads the socket's delimiter, drains, closes
        elif self.life is not Lifecycle.ORPHANED:
            self.close()

    def orphan(self) -> None:
        """The socket is gone while this connection handshakes: deliver what a lingering
        connecter queued once the handshake is done, then close."""
        if self.life is Lifecycle.HANDSHAKING:
            self._move(Life.SOCKET_GONE)

    def close_after_flush(self) -> None:
        """The socket left the pipe: send what is buffered (LINGER), then close."""
        transport = self.transport
        if transport is None or self.life is not Lifecycle.DRAINING:
            return
        linger = self.host.linger
        if linger == 0 or not self.handshake_done:
            self.close()
            return
        if self.pipe is not None and self.pipe.has_pending():
            # Messages read with the delimiter but put back (the first megabyte) go out
            # at the next resume_writing; the engine's LINGER timer bounds the wait.
            return
        self._move(Life.FLUSHED)
        transport.close()
        if linger > 0 and self.linger_timer is None:
            self.linger_timer = self.host.timers.call_later(linger / 1000, transport.abort)

    def close(self, abort: bool = True) -> None:
        """Drop the connection (the socket is not told: the pipe's fate follows ownership)."""
        transport = self.transport
        if transport is not None:
            self._move(Life.CLOSE)
            if abort:
                transport.abort()
            else:
                transport.close()

    def abandon(self) -> None:
        """The loop this connection ran on is closed: close its socket, and end it as if
        the peer had gone (its transport cannot be used any more)."""
        if self.raw_socket is not None:
            self.raw_socket.close()
        if self.transport is not None:
            self.connection_lost(None)

    def fail(self, exc: RemoteProtocolError) -> None:
        """The peer broke the protocol: the monitor hears why, the connection ends.

        After the handshake only a CURVE MESSAGE that does not open, or comes out of
        sequence, is reported (HANDSHAKE_FAILED_PROTOCOL, as libzmq's
        curve_mechanism_base_t::decode does)."""
        conn = self.conn
        if not self.handshake_done or (conn is not None and message_fault(conn, exc)):
            self.failure = exc.code
            self.host.handshake_failed(self, exc.code)
        self.close(abort=True)

    def _handshake_timed_out(self) -> None:
        self.handshake_timer = None
        if not self.handshake_done:
            self.close(abort=True)

    def _cancel_timers(self) -> None:
        for timer in (self.handshake_timer, self.linger_timer):
            if timer is not None:
                timer.cancel()
        self.handshake_timer = self.linger_timer = None
        if self.heartbeats is not None:
            self.heartbeats.cancel()

    def statistics(self) -> dict[str, int | str]:
        """The session's states and counters, for tests and debugging."""
        return {
            "life": self.life.name,
            "intake": self.intake.state.name,
            "backlog": len(self.intake.backlog),
            "reader": self.owner.state.name if self.owner is not None else "OFF",
            "owner_reads": self.owner.reads if self.owner is not None else 0,
        }


__all__ = ["Session"]
