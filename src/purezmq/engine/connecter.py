"""A connected endpoint: opens a connection, and opens it again after it is lost.

Theory of operation (libzmq ``tcp_connecter_t`` + ``session_base_t::reconnect``):
the pipe made at ``connect()`` belongs to the connecter, so messages queue while no
connection is up and survive a reconnect; the connecter is that pipe's sink and
hands wake-ups to the current session. Retries wait RECONNECT_IVL, doubled after
each failure up to RECONNECT_IVL_MAX when that is larger, reset once a handshake
succeeds. RECONNECT_IVL of -1 means never reconnect. RECONNECT_STOP gives the
endpoint up, as disconnect() would, after a refused connect (CONN_REFUSED) or a
connection lost before its handshake ended (HANDSHAKE_FAILED); AFTER_DISCONNECT is
what disconnect() always does here: no attempt is made after it. A handshake the peer
refused (an ERROR, a ZAP refusal) or that broke the protocol is not tried again either,
as libzmq's session ends on a protocol error (session_base_t::engine_error): the same
credentials would be refused again.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Callable
from typing import Any, Protocol

from ..constants import ReconnectStop
from ..core.endpoint import Endpoint
from ..core.options import Options
from ..core.pipe import Pipe
from .iothread import os_lock
from .session import Host, Session
from .tcp import connect


class ConnecterHost(Protocol):
    """What a Connecter needs of its socket's I/O side (see host.py)."""

    options: Options
    linger: int
    exiting: bool
    loop: asyncio.AbstractEventLoop

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool: ...
    async def open_session(self, sock: socket.socket, factory: Callable[[], Session]) -> None: ...
    def session_host(self) -> Host: ...
    session_class: type[Session]  # ZMTP's, or raw.py's for STREAM sockets
    def linger_started(self, connecter: Any) -> None: ...
    def linger_ended(self, connecter: Any) -> None: ...
    def is_lingering(self, connecter: Any) -> bool: ...
    def connect_started(self, connecter: Any) -> None: ...
    def connect_failed(self, connecter: Any, exc: BaseException) -> None: ...
    def connect_retried(self, connecter: Any, delay: int) -> None: ...
    def connecter_stopped(self, connecter: Any) -> None: ...


class Connecter:
    """Keeps one outgoing connection alive for as long as the socket wants it."""

    def __init__(
        self, host: ConnecterHost, endpoint: Endpoint, pipe: Pipe | None, routing_id: bytes = b""
    ) -> None:
        self.host = host
        self.endpoint = endpoint
        self.pipe = pipe
        self.routing_id = routing_id
        if pipe is not None:
            pipe.sink = self
        self.session: Session | None = None
        self.closed = False
        self.task: asyncio.Task[None] | None = None
        self.retry: asyncio.TimerHandle | None = None
        self.ivl = host.options.reconnect_ivl
        self.was_connected = False
        self.linger_timer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        state = "connected" if self.session else "closed" if self.closed else "connecting"
        return f"<Connecter {self.endpoint} {state}>"

    def start(self) -> None:
        self.retry = None
        if not self.closed:
            self.task = self.host.loop.create_task(self._connect())

    def not_begun(self) -> bool:
        """Whether no connection is made nor being made: none tried yet, one its loop
        has not started, or a retry waiting for its time."""
        task = self.task
        return self.session is None and (task is None or _never_started(task))

    def forget_loop(self) -> None:
        """Drop what its loop held (that loop closed, or the engine moves off it before
        any attempt began). On a live loop the attempt and the retry are cancelled. On
        a closed one the attempt can never run again nor end, which asyncio is told as
        its own ``run_until_complete`` tells it of a future it gives up on, so that
        neither a pending task nor a coroutine never awaited is reported when it is
        collected."""
        task, retry, self.task, self.retry = self.task, self.retry, None, None
        if retry is not None:
            retry.cancel()
        if task is None or task.done():
            return
        if not task.get_loop().is_closed():
            task.cancel()
            return
        task._log_destroy_pending = False  # type: ignore[attr-defined]
        if _never_started(task):
            task.get_coro().close()

    async def _connect(self) -> None:
        options = self.host.options
        # CONNECT_TIMEOUT (ms, tcp only; 0 leaves it to the OS, as libzmq).
        timeout = options.connect_timeout / 1000 if options.connect_timeout > 0 else None
        self.host.connect_started(self)
        try:
            sock = await asyncio.wait_for(
                connect(self.host.loop, self.endpoint, options), timeout
            )
            try:
                await self.host.open_session(sock, self._new_session)
            except BaseException:
                sock.close()
                raise
        except (OSError, asyncio.TimeoutError) as exc:
            self.host.connect_failed(self, exc)
            if isinstance(exc, ConnectionRefusedError) and self._stops(ReconnectStop.CONN_REFUSED):
                self._stop()
            else:
                self._schedule_retry()
        finally:
            self.task = None

    def _new_session(self) -> Session:
        host = self.host.session_host()
        # The host says which class of session (raw.py's for STREAM sockets).
        session = self.host.session_class(
            host,
            str(self.endpoint),
            self.pipe,
            on_lost=self._lost,
            orphaned=self.host.is_lingering(self),
            reconnected=self.was_connected,
            routing_id=self.routing_id,
        )
        self.session = session
        return session

    def _lost(self, session: Session) -> None:
        if self.session is session:
            self.session = None
        if session.handshake_done:
            self.ivl = self.host.options.reconnect_ivl
        if self.pipe is not None and self.pipe.delimited:
            self._stop_lingering()
            self.closed = True
        refused = session.failure is not None  # reported: a protocol error or a refusal
        if not session.handshake_done and (refused or self._stops(ReconnectStop.HANDSHAKE_FAILED)):
            self._stop()
        else:
            self._schedule_retry()

    def _stops(self, reason: ReconnectStop) -> bool:
        return bool(self.host.options.reconnect_stop & reason)

    def _stop(self) -> None:
        """RECONNECT_STOP: give the endpoint up; messages queued for it are dropped."""
        if self.closed:
            return
        self.closed = True
        self._stop_lingering()
        if self.pipe is not None:
            self.pipe.terminate()  # the socket reads the delimiter and lets the pipe go
        self.host.connecter_stopped(self)

    def _schedule_retry(self) -> None:
        if self.closed or self.ivl < 0:
            return
        options = self.host.options
        delay = self.ivl
        if options.reconnect_ivl_max > options.reconnect_ivl:
            self.ivl = min(self.ivl * 2, options.reconnect_ivl_max)
        self.host.connect_retried(self, delay)
        self.retry = self.host.loop.call_later(delay / 1000, self.start)

    def session_ready(self) -> None:
        self.ivl = self.host.options.reconnect_ivl
        self.was_connected = True

    # -- pipe sink (any thread) --------------------------------------------

    def read_activated(self, pipe: Pipe) -> None:
        self.host.schedule(self._forward_read)

    def write_activated(self, pipe: Pipe) -> None:
        session = self.session
        if session is None or not session.refill():
            self.host.schedule(self._forward_write)

    def pipe_delimited(self, pipe: Pipe) -> None:
        if self.session is not None:
            self.session.pipe_delimited(pipe)

    def _forward_read(self) -> None:
        if self.session is not None:
            self.session.flush()

    def _forward_write(self) -> None:
        if self.session is not None:
            self.session.room_again()

    def close(self) -> None:
        """Stop connecting; a live session closes once the socket's pipe is drained.

        With LINGER and messages queued while no connection is up, keep trying to
        connect for up to LINGER ms to deliver them, as libzmq does (except at the
        interpreter's exit).
        """
        pipe = self.pipe
        linger = self.host.linger
        # At interpreter exit, a peer that is not connected now is not waited for.
        absent = self.host.exiting and self.session is None
        if linger != 0 and pipe is not None and pipe.has_pending() and not absent:
            self.host.linger_started(self)
            if linger > 0:
                self.linger_timer = self.host.loop.call_later(linger / 1000, self._give_up)
            if self.session is not None:
                self.session.orphan()  # let its handshake finish, then it drains
            elif self.retry is None and self.task is None:
                self.start()
            return
        self._close_now()

    def give_up(self) -> None:
        """LINGER ran out: stop trying to deliver what is queued."""
        if self.linger_timer is not None:
            self.linger_timer.cancel()
        self._give_up()

    def _give_up(self) -> None:
        self.linger_timer = None
        self._close_now()
        self._stop_lingering()

    def _stop_lingering(self) -> None:
        if self.linger_timer is not None:
            self.linger_timer.cancel()
            self.linger_timer = None
        self.host.linger_ended(self)

    def _close_now(self) -> None:
        self.closed = True
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        if self.task is not None:
            self.task.cancel()
        session = self.session
        if session is None and self.pipe is not None:
            # Nothing will ever read what was queued (LINGER 0 or run out): drop it now,
            # as libzmq does, so that its memory (and a tracked message) is let go.
            self.pipe.drop_inbound()
        if session is not None and (not session.established or session.owns_pipe):
            # A pipe made at the handshake is not drained by the socket: close now.
            session.close(abort=not session.established)


class Connecters:
    """A socket's connecters by endpoint, shared by two threads: the socket's thread
    adds them (``connect``) and takes them away (``disconnect``), the loop forgets one
    that RECONNECT_STOP gave up and goes over them all. Every access holds the lock;
    the loop goes over a copy."""

    def __init__(self) -> None:
        self._lock = os_lock()
        self._by_endpoint: dict[str, list[Connecter]] = {}

    def add(self, connecter: Connecter) -> None:
        with self._lock:
            self._by_endpoint.setdefault(str(connecter.endpoint), []).append(connecter)

    def pop(self, endpoint: str) -> list[Connecter]:
        """The connecters of ``endpoint``, forgotten; [] if there are none."""
        with self._lock:
            return self._by_endpoint.pop(endpoint, [])

    def forget(self, connecter: Connecter) -> None:
        endpoint = str(connecter.endpoint)
        with self._lock:
            group = self._by_endpoint.get(endpoint, [])
            if connecter in group:
                group.remove(connecter)
            if not group:
                self._by_endpoint.pop(endpoint, None)

    def all(self) -> list[Connecter]:
        with self._lock:
            return [c for group in self._by_endpoint.values() for c in group]

    def __len__(self) -> int:
        with self._lock:
            return sum(map(len, self._by_endpoint.values()))


def _never_started(task: asyncio.Task[None]) -> bool:
    """Whether the task's coroutine has not begun to run."""
    coro = task.get_coro()
    return inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == "CORO_CREATED"
