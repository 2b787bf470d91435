"""ZMQStream: callbacks for a socket's messages on tornado's IOLoop (pyzmq's).

Theory of operation: the stream registers the socket's ``FD`` with the IOLoop. As
with libzmq, that descriptor only says "the socket's events may have changed": it is
edge-triggered, cleared each time ``EVENTS`` is read. So every time the IOLoop calls
:meth:`ZMQStream._handle_events`, the stream reads ``EVENTS``, receives one message
(if it has a recv callback and one is waiting) and sends one queued message (if
the socket can take it), and then reads ``EVENTS`` again: if the socket is still
ready for what the stream wants, it schedules itself for the next loop iteration,
since the descriptor will not tell it again. One message each way per iteration
keeps one busy socket from starving the rest of the loop.

Sends are queued (``send`` never blocks) and each calls the ``on_send`` callback
once it is done. Callbacks may be coroutines; an exception they raise is logged on
tornado's ``gen_log``. A stream over an asyncio socket warns and works on a sync
shadow of it (``zmq.Socket(shadow=...)``), as pyzmq 27's does.
"""

from __future__ import annotations

import asyncio
import pickle
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tornado.ioloop import IOLoop
from tornado.log import gen_log

from .. import asyncio as _azmq
from ..constants import Errno, Flag, PollEvent
from ..error import ContextTerminated, ZMQError
from ..sugar.poll import Poller
from ..sugar.socket import Socket
from ..utils import jsonapi

__all__ = ["ZMQStream"]

POLLIN = int(PollEvent.POLLIN)
POLLOUT = int(PollEvent.POLLOUT)
_NOBLOCK = int(Flag.NOBLOCK)
_EAGAIN = int(Errno.EAGAIN)

RecvCallback = Callable[[list[Any]], Any]
SendCallback = Callable[[list[Any], Any], Any]


def _ignore(*args: Any) -> None:
    """The send callback of a stream that has none."""


class ZMQStream:
    """Register callbacks to run when ``socket`` receives a message, and after each
    message it sends, on the tornado IOLoop ``io_loop`` (default: the current one).

    ``bind``, ``bind_to_random_port``, ``connect`` and the ``setsockopt`` /
    ``getsockopt`` family are the socket's own methods; anything else is on
    ``stream.socket``.
    """

    socket: Socket[Any]
    io_loop: IOLoop
    poller: Poller

    def __init__(self, socket: Socket[Any], io_loop: IOLoop | None = None) -> None:
        if isinstance(socket, _azmq.Socket):
            _warn_async(socket)
            socket = Socket(shadow=socket)
        self.socket = socket
        self.io_loop = io_loop or IOLoop.current()
        self.poller = Poller()
        self._fd: int = socket.FD
        self._send_queue: deque[tuple[Sequence[Any], dict[str, Any]]] = deque()
        self._recv_callback: RecvCallback | None = None
        self._send_callback: SendCallback | None = None
        self._close_callback: Callable[[], Any] | None = None
        self._recv_copy = False
        self._flushed = False
        self._state = 0
        self.io_loop.add_handler(socket, self._handle_events, IOLoop.READ)
        self.bind = socket.bind
        self.bind_to_random_port = socket.bind_to_random_port
        self.connect = socket.connect
        self.setsockopt = socket.setsockopt
        self.getsockopt = socket.getsockopt
        self.setsockopt_string = socket.setsockopt_string
        self.getsockopt_string = socket.getsockopt_string
        self.setsockopt_unicode = socket.setsockopt_unicode
        self.getsockopt_unicode = socket.getsockopt_unicode

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.socket!r}>"

    # -- callbacks ------------------------------------------------------------

    def on_recv(self, callback: RecvCallback | None, copy: bool = True) -> None:
        """Call ``callback(frames)`` with every message received from now on (the list
        ``recv_multipart(copy=copy)`` returns); None stops receiving. One callback at a
        time: each call replaces the last."""
        self._check_closed()
        assert callback is None or callable(callback)
        self._recv_callback = callback
        self._recv_copy = copy
        if callback is None:
            self._drop_io_state(POLLIN)
        else:
            self._add_io_state(POLLIN)

    def on_recv_stream(
        self, callback: Callable[[ZMQStream, list[Any]], Any] | None, copy: bool = True
    ) -> None:
        """As :meth:`on_recv`, with the stream as the callback's first argument."""
        if callback is None:
            self.stop_on_recv()
            return
        self.on_recv(lambda msg: callback(self, msg), copy=copy)

    def on_send(self, callback: SendCallback | None) -> None:
        """Call ``callback(msg, status)`` after each message sent: ``msg`` as given to
        send_multipart, ``status`` what the socket's send_multipart returned (a
        MessageTracker or None), or the ZMQError it raised."""
        self._check_closed()
        assert callback is None or callable(callback)
        self._send_callback = callback

    def on_send_stream(self, callback: Callable[[ZMQStream, list[Any], Any], Any] | None) -> None:
        """As :meth:`on_send`, with the stream as the callback's first argument."""
        if callback is None:
            self.stop_on_send()
            return
        self.on_send(lambda msg, status: callback(self, msg, status))

    def stop_on_recv(self) -> None:
        """Stop receiving (messages wait in the socket)."""
        self.on_recv(None)

    def stop_on_send(self) -> None:
        """Stop calling a send callback."""
        self.on_send(None)

    def stop_on_err(self) -> None:
        """Deprecated in pyzmq, does nothing."""
        gen_log.warning("on_err does nothing, and will be removed")

    def on_err(self, callback: Callable[..., Any]) -> None:
        """Deprecated in pyzmq, does nothing."""
        gen_log.warning("on_err does nothing, and will be removed")

    def set_close_callback(self, callback: Callable[[], Any] | None) -> None:
        """Call ``callback()`` when the stream is closed."""
        self._close_callback = callback

    # -- sending --------------------------------------------------------------

    def send_multipart(
        self,
        msg: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue ``msg`` to be sent when the socket can take it; ``callback`` (if given)
        becomes the send callback."""
        kwargs.update(flags=flags, copy=copy, track=track)
        self._send_queue.append((msg, kwargs))
        self.on_send(callback or self._send_callback or _ignore)
        self._add_io_state(POLLOUT)

    def send(
        self,
        msg: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue a one-frame message (see :meth:`send_multipart`)."""
        self.send_multipart([msg], flags, copy, track, callback, **kwargs)

    def send_string(
        self,
        u: str,
        flags: int = 0,
        encoding: str = "utf-8",
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue a str, encoded."""
        if not isinstance(u, str):
            raise TypeError("unicode/str objects only")
        self.send(u.encode(encoding), flags=flags, callback=callback, **kwargs)

    send_unicode = send_string

    def send_json(
        self, obj: Any, flags: int = 0, callback: SendCallback | None = None, **kwargs: Any
    ) -> None:
        """Queue ``obj`` as JSON."""
        self.send(jsonapi.dumps(obj), flags=flags, callback=callback, **kwargs)

    def send_pyobj(
        self,
        obj: Any,
        flags: int = 0,
        protocol: int = -1,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue ``obj`` pickled."""
        self.send(pickle.dumps(obj, protocol), flags, callback=callback, **kwargs)

    # -- state ----------------------------------------------------------------

    def receiving(self) -> bool:
        """Whether a recv callback is registered."""
        return self._recv_callback is not None

    def sending(self) -> bool:
        """Whether messages are queued to send."""
        return bool(self._send_queue)

    def closed(self) -> bool:
        """Whether the stream is closed (closing it if its socket was closed elsewhere)."""
        if self.socket is None:
            return True
        if self.socket.closed:
            self.close()
            return True
        return False

    def close(self, linger: int | None = None) -> None:
        """Stop watching the socket, close it (with ``linger`` if given), and call the
        close callback."""
        socket = self.socket
        if socket is None:
            return
        if socket.closed:
            warnings.warn(
                f"Unregistering FD {self._fd} after closing socket. This could unregister"
                " another socket's handler: close the stream, not its socket.",
                stacklevel=2,
            )
            self.io_loop.remove_handler(self._fd)
        else:
            self.io_loop.remove_handler(socket)
            socket.close(linger)
        self.socket = None  # type: ignore[assignment]
        if self._close_callback:
            self._run_callback(self._close_callback)

    def flush(self, flag: int = POLLIN | POLLOUT, limit: int | None = None) -> int:
        """Handle waiting messages now, without waiting for the loop: received ones
        (``flag & POLLIN``; with no recv callback they are dropped) and queued sends
        (``flag & POLLOUT``), at most ``limit`` in all. The number handled.

        The loop's own handling is skipped for the rest of this iteration.
        """
        self._check_closed()
        already_flushed = self._flushed
        self._flushed = False
        count = 0
        flag = self._flush_flag(flag)
        events = self._ready(flag)
        while events and (not limit or count < limit):
            handled = self._flush_once(events)
            count += abs(handled)
            if handled < 0:
                break  # a callback closed the stream
            flag = self._flush_flag(flag)
            events = self._ready(flag)
        if count or already_flushed:
            self._flushed = True
            if count and not already_flushed:
                self.io_loop.add_callback(self._finish_flush)
        self._rebuild_io_state()
        return count

    def _flush_once(self, events: int) -> int:
        """Receive and/or send one message, as ``events`` allow: how many were handled,
        negative if the stream was closed meanwhile."""
        count = 0
        for event, handle in ((POLLIN, self._handle_recv), (POLLOUT, self._handle_send)):
            if events & event and (event == POLLIN or self.sending()):
                handle()
                count += 1
                if self.socket is None:
                    return -count
        return count

    def _flush_flag(self, flag: int) -> int:
        """What flush may still do: receive if asked, send if asked and anything is queued."""
        return (flag & POLLIN) | (flag & POLLOUT if self.sending() else 0)

    def _ready(self, flag: int) -> int:
        """The events among ``flag`` that the socket has now."""
        if not flag:
            return 0
        self.poller.register(self.socket, flag)
        return sum(events for _, events in self.poller.poll(0))

    def _finish_flush(self) -> None:
        self._flushed = False

    # -- the IOLoop's side ------------------------------------------------------

    def _run_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a callback; a coroutine it returns runs on the loop, its errors logged."""
        try:
            result = callback(*args)
        except Exception:
            gen_log.error("Uncaught exception in ZMQStream callback", exc_info=True)
            raise  # the IOLoop reports it too
        if isinstance(result, Awaitable):
            asyncio.ensure_future(result).add_done_callback(_log_failure)

    def _handle_events(self, fd: Any, events: int) -> None:
        """The IOLoop's handler for the FD: act on the socket's events, once each way."""
        if not self.socket:
            gen_log.warning("Got events for closed stream %s", self)
            return
        try:
            zmq_events = self.socket.EVENTS
        except ContextTerminated:
            gen_log.warning("Got events for stream %s after terminating context", self)
            self.closed()
            return
        except ZMQError as exc:
            if self.closed():
                gen_log.warning("Got events for stream %s attached to closed socket: %s", self, exc)
            else:
                gen_log.error("Error getting events for %s: %s", self, exc)
            return
        try:
            self._dispatch(zmq_events)
        except Exception:
            gen_log.error("Uncaught exception in zmqstream callback", exc_info=True)
            raise

    def _dispatch(self, zmq_events: int) -> None:
        if zmq_events & POLLIN and self.receiving():
            self._handle_recv()
            if not self.socket:
                return
        if zmq_events & POLLOUT and self.sending():
            self._handle_send()
            if not self.socket:
                return
        self._rebuild_io_state()

    def _handle_recv(self) -> None:
        if self._flushed:
            return
        try:
            msg = self.socket.recv_multipart(_NOBLOCK, copy=self._recv_copy)
        except ZMQError as exc:
            if exc.errno == _EAGAIN:
                return  # taken since the events were read
            raise
        if self._recv_callback:
            self._run_callback(self._recv_callback, msg)

    def _handle_send(self) -> None:
        if self._flushed:
            return
        if not self.sending():
            gen_log.error("Shouldn't have handled a send event")
            return
        msg, kwargs = self._send_queue.popleft()
        status: Any
        try:
            status = self.socket.send_multipart(msg, **kwargs)
        except ZMQError as exc:
            gen_log.error("SEND Error: %s", exc)
            status = exc
        if self._send_callback:
            self._run_callback(self._send_callback, msg, status)

    def _check_closed(self) -> None:
        if not self.socket:
            raise OSError("Stream is closed")

    def _rebuild_io_state(self) -> None:
        """Watch for what the stream wants now: POLLIN if receiving, POLLOUT if sending."""
        if self.socket is None:
            return
        self._state = (POLLIN if self.receiving() else 0) | (POLLOUT if self.sending() else 0)
        self._update_handler(self._state)

    def _add_io_state(self, state: int) -> None:
        self._state |= state
        self._update_handler(self._state)

    def _drop_io_state(self, state: int) -> None:
        self._state &= ~state
        self._update_handler(self._state)

    def _update_handler(self, state: int) -> None:
        """The FD will not say again what is ready already: if the socket is ready for
        ``state`` now, handle it on the next iteration."""
        if self.socket is None:
            return
        if state & self.socket.EVENTS:
            self.io_loop.add_callback(lambda: self._handle_events(self.socket, 0))


def _log_failure(future: asyncio.Future[Any]) -> None:
    """Log what a coroutine callback raised."""
    if future.cancelled():
        return
    exc = future.exception()
    if exc is not None:
        gen_log.error(
            "Uncaught exception in ZMQStream callback", exc_info=(type(exc), exc, exc.__traceback__)
        )


def _warn_async(socket: Socket[Any]) -> None:
    kind = socket.type.name
    warnings.warn(
        "ZMQStream only supports the base zmq.Socket class: this stream works on a"
        f" zmq.Socket shadow of your {type(socket).__name__}. Create one with"
        f" zmq.Socket(shadow=other_socket), or ctx.socket(zmq.{kind},"
        " socket_class=zmq.Socket), so that callbacks get what they expect.",
        RuntimeWarning,
        stacklevel=3,
    )
