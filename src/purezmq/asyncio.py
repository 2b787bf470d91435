"""purezmq.asyncio: the pyzmq API with awaitables, on the running loop.

An asyncio socket lives on its caller's loop, and so do its connections: a message
crosses no thread. ``send``/``recv`` (and every helper built on them) return a
Future that is already resolved when the core socket could act at once; otherwise
the operation waits in a queue that the socket's wake-up runs again. Cancelling
that Future takes nothing from the socket: a message leaves its pipe only in the
same step that resolves the Future with it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

# Everything not redefined below is the same as in the sync API.
from . import __all__ as _sync_names
from .core.errors import ENOTSOCK, CoreError, WouldBlock
from .core.pipe import Msg, Pipe
from .core.sockets.xpub import XPub
from .engine.signaler import AsyncSignaler
from .engine.socket_engine import SocketEngine
from .error import Again, ContextTerminated
from .sugar import context as _context
from .sugar import poll as _poll
from .sugar import proxy as _proxy
from .sugar import socket as _socket
from .sugar.socket import (
    NOBLOCK,
    POLLIN,
    _frame,
    _frames,
    as_frame_bytes,
    as_message,
    msg_list,
    zmq_error,
)

_Future = asyncio.Future

# An operation: its Future, what to try, and the one argument to try it with (a
# function and its argument rather than a closure: nothing to build per call, and one
# Python frame fewer on the way to the core).
_Op = tuple["asyncio.Future[Any]", Callable[[Any], Any], Any]

# What a recv attempt returns when nothing is waiting, so that the operation waits.
# A value rather than WouldBlock: waiting is what most recvs do first, and an exception
# costs more than the rest of the attempt.
_PENDING: Any = object()


class _Waiters:
    """Operations of one kind (send or recv) waiting for the socket, oldest first."""

    __slots__ = ("queue",)

    def __init__(self) -> None:
        self.queue: deque[_Op] = deque()

    def run(self) -> None:
        queue = self.queue
        while queue:
            fut, attempt, arg = queue[0]
            if fut.done():
                queue.popleft()
                continue
            try:
                result = attempt(arg)
            except WouldBlock:
                return
            except CoreError as exc:
                fut.set_exception(zmq_error(exc))
            except Exception as exc:
                fut.set_exception(exc)
            else:
                if result is _PENDING:
                    return
                fut.set_result(result)
            queue.popleft()

    def fail_all(self, exc: BaseException) -> None:
        while self.queue:
            fut, _, _ = self.queue.popleft()
            if not fut.done():
                fut.set_exception(exc)


class Socket(_socket.Socket):
    """A socket whose send/recv/poll return awaitables on the running loop."""

    _dropped: bool
    _context_flags: dict[str, bool]
    _loop: asyncio.AbstractEventLoop | None
    _recv_waiters: _Waiters
    _send_waiters: _Waiters
    _poll_waiters: _Waiters

    def _init_signaler(self) -> None:
        self._dropped = False
        core = self._core
        if isinstance(core, XPub):
            core.on_drop = self._note_drop
            core.drop_clock = time.monotonic
        self._context_flags = self.context._flags
        self._loop = None
        self._signaler = None
        self._recv_waiters = _Waiters()
        self._send_waiters = _Waiters()
        self._poll_waiters = _Waiters()
        # The two recv attempts, bound once: _take_direct knows them by identity.
        self._recv_frame_op = self._recv_frame
        self._recv_message_op = self._recv_message
        try:
            self._bind_loop(asyncio.get_running_loop())
        except RuntimeError:
            pass  # no loop yet: bind to the first one an awaitable is asked on

    def _note_drop(self) -> None:
        self._dropped = True

    def _bind_loop(self, loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
        signaler = AsyncSignaler(loop, threading.get_ident(), self._on_wake)
        self._loop = loop
        self._signaler = signaler
        self._core.wake = signaler.wake
        self._core.take_direct = self._take_direct
        if self._engine is not None:
            self._engine.bind_loop(loop, threading.get_ident())
        return loop

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            loop = self._bind_loop(asyncio.get_running_loop())
        return loop

    def _get_engine(self) -> SocketEngine:
        engine: SocketEngine | None = self._engine
        if engine is None:
            loop = self._loop
            engine = SocketEngine(self._core, loop, threading.get_ident())
            engine.monitor = self._monitor
            self._engine = engine
        return engine

    def _on_wake(self) -> None:
        # On every delivery to a waiting recv (the latency path): no call that has
        # nothing to do.
        if self._context_flags["terminated"]:
            exc = ContextTerminated()
            for waiters in (self._recv_waiters, self._send_waiters, self._poll_waiters):
                waiters.fail_all(exc)
            return
        mailbox = self._core._mailbox
        while mailbox:  # SocketBase.process_commands, inlined
            handler, pipe = mailbox.popleft()
            handler(pipe)
        if self._recv_waiters.queue:
            self._recv_waiters.run()
        if self._send_waiters.queue:
            self._send_waiters.run()
        if self._poll_waiters.queue:
            self._poll_waiters.run()

    def _take_direct(self, pipe: Pipe, msg: Msg) -> bool:
        """A message decoded on this loop, for the recv() that waits, if one does: True if
        it took it (the session then leaves the pipe alone).

        A recv() that waits found every pipe empty, and every delivery since has run the
        waiters at once (a wake-up on this thread), unless one is scheduled or running:
        so without those, and with no command in the mailbox, this message is the next
        one the socket would read. It skips the pipe, the wake-up and the fair queue;
        the type's xaccept gives it the meaning xrecv would (envelopes, routing ids).
        """
        queue = self._recv_waiters.queue
        if not queue:
            return False
        signaler = self._signaler
        core = self._core
        if (
            signaler.scheduled
            or signaler.running
            or signaler.hooks
            or core._mailbox
            or core._in_parts
            or self._context_flags["terminated"]
        ):
            return False
        fut, attempt, copy = queue[0]
        frame_op = self._recv_frame_op
        if fut.done() or (attempt is not frame_op and attempt is not self._recv_message_op):
            return False
        taken = core.xaccept(pipe, msg)
        if taken is None:
            return False
        queue.popleft()
        if attempt is frame_op:
            more = len(taken) > 1
            if more:
                core._in_parts = taken
                core._in_index = 1
            fut.set_result(taken[0] if copy else _frame(taken[0], more))
        else:
            fut.set_result(msg_list(taken) if copy else _frames(taken))
        return True

    def _fd_signal(self) -> Any:
        self._get_loop()  # the FD hangs on the loop's signaler: make sure there is one
        return super()._fd_signal()

    def _context_terminated(self) -> None:
        if self._signaler is not None:
            self._signaler.wake()

    def _start(
        self,
        waiters: _Waiters,
        attempt: Callable[[Any], Any],
        arg: Any,
        flags: int,
        timeout_ms: int,
    ) -> asyncio.Future[Any]:
        loop: asyncio.AbstractEventLoop | None = self._loop
        if loop is None:
            loop = self._bind_loop(asyncio.get_running_loop())
        # What loop.create_future() makes (on asyncio's loops and uvloop), one call fewer.
        fut: asyncio.Future[Any] = _Future(loop=loop)
        if self._closed:
            fut.set_exception(zmq_error(CoreError(ENOTSOCK)))
            return fut
        if not waiters.queue:
            try:
                result = attempt(arg)
            except WouldBlock:
                pass
            except CoreError as exc:
                fut.set_exception(zmq_error(exc))
                return fut
            else:
                if result is not _PENDING:
                    if self._dropped:
                        # A publisher outran a subscriber: resolve on the next iteration,
                        # so that a tight send loop lets the sessions drain the pipes.
                        self._dropped = False
                        loop.call_soon(_resolve, fut, result)
                    else:
                        fut.set_result(result)
                    return fut
            if flags & NOBLOCK:
                fut.set_exception(Again())
                return fut
        waiters.queue.append((fut, attempt, arg))
        if timeout_ms >= 0:
            handle = loop.call_later(timeout_ms / 1000, _expire, fut, Again)
            fut.add_done_callback(lambda _: handle.cancel())
        # No wake-up can be lost here: the attempt processed the mailbox first, and a
        # wake-up from another thread that came before it has its run scheduled.
        return fut

    # -- the four primitives the sugar is built on ------------------------------

    def send(  # type: ignore[override]
        self, data: Any, flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any
    ) -> asyncio.Future[Any]:
        """Send one frame (SNDMORE holds it for the rest); resolves when queued."""
        frame = data if type(data) is bytes else as_frame_bytes(data)
        core = self._core
        if flags & _socket.SNDMORE:
            return self._start(
                self._send_waiters, self._send_part, frame, flags, core.options.sndtimeo
            )
        # core.send, not send_part: a type's xsend checks what xcheck_send would, so the
        # whole frame goes in one check (as in the sync facade).
        return self._start(
            self._send_waiters, core.send, (frame,), flags, core.options.sndtimeo
        )

    def send_multipart(  # type: ignore[override]
        self, msg_parts: Any, flags: int = 0, copy: bool = True, track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[Any]:
        """Send a whole message; resolves when it is queued."""
        return self._start(
            self._send_waiters, self._send_message, as_message(msg_parts), flags,
            self._core.options.sndtimeo,
        )

    def recv(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Resolves to the next frame (bytes, or a Frame with copy=False)."""
        return self._start(
            self._recv_waiters, self._recv_frame_op, copy, flags, self._core.options.rcvtimeo
        )

    def recv_multipart(  # type: ignore[override]
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Resolves to every frame of the next message."""
        return self._start(
            self._recv_waiters, self._recv_message_op, copy, flags, self._core.options.rcvtimeo
        )

    def poll(  # type: ignore[override]
        self, timeout: int | None = None, flags: int = POLLIN
    ) -> asyncio.Future[int]:
        """Resolves to the ready events among ``flags`` (0 after ``timeout`` ms)."""
        fut = self._start(self._poll_waiters, self._ready_events, flags, 0, -1)
        if timeout is not None and timeout >= 0 and not fut.done():
            handle = self._get_loop().call_later(timeout / 1000, _resolve, fut, 0)
            fut.add_done_callback(lambda _: handle.cancel())
        return fut

    def _recv_loaded(
        self, flags: int, load: Callable[[Any], Any], multipart: bool = False
    ) -> asyncio.Future[Any]:
        core = self._core
        take = core.recv if multipart else (lambda: core.recv_part()[0])
        return self._start(
            self._recv_waiters, lambda _: load(take()), None, flags, core.options.rcvtimeo
        )

    # -- what the primitives try (now, or again on each wake-up) ----------------

    def _send_part(self, frame: bytes) -> None:
        self._core.send_part(frame, True)

    def _send_message(self, msg: Any) -> None:
        core = self._core
        if not core._out_parts:
            core.xcheck_send()
        core.send(msg)

    def _recv_frame(self, copy: bool) -> Any:
        core = self._core
        if not core._in_parts and not core._mailbox:
            # The hot path, as the sync facade's recv: a whole message from the type.
            msg = core.xrecv()
            if msg is None:
                if not core._mailbox:
                    return _PENDING
                frame, more = core.recv_part()  # a pipe's end left a command: look again
            else:
                if len(msg) > 1:
                    core._in_parts = msg
                    core._in_index = 1
                frame, more = msg[0], len(msg) > 1
        else:
            frame, more = core.recv_part()
        return frame if copy else _frame(frame, more)

    def _recv_message(self, copy: bool) -> Any:
        msg = self._core.recv()
        return msg_list(msg) if copy else _frames(msg)

    def _ready_events(self, flags: int) -> int:
        events: int = self._core.events() & flags
        if not events:
            raise WouldBlock()
        return events


def _expire(fut: asyncio.Future[Any], exc: type[BaseException]) -> None:
    if not fut.done():
        fut.set_exception(exc())


def _resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


class Context(_context.Context):
    """A Context whose sockets are asyncio sockets on their caller's loop."""

    _socket_class = Socket


class Poller(_poll.Poller):
    """A Poller whose ``poll`` is awaitable."""

    async def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:  # type: ignore[override]
        """Wait up to ``timeout`` ms (None: for ever) for registered events."""
        if timeout is not None and timeout < 0:
            timeout = None
        loop = asyncio.get_running_loop()
        zsocks, fds = self._split()
        wake = asyncio.Event()
        thread = threading.get_ident()

        def hook() -> None:
            if threading.get_ident() == thread:
                wake.set()
            else:
                loop.call_soon_threadsafe(wake.set)

        for sock, _ in zsocks:
            if isinstance(sock, Socket):
                sock._get_loop()
            sock._signaler.add_hook(hook)
        for fd, flags in fds:
            if flags & POLLIN:
                loop.add_reader(fd, wake.set)
            if flags & _poll.POLLOUT:
                loop.add_writer(fd, wake.set)
        try:
            deadline = None if timeout is None else loop.time() + timeout / 1000
            while True:
                wake.clear()
                ready = self._ready(zsocks, fds)
                if ready:
                    return ready
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    return []
                try:
                    await asyncio.wait_for(wake.wait(), remaining)
                except asyncio.TimeoutError:
                    return []
        finally:
            for sock, _ in zsocks:
                sock._signaler.remove_hook(hook)
            for fd, flags in fds:
                if flags & POLLIN:
                    loop.remove_reader(fd)
                if flags & _poll.POLLOUT:
                    loop.remove_writer(fd)


async def _move(src: Any, dst: Any, capture: Any, state: _proxy.ProxyState, side: int) -> None:
    for _ in range(_proxy.BURST):
        try:
            msg = await src.recv_multipart(NOBLOCK)
        except Again:
            return
        state.count(side, 0, msg)
        if capture is not None:
            await capture.send_multipart(msg)
        await dst.send_multipart(msg)
        state.count(1 - side, 1, msg)


async def proxy_steerable(
    frontend: Any, backend: Any, capture: Any = None, control: Any = None
) -> None:
    """The steerable proxy on the running loop (see ``purezmq.proxy_steerable``)."""
    state = _proxy.ProxyState()
    poller = _proxy._poller(frontend, backend, control, Poller)
    while not state.terminated:
        ready = dict(await poller.poll())
        if control is not None and control in ready:
            reply = state.command(await control.recv(), control.socket_type == _proxy.REP)
            if reply is not None:
                await control.send_multipart(reply)
        if state.paused or state.terminated:
            continue
        if frontend in ready:
            await _move(frontend, backend, capture, state, 0)
        if backend in ready and backend is not frontend:
            await _move(backend, frontend, capture, state, 1)


async def proxy(frontend: Any, backend: Any, capture: Any = None) -> None:
    """Forward between ``frontend`` and ``backend`` on the running loop until cancelled."""
    await proxy_steerable(frontend, backend, capture)


def _export_sync_names() -> None:
    """Everything not redefined here is the same object as in the sync API."""
    import purezmq

    namespace = globals()
    for name in _sync_names:
        namespace.setdefault(name, getattr(purezmq, name))


_export_sync_names()
__all__ = [*_sync_names, "proxy_steerable"]
