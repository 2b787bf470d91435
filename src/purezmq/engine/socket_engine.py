"""The I/O side of one socket: its listeners, connecters and sessions on one loop.

The owner thread calls :meth:`SocketEngine.bind`, :meth:`connect`, :meth:`unbind`,
:meth:`disconnect` and :meth:`close`; each does its synchronous part at once (so
errors reach the caller) and hands the rest to the loop. Everything else in this
object runs on the loop's thread, except :meth:`owner_readers` and
:meth:`release_readers`, which the socket's thread calls around its waits.

A SocketEngine is the host of its sessions, connecters and listeners
(``host.py``): they reach the socket only through it, and it reports what happens to
the monitor (zmq_socket_monitor(3)).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import Callable
from typing import Any

from ..constants import Event as ev
from ..core.endpoint import Endpoint
from ..core.errors import ENOENT, CoreError
from ..core.pipe import Pipe, pipepair
from ..core.socket_base import SocketBase
from ..zmtp import ZAP_ENDPOINT
from .connecter import Connecter, Connecters
from .fastpaths.owner_read import OwnerReader
from .handoffs import handed, settled, withdrawn
from .host import Timers
from .inproc import InprocRegistry
from .iothread import OsEvent
from .listener import Listener
from .monitor import Monitor
from .raw import session_class_for
from .session import Session
from .states import Lifecycle
from .stream import MAX_READ, StreamTransport
from .tcp import listen, set_tcp_options

# Where a ZAP handler binds (RFC 27), without "inproc://".
ZAP_NAME = ZAP_ENDPOINT.removeprefix("inproc://")

# A socket waiting in recv() watches its connections itself up to this many of them;
# beyond, polling them all costs more than the I/O thread's hand-off.
MAX_OWNER_READERS = 4


class SocketEngine:
    """Listeners, connecters and sessions of ``core`` on ``loop``."""

    def __init__(
        self,
        core: SocketBase,
        loop: asyncio.AbstractEventLoop | None,
        thread_id: int,
        owner_may_read: bool = False,
    ) -> None:
        self.core = core
        self.options = core.options
        self.socket_type = core.type_name
        self.sends_subscriptions = core.sends_subscriptions
        # The type alternates sends and receives: its sends may skip the I/O thread.
        self.owner_sends = core.alternates
        # The class of session each new connection gets, made by the listeners and
        # connecters: ZMTP's Session, or raw.py's for STREAM sockets.
        self.session_class: type[Session] = session_class_for(core)
        # The socket is a sync one, owned by a thread other than the loop's: its thread
        # may read its connections while it waits in recv() (see fastpaths/owner_read).
        self.owner_may_read = owner_may_read
        # An asyncio socket's recv() that waits takes messages straight from its
        # connections (fastpaths/direct_receive): set by the asyncio facade.
        self.direct_receiver: Callable[[Pipe, Any], bool] | None = None
        # The sessions' owner readers, in a dict used as an ordered set: the loop adds
        # and drops them (in constant time, for 10,000 connections), the socket's thread
        # reads a snapshot, tuple(dict), which CPython takes without releasing the GIL.
        self._readers: dict[OwnerReader, None] = {}
        # An asyncio socket may bind or connect before its loop runs: work for the loop
        # waits in _deferred until bind_loop().
        self.loop: asyncio.AbstractEventLoop = loop  # type: ignore[assignment]
        # The engine's clock and timers: the loop's (a fake one in unit tests).
        self.timers: Timers = loop  # type: ignore[assignment]
        self.thread_id = thread_id
        self._deferred: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self.listeners: dict[str, Listener] = {}
        self.connecters = Connecters()
        self.sessions: set[Session] = set()
        # Connecters still trying to deliver queued messages after close (LINGER).
        self.lingering: set[Connecter] = set()
        self.linger = -1
        # Closed by the interpreter's exit: no waiting for peers that are not connected.
        self.exiting = False
        self.closed = False
        # An asyncio socket's I/O taken over by the Context's I/O thread (off_the_loop):
        # it stays there whatever loop the socket's operations wait on.
        self.off_its_loop = False
        self.monitor: Monitor | None = None
        # The Context's inproc names, where a ZAP handler binds (set by the facade).
        self.inproc: InprocRegistry | None = None
        self.linger_timer: asyncio.TimerHandle | None = None
        # Waited on by term() in the user's thread: real, even under gevent (iothread.py).
        self.done = OsEvent()

    def __repr__(self) -> str:
        return (
            f"<SocketEngine {self.core.type_name} listeners={len(self.listeners)}"
            f" connecters={len(self.connecters)} sessions={len(self.sessions)}>"
        )

    def bind_loop(self, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        """Adopt the loop of an asyncio socket and run what waited for it.

        A socket used on a new loop after its old one closed (pyzmq allows it) moves
        there: its listeners listen on the new loop and its connecters connect from it.
        Its connections cannot move (their transports belong to the closed loop): they
        end as if the peer had gone, and connecters reconnect, their queues intact.
        """
        if self.off_its_loop:
            return
        old = self.loop
        self.loop = loop
        self.timers = loop
        self.thread_id = thread_id
        if old is not None and old is not loop:
            self._move_from(old)
        deferred, self._deferred = self._deferred, []
        for fn, args in deferred:
            loop.call_soon(fn, *args)

    def _move_from(self, old: asyncio.AbstractEventLoop) -> None:
        for session in list(self.sessions):
            session.abandon()
        for listener in self.listeners.values():
            listener.reading = False
            self._deferred.append((listener.start, ()))
        for connecter in self.connecters.all():
            if connecter.session is None and not connecter.closed:
                connecter.forget_loop()
                self._deferred.append((connecter.start, ()))

    def off_the_loop(self, loop: asyncio.AbstractEventLoop, thread_id: int) -> bool:
        """Run on ``loop`` (the Context's I/O thread's) from now on, rather than on the
        asyncio socket's loop, whose thread calls this: for a socket that the program may
        wait on synchronously, blocking that loop (a sync Poller watches it). Only while
        nothing has begun on the old loop: no listener, no connection, only connects not
        yet started (cancelled there, started again here). False if it is too late."""
        connecters = self.connecters.all()
        movable = (
            not self.closed and not self.listeners and not self.sessions
            and self.loop is not None and threading.get_ident() == self.thread_id
            and all(c.not_begun() for c in connecters)
        )
        if not movable:
            return self.off_its_loop
        for connecter in connecters:
            connecter.forget_loop()
        self.loop = self.timers = loop
        self.thread_id = thread_id
        self.direct_receiver = None  # it hands messages over on the socket's loop only
        self.off_its_loop = True
        for connecter in connecters:
            if not connecter.closed:
                loop.call_soon_threadsafe(connecter.start)
        return True

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Run ``fn`` soon on the loop, from any thread. False if the loop is closed: it
        will never run (nor will anything else of this engine)."""
        loop = self.loop
        if loop is None:
            self._deferred.append((fn, args))
            return True
        if threading.get_ident() == self.thread_id:
            run = None
            call: Callable[..., Any] = loop.call_soon
        else:
            # Counted until it runs: a direct send from this thread waits for it.
            run = handed(loop, fn, args)
            fn, args, call = run, (), loop.call_soon_threadsafe
        try:
            call(fn, *args)
        except RuntimeError:
            if run is not None:
                withdrawn(loop, run)
            if not loop.is_closed():
                raise
            return False
        return True

    def handed_over(self) -> bool:
        """Whether everything the calling thread scheduled on the loop has run (a direct
        send from it must not overtake any: see handoffs.py)."""
        loop = self.loop
        return loop is None or settled(loop)

    # -- owner thread ---------------------------------------------------------

    def bind(self, endpoint: Endpoint) -> str:
        """Listen on ``endpoint`` now; returns the resolved endpoint (LAST_ENDPOINT)."""
        try:
            bound = listen(endpoint, self.core.options)
        except CoreError as exc:
            self.emit(ev.BIND_FAILED, exc.errno, str(endpoint))
            raise
        listener = Listener(self, bound)
        self.listeners[bound.endpoint] = listener
        self.emit(ev.LISTENING, bound.sock.fileno(), bound.endpoint)
        self.schedule(listener.start)
        return bound.endpoint

    def connect(self, endpoint: Endpoint, routing_id: bytes = b"") -> Pipe | None:
        """Start connecting; returns the socket's end of the pipe made now, if one is.

        ``routing_id`` (CONNECT_ROUTING_ID) names the peers of this connecter.
        """
        core = self.core
        sock_end = None
        session_end = None
        if core.pipe_on_connect and not core.options.immediate:
            sock_end, session_end = pipepair(*core.options.pipe_hwms())
        connecter = Connecter(self, endpoint, session_end, routing_id)
        self.connecters.add(connecter)
        if sock_end is not None:
            # A pipe made now carries CONNECT_ROUTING_ID to the socket type (STREAM), as
            # make_pipe does for pipes made at the handshake.
            sock_end.routing_id = routing_id
            core.attach_pipe(sock_end)
        self.schedule(connecter.start)
        return sock_end

    def unbind(self, endpoint: str) -> None:
        listener = self.listeners.pop(endpoint, None)
        if listener is None:
            raise CoreError(ENOENT, f"not bound to {endpoint}")
        self.emit(ev.CLOSED, listener.bound.sock.fileno(), endpoint)
        listener.bound.remove_path()
        self.schedule(listener.close)

    def disconnect(self, endpoint: str) -> None:
        connecters = self.connecters.pop(endpoint)
        if not connecters:
            raise CoreError(ENOENT, f"not connected to {endpoint}")
        for connecter in connecters:
            if connecter.pipe is not None:
                self.core.detach_pipe(connecter.pipe.peer)
            self.schedule(connecter.close)

    def close(self, linger: int, exiting: bool = False) -> None:
        """The socket closed: stop listening and connecting; sessions flush, then end.

        ``exiting``: the interpreter is exiting; messages for a peer that is not
        connected now are not waited for, whatever the LINGER.
        """
        self.linger = linger
        self.exiting = exiting
        for listener in self.listeners.values():
            self.emit(ev.CLOSED, listener.bound.sock.fileno(), listener.endpoint)
            listener.bound.remove_path()
        if self.loop is None:
            self.done.set()  # an asyncio socket that never met a loop: nothing to flush
        else:
            # False if its loop is closed: the engine waits, not done, for the Context to
            # hand it to a loop that runs (adopt), where it closes and flushes.
            self.schedule(self._close)

    def stranded(self) -> bool:
        """Whether this engine's loop is closed (an asyncio socket's, after asyncio.run):
        nothing of it runs until another loop adopts it."""
        loop = self.loop
        return loop is not None and loop.is_closed()

    def adopt(self, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        """Go on on ``loop`` (called on its thread) after the old loop closed: listeners and
        connecters start again there with their queues, the old loop's connections end as
        if the peer had gone (see bind_loop), and a close that the old loop never ran runs
        now. What the socket queued for a peer it never got to connect to is delivered:
        the interpreter's exit does not count that peer as absent (the Context bounds
        the wait instead)."""
        self.exiting = False
        self.bind_loop(loop, thread_id)
        if not self.closed:
            loop.call_soon(self._close)  # after the starts that bind_loop queued
        else:
            loop.call_soon(self.check_done)

    # -- loop thread ------------------------------------------------------------

    def _close(self) -> None:
        self.closed = True
        for listener in self.listeners.values():
            # Its sessions stay: they flush under LINGER like the others, below.
            listener.close(drop_sessions=False)
        for connecter in self.connecters.all():
            connecter.close()
        for session in list(self.sessions):
            session.socket_closing(self.linger)
        if self.linger > 0:
            # The LINGER clock runs from close(), whether or not the peer reads.
            self.linger_timer = self.loop.call_later(self.linger / 1000, self._linger_expired)
        self.check_done()

    def _linger_expired(self) -> None:
        self.linger_timer = None
        for session in list(self.sessions):
            session.close()

    def expire(self) -> None:
        """LINGER is over, whatever is still going on (loop thread): every connection
        and every lingering connecter ends now, and the engine is done."""
        self._linger_expired()
        for connecter in list(self.lingering):
            connecter.give_up()
        self.sessions.clear()
        self.lingering.clear()
        if self.linger_timer is not None:
            self.linger_timer.cancel()
            self.linger_timer = None
        self.done.set()

    def check_done(self) -> None:
        if self.closed and not self.sessions and not self.lingering:
            if self.linger_timer is not None:
                self.linger_timer.cancel()
                self.linger_timer = None
            self.done.set()

    async def open_session(self, sock: socket.socket, factory: Callable[[], Session]) -> None:
        """Run a new session on a connected socket: on a :class:`StreamTransport` when
        the socket's own thread may read it too (sync sockets), else on the loop's own
        transport."""
        if self.owner_may_read:
            StreamTransport(self.loop, sock, factory())
        else:
            def made() -> Session:
                session = factory()
                session.raw_socket = sock  # to close it if the loop goes (_move_from)
                return session

            await self.loop.connect_accepted_socket(made, sock)

    def statistics(self) -> dict[str, int]:
        """Sessions, and the reads the socket's thread made itself (owner reads)."""
        reads = sum(reader.reads for reader in tuple(self._readers))
        return {"sessions": len(self.sessions), "owner_reads": reads}

    # -- the host of sessions, connecters and listeners (host.py) ---------------

    def session_host(self) -> SocketEngine:
        return self

    def stream_notify(self) -> bool:
        """STREAM_NOTIFY of a STREAM socket, as it is now (raw.py)."""
        return bool(getattr(self.core, "notify", False))

    def resubscribe(self, pipe: Pipe) -> None:
        """The peer behind ``pipe`` is new: the socket sends its subscriptions again."""
        self.core.post_hiccup(pipe)

    def add_owner_reader(self, reader: OwnerReader) -> None:
        self._readers[reader] = None

    def remove_owner_reader(self, reader: OwnerReader) -> None:
        self._readers.pop(reader, None)

    def owner_readers(self) -> list[OwnerReader]:
        """The connections the socket's thread may read itself while it waits for a
        message (socket's thread; see fastpaths/owner_read)."""
        if not self._readers or len(self.sessions) > MAX_OWNER_READERS:
            return []
        return [reader for reader in tuple(self._readers) if reader.watchable]

    def release_readers(self) -> None:
        """The socket's thread waits some other way now (a poll): the loop reads its
        connections again at once (socket's thread)."""
        for reader in tuple(self._readers):
            reader.release()

    def linger_started(self, connecter: Connecter) -> None:
        self.lingering.add(connecter)

    def linger_ended(self, connecter: Connecter) -> None:
        if connecter in self.lingering:
            self.lingering.discard(connecter)
            self.check_done()

    def is_lingering(self, connecter: Connecter) -> bool:
        return connecter in self.lingering

    def configure_transport(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            set_tcp_options(sock, self.core.options)
        if isinstance(getattr(transport, "max_size", None), int):
            # asyncio's selector transports read max_size (256 KiB) at a time: each read
            # would be a fresh mmap (see stream.MAX_READ). Other loops have no such knob.
            transport.max_size = MAX_READ  # type: ignore[attr-defined]

    def make_pipe(self, session: Session, properties: dict[str, bytes]) -> Pipe:
        """A pipe for a connection that just finished its handshake, handed to the socket."""
        options = self.core.options
        sock_end, session_end = pipepair(*options.pipe_hwms())
        session_end.sink = session
        sock_end.properties = dict(properties)
        sock_end.routing_id = session.routing_id
        if not session.accepted and getattr(self.core, "probe_router", False):
            # libzmq makes a connecting ROUTER's pipe at connect() and probes at once; ours
            # is made now, so probe now rather than when the socket next runs its commands.
            # Safe from this thread: the socket does not know this pipe yet.
            sock_end.write([b""])
            sock_end.probed = True
        self.core.post_attach(sock_end)
        return session_end

    # Connection life-cycle hooks, reported to the monitor (zmq_socket_monitor(3)).

    def emit(self, event: int, value: int, endpoint: str) -> None:
        monitor = self.monitor
        if monitor is not None:
            monitor.emit(event, value, endpoint)

    def session_started(self, session: Session) -> None:
        self.sessions.add(session)
        self.emit(ev.ACCEPTED if session.accepted else ev.CONNECTED, session.fd, session.endpoint)
        if self.closed and session.life is not Lifecycle.ORPHANED:
            session.close()

    def session_ready(self, session: Session) -> None:
        self.emit(ev.HANDSHAKE_SUCCEEDED, 0, session.endpoint)
        for connecter in self.connecters.all():
            if connecter.session is session:
                connecter.session_ready()

    def session_closed(self, session: Session, exc: Exception | None) -> None:
        self.sessions.discard(session)
        if not session.handshake_done and session.failure is None:
            # Closed (by the peer, a timeout, or us) before the handshake ended.
            self.emit(ev.HANDSHAKE_FAILED_NO_DETAIL, 0, session.endpoint)
        self.emit(ev.DISCONNECTED, session.fd, session.endpoint)
        self.check_done()

    def handshake_failed(self, session: Session, code: int) -> None:
        self.emit(ev.HANDSHAKE_FAILED_PROTOCOL, code, session.endpoint)

    def auth_failed(self, session: Session, status_code: int) -> None:
        """HANDSHAKE_FAILED_AUTH with the ZAP status code; a refusal for want of a ZAP
        handler is HANDSHAKE_FAILED_NO_DETAIL with EFAULT, as libzmq reports it."""
        if status_code:
            self.emit(ev.HANDSHAKE_FAILED_AUTH, status_code, session.endpoint)
        else:
            self.emit(ev.HANDSHAKE_FAILED_NO_DETAIL, errno.EFAULT, session.endpoint)

    def zap_connect(self) -> Pipe | None:
        """A pipe to the ZAP handler bound at inproc://zeromq.zap.01, or None."""
        if self.inproc is None:
            return None
        return self.inproc.open(ZAP_NAME, {})

    def connect_started(self, connecter: Connecter) -> None:
        self.emit(ev.CONNECT_DELAYED, errno.EINPROGRESS, str(connecter.endpoint))

    def connect_failed(self, connecter: Connecter, exc: BaseException) -> None:
        """A connect attempt failed: its socket is closed (libzmq says CLOSED; the fd is
        asyncio's, so the value is -1). CONNECT_RETRIED follows if it is retried."""
        self.emit(ev.CLOSED, -1, str(connecter.endpoint))

    def connecter_stopped(self, connecter: Connecter) -> None:
        """RECONNECT_STOP gave ``connecter`` up: forget it, as disconnect() would."""
        self.connecters.forget(connecter)

    def connect_retried(self, connecter: Connecter, delay: int) -> None:
        self.emit(ev.CONNECT_RETRIED, delay, str(connecter.endpoint))
