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
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

# Everything not redefined below is the same as in the sync API.
from . import __all__ as _sync_names
from .core.errors import ENOTSOCK as _ENOTSOCK
from .core.errors import CoreError, WouldBlock
from .core.pipe import Msg, Pipe
from .core.socket_base import SocketBase
from .core.sockets.xpub import XPub
from .engine.signaler import AsyncSignaler
from .engine.socket_engine import SocketEngine
from .error import Again, ContextTerminated
from .sugar import context as _context
from .sugar import poll as _poll
from .sugar import proxy as _proxy
from .sugar import socket as _socket
from .sugar.frame import Frame
from .sugar.socket import NOBLOCK as _NOBLOCK
from .sugar.socket import POLLIN as _POLLIN
from .sugar.socket import (
    _frame,
    _frames,
    as_message,
    msg_list,
    sendable,
    sendable_message,
    zmq_error,
)
from .sugar.tracker import MessageTracker

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from .sugar.context import Context as _SyncContext

    _Parts = Sequence[ReadableBuffer | Frame]

_Future = asyncio.Future
_S = TypeVar("_S", bound="Socket")
_T = TypeVar("_T")

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

    def cancel_all(self) -> None:
        while self.queue:
            fut, _, _ = self.queue.popleft()
            fut.cancel()

    def drop_done_heads(self) -> None:
        """Drop the oldest operations while they ended without the socket (cancelled)."""
        queue = self.queue
        while queue and queue[0][0].done():
            queue.popleft()

    def forget(self, fut: asyncio.Future[Any]) -> None:
        """Drop ``fut``'s operation, which ended without the socket (timed out)."""
        self.queue = deque(op for op in self.queue if op[0] is not fut)


class _Waiting:
    """The operations waiting on one asyncio socket, and what runs them.

    This is the part of an asyncio socket that its wake-ups (the core's ``wake``) and
    its connections (``take_direct``) reach. It refers to no Socket, so a socket the
    program drops is collected, and closed by its ``__del__``, even while its
    connections are up; pending operations keep it alive only through their callers.
    """

    __slots__ = (
        "core", "dropped", "loop", "poll", "recv", "send", "shared", "signaler", "state",
        "thread",
    )

    def __init__(self, core: SocketBase, shared: Any, state: Any) -> None:
        self.core = core
        self.shared = shared
        self.state = state  # the Context's shared state: terminated, its sockets
        self.recv = _Waiters()
        self.send = _Waiters()
        self.poll = _Waiters()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.get_ident()
        self.signaler = AsyncSignaler(None, self.thread, self.on_wake)
        # A publisher found a subscriber full: let the loop run before the next send.
        self.dropped = False

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
        """Run on ``loop`` from now on: the socket's wake-ups, its connections, and those of
        the context's other asyncio sockets made in this thread that met no loop yet."""
        old = self.loop
        self.loop = loop
        thread = threading.get_ident()
        self.thread = thread
        self.signaler.bind(loop, thread)
        engine = self.shared.engine
        if engine is not None:
            engine.bind_loop(loop, thread)
        if old is None or old.is_closed():
            _bind_siblings(self.state, loop, thread)
        return loop

    def get_loop(self) -> asyncio.AbstractEventLoop:
        loop = self.loop
        if loop is None or loop.is_closed():
            loop = self.bind_loop(asyncio.get_running_loop())
        return loop

    def on_wake(self) -> None:
        # On every delivery to a waiting recv (the latency path): no call that has
        # nothing to do.
        if self.state.terminated:
            exc = ContextTerminated()
            for waiters in (self.recv, self.send, self.poll):
                waiters.fail_all(exc)
            return
        self.core.process_commands()
        if self.recv.queue:
            self.recv.run()
        if self.send.queue:
            self.send.run()
        if self.poll.queue:
            self.poll.run()

    def take_direct(self, pipe: Pipe, msg: Msg) -> bool:
        """A message decoded on this loop, for the recv() that waits, if one does: True if
        it took it (the session then leaves the pipe alone).

        A recv() that waits found every pipe empty, and every delivery since has run the
        waiters at once (a wake-up on this thread), unless one is scheduled or running:
        so without those, and with no command in the mailbox, this message is the next
        one the socket would read. It skips the pipe, the wake-up and the fair queue;
        the type's xaccept gives it the meaning xrecv would (envelopes, routing ids).
        """
        queue = self.recv.queue
        if not queue:
            return False
        signaler = self.signaler
        core = self.core
        if (
            signaler.scheduled
            or signaler.running
            or signaler.hooks
            or not core.quiet()
            or self.state.terminated
        ):
            return False
        fut, attempt, copy = queue[0]
        frame_op = self.recv_frame
        if fut.done() or (attempt != frame_op and attempt != self.recv_message):
            return False
        taken = core.xaccept(pipe, msg)
        if taken is None:
            return False
        queue.popleft()
        if attempt == frame_op:
            first = core.begin_message(taken)
            more = core.more
            fut.set_result(first if copy else _frame(first, more, core.message_properties()))
            if more and queue:
                self.recv.run()  # the next recv()s wait for the next frames: here they are
        else:
            fut.set_result(msg_list(taken) if copy else _frames(taken, core.message_properties()))
        return True

    def start(
        self,
        waiters: _Waiters,
        attempt: Callable[[Any], Any],
        arg: Any,
        flags: int,
        timeout_ms: int,
        future_class: type[asyncio.Future[Any]] = _Future,
    ) -> asyncio.Future[Any]:
        """A Future of ``attempt(arg)``: resolved now if it succeeds, else when it does.

        ``future_class`` is the Future's class (purezmq.eventloop.future's sockets pass
        a tornado-flavoured one; a default argument is a local: the hot path pays nothing).
        """
        loop: asyncio.AbstractEventLoop | None = self.loop
        if loop is None or loop.is_closed():
            loop = self.bind_loop(asyncio.get_running_loop())
        # What loop.create_future() makes (on asyncio's loops and uvloop), one call fewer.
        fut: asyncio.Future[Any] = future_class(loop=loop)
        if self.shared.closed:
            fut.set_exception(zmq_error(CoreError(_ENOTSOCK)))
            return fut
        if waiters.queue:
            # Operations the caller cancelled leave the queue here, or at the next run:
            # nothing stays behind them (a cancelled poll() is not a waiter any more).
            waiters.drop_done_heads()
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
                    if self.dropped:
                        # A publisher outran a subscriber: resolve on the next iteration,
                        # so that a tight send loop lets the sessions drain the pipes.
                        self.dropped = False
                        loop.call_soon(_resolve, fut, result)
                    else:
                        fut.set_result(result)
                    return fut
            if flags & _NOBLOCK:
                fut.set_exception(Again())
                return fut
        waiters.queue.append((fut, attempt, arg))
        if timeout_ms >= 0:
            handle = loop.call_later(timeout_ms / 1000, _expire, waiters, fut, Again())
            fut.add_done_callback(lambda _: handle.cancel())
        # No wake-up can be lost here: the attempt processed the mailbox first, and a
        # wake-up from another thread that came before it has its run scheduled.
        return fut

    def close(self) -> None:
        """The socket closed: operations still waiting are cancelled, as pyzmq's."""
        for waiters in (self.recv, self.send, self.poll):
            waiters.cancel_all()

    # -- what the primitives try (now, or again on each wake-up) ----------------

    def send_part(self, frame: bytes) -> None:
        self.core.send_frame(frame, True)

    def send_message(self, msg: Any) -> None:
        self.core.send_message(msg)

    def recv_frame(self, copy: bool) -> Any:
        core = self.core
        frame = core.recv_frame()
        if frame is None:
            return _PENDING
        return frame if copy else _frame(frame, core.more, core.message_properties())

    def recv_message(self, copy: bool) -> Any:
        msg = self.core.recv_message()
        if msg is None:
            return _PENDING
        return msg_list(msg) if copy else _frames(msg, self.core.message_properties())

    def recv_loaded(self, load: Callable[[Any], Any], multipart: bool) -> Any:
        """What ``load`` makes of the next frame (whole message if ``multipart``)."""
        core = self.core
        got = core.recv_message() if multipart else core.recv_frame()
        return _PENDING if got is None else load(got)

    def ready_events(self, flags: int) -> int:
        events: int = self.core.events() & flags
        if not events:
            raise WouldBlock()
        return events

    def note_drop(self) -> None:
        self.dropped = True


def _bind_siblings(state: Any, loop: asyncio.AbstractEventLoop, thread: int) -> None:
    """The asyncio sockets of a context, used in ``thread``, that met no loop yet (or whose
    loop is closed) run on ``loop`` too: a socket bound before the loop ran serves its
    peers as soon as any socket of its context is awaited, as a pyzmq socket (whose I/O
    is libzmq's) does, and a pair of sockets moves to a new loop together."""
    for sock in list(state.sockets):
        waiting = getattr(sock, "_waiting", None)
        if waiting is None or waiting.thread != thread:
            continue
        if waiting.loop is None or waiting.loop.is_closed():
            waiting.bind_loop(loop)


def _resolving_to(attempt: Callable[[Any], Any], tracker: MessageTracker) -> Callable[[Any], Any]:
    """``attempt``, whose success resolves the send's Future to ``tracker``."""

    def sent(arg: Any) -> Any:
        attempt(arg)
        return tracker

    return sent


class Socket(_socket.Socket[_Future[Any]]):
    """A socket whose send/recv/poll return awaitables on the running loop.

    They return asyncio Futures, typed by what they resolve to: ``await sock.recv()`` is
    ``bytes`` (a Frame with ``copy=False``), ``await sock.recv_string()`` a ``str``.
    A send resolves, once the message is queued, to what the sync one returns (a
    MessageTracker with ``copy=False`` and ``track=True``, else None).
    """

    _repr_cls = "zmq.asyncio.Socket"

    _waiting: _Waiting
    _waiting_class: type[_Waiting] = _Waiting  # what runs its operations

    if TYPE_CHECKING:

        def __init__(
            self,
            context: _SyncContext[Any] | _socket.Socket[Any] | None = None,
            socket_type: int = 0,
            *,
            shadow: _socket.Socket[Any] | int | None = None,
            copy_threshold: int | None = None,
            **kwargs: Any,
        ) -> None: ...

    @classmethod
    def from_socket(cls: type[_S], socket: _socket.Socket[Any], io_loop: Any = None) -> _S:
        """An asyncio socket over the same socket as ``socket`` (pyzmq's: a shadow)."""
        return cls.shadow(socket)

    def _init_signaler(self) -> None:
        waiting = self._waiting_class(self._core, self._shared, self.context._state)
        self._waiting = waiting
        self._signaler = waiting.signaler
        core = self._core
        core.wake = waiting.signaler.wake
        if isinstance(core, XPub):
            core.on_drop = waiting.note_drop
            core.drop_clock = time.monotonic
        try:
            waiting.bind_loop(asyncio.get_running_loop())
        except RuntimeError:
            pass  # no loop yet: bind to the first one an awaitable is asked on

    def _init_shadow_signaler(self, owner_signaler: Any) -> None:
        """A shadow waits on its own loop, woken by the owner's wake-ups (a hook); it
        takes no message straight from a connection (take_direct stays the owner's)."""
        waiting = self._waiting_class(self._core, self._shared, self.context._state)
        self._waiting = waiting
        self._signaler = waiting.signaler
        self._shadow_hook = waiting.signaler.wake
        owner_signaler.add_hook(waiting.signaler.wake)
        try:
            waiting.bind_loop(asyncio.get_running_loop())
        except RuntimeError:
            pass

    @property
    def _recv_futures(self) -> list[asyncio.Future[Any]]:
        """pyzmq's name: the recv and poll operations still waiting."""
        waiting = self._waiting
        ops = (*waiting.recv.queue, *waiting.poll.queue)
        return [fut for fut, _, _ in ops if not fut.done()]

    @property
    def _send_futures(self) -> list[asyncio.Future[Any]]:
        return [fut for fut, _, _ in self._waiting.send.queue if not fut.done()]

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        return self._waiting.get_loop()

    def _get_engine(self) -> SocketEngine:
        shared = self._shared
        engine = shared.engine
        if engine is None:
            waiting = self._waiting
            engine = SocketEngine(self._core, waiting.loop, waiting.thread)
            engine.monitor = shared.monitor
            engine.inproc = self.context.inproc
            if not self._shadow:
                engine.direct_receiver = waiting.take_direct
            shared.engine = engine
        return engine

    def _polled_synchronously(self) -> None:
        """A sync Poller watches this socket: a wait on it may block the thread of the
        socket's loop, which could then make no connection nor read any (pyzmq's go on
        in libzmq's thread, as jupyter_client's asyncio heartbeat expects). The
        Context's I/O thread takes the socket's I/O over if nothing of it has begun on
        the loop yet (SocketEngine.off_the_loop); its operations still wait on the loop."""
        if self._shadow or self._waiting.loop is None:
            return
        io = self.context.io_thread()
        self._get_engine().off_the_loop(io.loop, io.thread_id)

    def _fd_signal(self) -> Any:
        self._waiting.get_loop()  # the FD hangs on the loop's signaler: make sure there is one
        return super()._fd_signal()

    def _close_waiters(self) -> None:
        self._waiting.close()

    # -- the four primitives the sugar is built on ------------------------------

    @overload  # type: ignore[override]
    def send(
        self, data: ReadableBuffer | Frame, flags: int = 0, copy: Literal[True] = True,
        track: bool = False, **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def send(
        self, data: ReadableBuffer | Frame, flags: int = 0, *, copy: Literal[False],
        track: Literal[True], **kwargs: Any,
    ) -> asyncio.Future[MessageTracker]: ...
    @overload
    def send(
        self, data: ReadableBuffer | Frame, flags: int, copy: Literal[False], track: Literal[True],
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker]: ...
    @overload
    def send(
        self, data: ReadableBuffer | Frame, flags: int = 0, copy: bool = True, track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker | None]: ...
    def send(
        self,
        data: ReadableBuffer | Frame,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[Any]:
        """Send one frame (SNDMORE holds it for the rest); resolves, once queued, to what
        the sync send() returns (a MessageTracker with ``copy=False``, ``track=True``)."""
        if type(data) is not bytes or track or not copy:
            frame, tracker = sendable(data, copy, track, self.copy_threshold)
        else:
            frame, tracker = data, None
        core = self._core
        waiting = self._waiting
        if flags & _socket.SNDMORE:
            attempt: Callable[[Any], Any] = waiting.send_part
            arg: Any = frame
        else:
            # core.send, not send_part: a type's xsend checks what xcheck_send would, so
            # the whole frame goes in one check (as in the sync facade).
            attempt, arg = core.send, (frame,)
        if tracker is not None:
            attempt = _resolving_to(attempt, tracker)
        return waiting.start(waiting.send, attempt, arg, flags, core.options.sndtimeo)

    @overload  # type: ignore[override]
    def send_multipart(
        self, msg_parts: _Parts, flags: int = 0, copy: Literal[True] = True,
        track: bool = False, **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def send_multipart(
        self, msg_parts: _Parts, flags: int = 0, *, copy: Literal[False],
        track: Literal[True], **kwargs: Any,
    ) -> asyncio.Future[MessageTracker]: ...
    @overload
    def send_multipart(
        self, msg_parts: _Parts, flags: int, copy: Literal[False], track: Literal[True],
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker]: ...
    @overload
    def send_multipart(
        self, msg_parts: _Parts, flags: int = 0, copy: bool = True, track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker | None]: ...
    def send_multipart(
        self,
        msg_parts: _Parts,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[Any]:
        """Send a whole message; resolves, once queued, to what the sync send_multipart()
        returns."""
        waiting = self._waiting
        attempt: Callable[[Any], Any] = waiting.send_message
        if track or not copy:
            msg, tracker = sendable_message(msg_parts, copy, track, self.copy_threshold)
            if tracker is not None:
                attempt = _resolving_to(attempt, tracker)
        else:
            msg = as_message(msg_parts)
        return waiting.start(waiting.send, attempt, msg, flags, self._core.options.sndtimeo)

    @overload  # type: ignore[override]
    def recv(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> asyncio.Future[bytes]: ...
    @overload
    def recv(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> asyncio.Future[Frame]: ...
    @overload
    def recv(
        self, flags: int, copy: Literal[False], track: bool = False
    ) -> asyncio.Future[Frame]: ...
    @overload
    def recv(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[bytes | Frame]: ...
    def recv(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Resolves to the next frame (bytes, or a Frame with copy=False)."""
        waiting = self._waiting
        return waiting.start(
            waiting.recv, waiting.recv_frame, copy, flags, self._core.options.rcvtimeo
        )

    @overload  # type: ignore[override]
    def recv_multipart(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> asyncio.Future[list[bytes]]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> asyncio.Future[list[Frame]]: ...
    @overload
    def recv_multipart(
        self, flags: int, copy: Literal[False], track: bool = False
    ) -> asyncio.Future[list[Frame]]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[list[bytes] | list[Frame]]: ...
    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Resolves to every frame of the next message (bytes, or Frames with copy=False)."""
        waiting = self._waiting
        return waiting.start(
            waiting.recv, waiting.recv_message, copy, flags, self._core.options.rcvtimeo
        )

    def recv_into(  # type: ignore[override]
        self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0
    ) -> asyncio.Future[int]:
        """Resolves to the size of the next frame, received into ``buffer`` (pyzmq's)."""
        view = _socket.writable_view(buffer, nbytes)
        return self._recv_loaded(flags, lambda frame: _socket.copy_into(view, frame))

    def poll(  # type: ignore[override]
        self, timeout: int | None = None, flags: int = _POLLIN
    ) -> asyncio.Future[int]:
        """Resolves to the ready events among ``flags`` (0 after ``timeout`` ms; with
        ``timeout=0``, resolved when returned, as pyzmq's)."""
        waiting = self._waiting
        fut = waiting.start(waiting.poll, waiting.ready_events, flags, 0, -1)
        if timeout == 0 and not fut.done():
            _expire(waiting.poll, fut, 0)  # pyzmq: a poll that does not wait
        elif timeout is not None and timeout >= 0 and not fut.done():
            handle = waiting.get_loop().call_later(
                timeout / 1000, _expire, waiting.poll, fut, 0
            )
            fut.add_done_callback(lambda _: handle.cancel())
        if not fut.done():
            # A poll is often abandoned (cancelled by a wait_for or a select): it leaves
            # the queue at once rather than at the next poll.
            fut.add_done_callback(waiting.poll.forget)
        return fut

    if TYPE_CHECKING:
        # Written once in the sync Socket on send/recv and _recv_loaded: here they
        # return the Futures those return.

        def send_string(  # type: ignore[override]
            self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8",
            **kwargs: Any,
        ) -> asyncio.Future[None]: ...
        def recv_string(  # type: ignore[override]
            self, flags: int = 0, encoding: str = "utf-8"
        ) -> asyncio.Future[str]: ...
        def send_json(  # type: ignore[override]
            self, obj: Any, flags: int = 0, **kwargs: Any
        ) -> asyncio.Future[None]: ...
        def recv_json(self, flags: int = 0, **kwargs: Any) -> asyncio.Future[Any]: ...
        def send_pyobj(  # type: ignore[override]
            self, obj: Any, flags: int = 0, protocol: int = ..., **kwargs: Any
        ) -> asyncio.Future[None]: ...
        def recv_pyobj(self, flags: int = 0) -> asyncio.Future[Any]: ...
        def send_serialized(  # type: ignore[override]
            self,
            msg: Any,
            serialize: Callable[[Any], Sequence[ReadableBuffer | Frame]],
            flags: int = 0,
            copy: bool = True,
            **kwargs: Any,
        ) -> asyncio.Future[None]: ...
        def recv_serialized(  # type: ignore[override]
            self, deserialize: Callable[[list[Any]], _T], flags: int = 0, copy: bool = True
        ) -> asyncio.Future[_T]: ...
        send_unicode = send_string  # type: ignore[assignment]
        recv_unicode = recv_string  # type: ignore[assignment]

    def _recv_loaded(
        self, flags: int, load: Callable[[Any], Any], multipart: bool = False
    ) -> asyncio.Future[Any]:
        waiting = self._waiting
        return waiting.start(
            waiting.recv, lambda _: waiting.recv_loaded(load, multipart), None, flags,
            self._core.options.rcvtimeo,
        )


def _expire(waiters: _Waiters, fut: asyncio.Future[Any], outcome: Any) -> None:
    """A timeout: ``fut`` ends with ``outcome`` (an exception, or a result) and leaves
    the queue, so that operations that time out leave nothing behind."""
    if not fut.done():
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)
    waiters.forget(fut)


def _resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


class Context(_context.Context[Socket]):
    """A Context whose sockets are asyncio sockets on their caller's loop."""

    if TYPE_CHECKING:

        def __init__(
            self,
            io_threads: int | _context.Context[Any] = 1,
            shadow: _context.Context[Any] | int | None = None,
            **kwargs: Any,
        ) -> None: ...

    _socket_class = Socket
    _repr_cls = "zmq.asyncio.Context"
    # Context.instance() of this class is not the sync one's (as pyzmq's).
    _instance = None


class Poller(_poll.Poller):
    """A Poller whose ``poll`` is awaitable."""

    _blocks = False

    def poll(self, timeout: float | None = None) -> asyncio.Future[list[tuple[Any, int]]]:  # type: ignore[override]
        """A Future of the (socket, events) ready within ``timeout`` ms (None or negative:
        for ever), as pyzmq's: a Future, not a coroutine, so it can be cancelled and
        checked, and one left pending when the program ends is dropped quietly."""
        return _PollWait(self, timeout).future


class _PollWait:
    """One ``Poller.poll``: a Future that the sockets' hooks, the loop's fd callbacks and
    a timer resolve. It has no Task of its own, as pyzmq's has none (a Task still
    pending at exit makes asyncio print "Task was destroyed but it is pending")."""

    def __init__(
        self, poller: Poller, timeout: float | None, future: asyncio.Future[Any] | None = None
    ) -> None:
        """Watch ``poller``'s items for ``timeout`` ms (None or negative: for ever; 0: the
        events ready now, resolved at once); the outcome goes to ``future`` (default: a
        new Future of the current loop)."""
        self.loop = asyncio.get_event_loop() if future is None else future.get_loop()
        self.poller = poller
        self.future = self.loop.create_future() if future is None else future
        self.zsocks, self.fds = poller._split()
        self.thread = threading.get_ident()
        self.check_scheduled = False
        self.timer: asyncio.TimerHandle | None = None
        for sock, _ in self.zsocks:
            if isinstance(sock, Socket):
                sock._get_loop()
            sock._signaler.add_hook(self._wake)
        for fd, flags in self.fds:
            if flags & _POLLIN:
                self.loop.add_reader(fd, self._check)
            if flags & _poll.POLLOUT:
                self.loop.add_writer(fd, self._check)
        if timeout is not None and timeout > 0:
            self.timer = self.loop.call_later(timeout / 1000, self._expire)
        self.future.add_done_callback(self._finish)
        if timeout == 0:
            self._expire()
        else:
            self._check()

    def _wake(self) -> None:
        """A socket's hook (on any thread): check on the loop, once however many fire."""
        if threading.get_ident() == self.thread:
            self._schedule_check()
        else:
            self.loop.call_soon_threadsafe(self._schedule_check)

    def _schedule_check(self) -> None:
        if not self.check_scheduled and not self.future.done():
            self.check_scheduled = True
            self.loop.call_soon(self._check)

    def _check(self) -> None:
        self.check_scheduled = False
        if self.future.done():
            return
        try:
            ready = self.poller._ready(self.zsocks, self.fds)
        except Exception as exc:  # ContextTerminated, a closed socket: the poll's error
            self.future.set_exception(exc)
            return
        if ready:
            self.future.set_result(ready)

    def _expire(self) -> None:
        self._check()
        if not self.future.done():
            self.future.set_result([])

    def _finish(self, _future: object) -> None:
        """Resolved or cancelled: stop watching."""
        if self.timer is not None:
            self.timer.cancel()
        for sock, _ in self.zsocks:
            sock._signaler.remove_hook(self._wake)
        for fd, flags in self.fds:
            if flags & _POLLIN:
                self.loop.remove_reader(fd)
            if flags & _poll.POLLOUT:
                self.loop.remove_writer(fd)


async def _move(src: Any, dst: Any, capture: Any, state: _proxy.ProxyState, side: int) -> None:
    for _ in range(_proxy.BURST):
        try:
            msg = await src.recv_multipart(_NOBLOCK)
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
            reply = state.command(await control.recv(), control.type == _proxy.REP)
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


class ZMQEventLoop(asyncio.SelectorEventLoop):
    """Deprecated in pyzmq 17: a plain selector event loop, since sockets work on any loop."""

    def __init__(self, selector: Any = None) -> None:
        _deprecated()
        super().__init__(selector)


def install() -> None:
    """Deprecated in pyzmq 17, does nothing: no loop integration is needed."""
    _deprecated()


def _deprecated() -> None:
    """Warn once per process, as pyzmq does."""
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            "ZMQEventLoop and zmq.asyncio.install are deprecated in pyzmq 17."
            " Special eventloop integration is no longer needed.",
            DeprecationWarning,
            stacklevel=3,
        )


_warned = False


def _export_sync_names() -> None:
    """Everything not redefined here is the same object as in the sync API."""
    import purezmq

    namespace = globals()
    for name in _sync_names:
        namespace.setdefault(name, getattr(purezmq, name))


_export_sync_names()
__all__ = [*_sync_names, "ZMQEventLoop", "install", "proxy_steerable"]
