"""Socket: pyzmq's ``zmq.Socket`` over a core socket.

Every operation first tries the core socket, which never blocks; only when that
raises WouldBlock does the sync socket wait on its :class:`Signaler` (the asyncio
socket in ``purezmq.asyncio`` awaits instead). The serialising helpers
(``send_string``, ``recv_json`` ...) are written once, here, on top of ``send``,
``recv``, ``send_multipart``, ``recv_multipart`` and ``_recv_loaded``, which the
asyncio socket overrides to return awaitables.
"""

from __future__ import annotations

import errno as _errno
import json
import pickle
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import constants
from ..core.endpoint import parse_endpoint
from ..core.errors import ENOTSOCK, CoreError, WouldBlock
from ..core.options import BY_NAME, OptionTypeError
from ..core.pipe import Msg
from ..core.socket_base import SocketBase
from ..core.sockets import make_socket
from ..core.sockets.xpub import XPub
from ..engine.monitor import Monitor
from ..engine.signaler import FdSignal, Signaler
from ..engine.socket_engine import SocketEngine
from ..error import Again, ContextTerminated, ZMQBindError, ZMQError, error_for_errno
from .frame import Frame
from .tracker import _FINISHED_TRACKER, MessageTracker

NOBLOCK = int(constants.Flag.NOBLOCK)
SNDMORE = int(constants.Flag.SNDMORE)
POLLIN = int(constants.PollEvent.POLLIN)
POLLOUT = int(constants.PollEvent.POLLOUT)
_OPTION_IDS = {name.lower(): int(o) for name, o in constants.SocketOption.__members__.items()}
_BYTES_OPTIONS = {int(s.id) for s in BY_NAME.values() if s.kind == "bytes"}
_STR_OPTIONS = {int(constants.SocketOption.LAST_ENDPOINT)}
_FD = int(constants.SocketOption.FD)
_EVENTS = int(constants.SocketOption.EVENTS)


class OptionTypeZMQError(ZMQError, TypeError):
    """A socket option value of the wrong type: a ZMQError(EINVAL) that is also a TypeError."""


def zmq_error(exc: CoreError) -> ZMQError:
    """The pyzmq exception for a core error (the one conversion boundary)."""
    if isinstance(exc, OptionTypeError):
        return OptionTypeZMQError(exc.errno, exc.msg)
    return error_for_errno(exc.errno, exc.msg)


def as_frame_bytes(data: Any, index: int = 0) -> bytes:
    """``data`` as immutable bytes for sending (copying a mutable buffer once)."""
    if type(data) is bytes:
        return data
    if isinstance(data, Frame):
        return data.bytes
    if isinstance(data, str):
        raise TypeError("unicode not allowed, use send_string")
    try:
        return bytes(memoryview(data))
    except TypeError:
        raise TypeError(
            f"Frame {index} ({data!r:.32}) does not support the buffer interface."
        ) from None


def as_message(parts: Sequence[Any]) -> tuple[bytes, ...]:
    """``parts`` as a message to send: a tuple of bytes (see core/pipe.py's Msg)."""
    return tuple([p if type(p) is bytes else as_frame_bytes(p, i) for i, p in enumerate(parts)])


class _EndpointContext:
    """What bind()/connect() return: usable as a context manager that undoes them."""

    def __init__(self, socket: Socket, kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __enter__(self) -> Socket:
        return self.socket

    def __exit__(self, *exc: object) -> None:
        if self.socket.closed:
            return
        if self.kind == "bind":
            self.socket.unbind(self.addr)
        else:
            self.socket.disconnect(self.addr)


class Socket:
    """A ZeroMQ socket with pyzmq's API; blocking calls wait in this thread."""

    # Plain instance attributes, set in __init__. Never write them through
    # ``self.__dict__``: reading ``__dict__`` once turns the instance's attributes into a
    # real dict, and every later ``self._core`` costs about three times as much.
    context: Any
    socket_type: int
    _core: SocketBase
    _engine: SocketEngine | None
    _monitor: Monitor | None
    _fd: FdSignal | None
    _monitor_socket: Any
    _closed: bool
    _bound: list[str]
    _signaler: Any  # a Signaler here; an AsyncSignaler (or None) in purezmq.asyncio

    def __init__(self, context: Any, socket_type: int, **kwargs: Any) -> None:
        try:
            core = make_socket(int(socket_type))
        except (KeyError, TypeError, ValueError):
            raise ZMQError(_errno.EINVAL, f"invalid socket type {socket_type!r}") from None
        self.context = context
        self._core = core
        self.socket_type = int(socket_type)
        self._engine = None
        self._monitor = None
        self._fd = None
        self._monitor_socket = None
        self._closed = False
        self._bound = []
        self._init_signaler()
        context._add_socket(self)

    def _init_signaler(self) -> None:
        signaler = Signaler()
        self._signaler = signaler
        self._core.wake = signaler.wake
        core = self._core
        if isinstance(core, XPub):
            # A publisher outrunning its subscribers holds the GIL the I/O thread needs
            # to drain them: give it up for a moment when a subscriber misses one.
            core.on_drop = _yield_gil
            core.drop_clock = time.monotonic

    def __repr__(self) -> str:
        name = constants.SocketType(self.socket_type).name
        state = " closed" if self._closed else ""
        cls = type(self)
        return f"<{cls.__module__}.{cls.__name__}(zmq.{name}){state} at {id(self):#x}>"

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            try:
                self.close(linger=0)
            except Exception:
                pass

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return bool(self._closed)

    @property
    def type(self) -> int:
        return int(self.socket_type)

    def _check_open(self) -> None:
        if self._closed:
            raise ZMQError(ENOTSOCK)
        if self.context.terminated:
            raise ContextTerminated()

    # -- the engine -----------------------------------------------------------

    def _get_engine(self) -> SocketEngine:
        engine: SocketEngine | None = self._engine
        if engine is None:
            io = self.context.io_thread()
            engine = SocketEngine(self._core, io.loop, io.thread_id, owner_reads=True)
            engine.monitor = self._monitor
            self._engine = engine
        return engine

    # -- endpoints --------------------------------------------------------------

    def bind(self, addr: str | bytes) -> _EndpointContext:
        """Accept connections on ``addr`` (tcp://, ipc://, inproc://)."""
        self._check_open()
        addr = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(addr)
            if endpoint.transport == "inproc":
                self.context.inproc.bind(endpoint.address, self._core)
                resolved = addr
            else:
                resolved = self._get_engine().bind(endpoint)
        except CoreError as exc:
            raise zmq_error(exc) from None
        self._core.options.last_endpoint = resolved.encode()
        self._bound.append(resolved)
        return _EndpointContext(self, "bind", resolved)

    def bind_to_random_port(
        self,
        addr: str,
        min_port: int = 49152,
        max_port: int = 65536,
        max_tries: int = 100,
    ) -> int:
        """Bind ``addr`` (without port) to a free port and return the port."""
        if min_port == 49152 and max_port == 65536:
            self.bind(f"{addr}:*")
            return int(self.last_endpoint.decode().rsplit(":", 1)[1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind(f"{addr}:{port}")
            except ZMQError as exc:
                if exc.errno not in (_errno.EADDRINUSE, _errno.EACCES):
                    raise
            else:
                return port
        raise ZMQBindError("Could not bind socket to random port.")

    def connect(self, addr: str | bytes) -> _EndpointContext:
        """Connect to ``addr``; messages queue until the connection is up."""
        self._check_open()
        addr = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(addr)
            routing_id = self._core.take_connect_routing_id()
            if endpoint.transport == "inproc":
                pipe = self.context.inproc.connect(endpoint.address, self._core, routing_id)
                pipe.user_data = endpoint.address
            else:
                self._get_engine().connect(endpoint, routing_id)
        except CoreError as exc:
            raise zmq_error(exc) from None
        self._core.options.last_endpoint = addr.encode()
        return _EndpointContext(self, "connect", addr)

    def unbind(self, addr: str | bytes) -> None:
        """Stop accepting on ``addr`` and drop the connections accepted there."""
        self._check_open()
        addr = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(addr)
            if endpoint.transport == "inproc":
                self.context.inproc.unbind(endpoint.address, self._core)
            elif self._engine is None:
                raise CoreError(_errno.ENOENT, f"not bound to {addr}")
            else:
                self._engine.unbind(addr)
        except CoreError as exc:
            raise zmq_error(exc) from None

    def disconnect(self, addr: str | bytes) -> None:
        """Drop the connection to ``addr``."""
        self._check_open()
        addr = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(addr)
            if endpoint.transport == "inproc":
                self._disconnect_inproc(endpoint.address)
            elif self._engine is None:
                raise CoreError(_errno.ENOENT, f"not connected to {addr}")
            else:
                self._engine.disconnect(addr)
        except CoreError as exc:
            raise zmq_error(exc) from None

    def _disconnect_inproc(self, name: str) -> None:
        core = self._core
        core.process_commands()
        pipes = [pipe for pipe in core.pipes if pipe.user_data == name]
        if not pipes:
            raise CoreError(_errno.ENOENT, f"not connected to inproc://{name}")
        for pipe in pipes:
            core.detach_pipe(pipe)

    def close(self, linger: int | None = None) -> None:
        """Close the socket; pending messages are sent for up to ``linger`` ms (-1: all)."""
        if self._closed:
            return
        self._closed = True
        core = self._core
        if linger is None:
            linger = core.options.linger
        core.close()
        self.context.inproc.forget(core)
        if self._engine is not None:
            self._engine.close(linger)
            self.context._engine_closing(self._engine)
        self.disable_monitor()
        if self._fd is not None:
            self._fd.close()
        self.context._socket_closed(self)

    def _context_terminated(self) -> None:
        """Wake any call blocked on this socket so it raises ContextTerminated."""
        self._signaler.wake()

    # -- monitor ------------------------------------------------------------

    def monitor(self, addr: str | None, events: int = int(constants.Event.ALL)) -> None:
        """Publish this socket's events (zmq_socket_monitor) on a PAIR bound at ``addr``.

        ``addr`` must be inproc://; connect a PAIR socket to it to read the events.
        ``None`` (or ``events=0``) stops monitoring, with MONITOR_STOPPED.
        """
        if self._closed:
            raise ZMQError(ENOTSOCK)
        self.disable_monitor()
        if addr is None or not events:
            return
        try:
            endpoint = parse_endpoint(addr)
            if endpoint.transport != "inproc":
                raise CoreError(_errno.EPROTONOSUPPORT, "monitor addresses must be inproc://")
            pair = make_socket(int(constants.SocketType.PAIR))
            self.context.inproc.bind(endpoint.address, pair)
        except CoreError as exc:
            raise zmq_error(exc) from None
        monitor = Monitor(pair, events)  # type: ignore[arg-type]
        self._monitor = monitor
        if self._engine is not None:
            self._engine.monitor = monitor

    def disable_monitor(self) -> None:
        """Stop monitoring: MONITOR_STOPPED, then the monitor PAIR closes."""
        monitor = self._monitor
        if monitor is None:
            return
        self._monitor = None
        if self._engine is not None:
            self._engine.monitor = None
        monitor.stop()
        self.context.inproc.forget(monitor.pair)

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Any:
        """A PAIR socket, connected and ready to receive this socket's events (pyzmq)."""
        existing = self._monitor_socket
        if existing is not None and not existing.closed:
            return existing
        if addr is None:
            addr = f"inproc://monitor.s-{id(self):x}"
        self.monitor(addr, int(constants.Event.ALL) if events is None else events)
        sock = self.context.socket(constants.SocketType.PAIR)
        sock.connect(addr)
        self._monitor_socket = sock
        return sock

    # -- options ------------------------------------------------------------

    def set(self, option: int, optval: Any) -> None:
        """Set a socket option (``zmq.LINGER``, ``zmq.SUBSCRIBE`` ...)."""
        self._check_open()
        if isinstance(optval, str) and int(option) in _BYTES_OPTIONS:
            raise OptionTypeZMQError(_errno.EINVAL, "unicode not allowed, use setsockopt_string")
        try:
            self._core.set_option(int(option), optval)
        except CoreError as exc:
            raise zmq_error(exc) from None

    def get(self, option: int) -> Any:
        """The value of a socket option."""
        if self._closed:
            raise ZMQError(ENOTSOCK)
        option = int(option)
        if option in (_FD, _EVENTS):
            # Waiting on the FD: the I/O thread must read the connections, not this one.
            self._core.release_readers()
        if option == _FD:
            return self._fd_signal().fileno()
        if option == _EVENTS and self._fd is not None:
            self._fd.clear()  # libzmq: reading EVENTS resets the FD's readiness
        try:
            return self._core.get_option(option)
        except CoreError as exc:
            raise zmq_error(exc) from None

    def _fd_signal(self) -> FdSignal:
        fd: FdSignal | None = self._fd
        if fd is None:
            fd = FdSignal()
            self._fd = fd
            self._signaler.add_hook(fd.set)
            fd.set()  # events may be pending already: let the caller look once
        return fd

    def fileno(self) -> int:
        """The FD option: a file descriptor to poll with select/selectors/add_reader."""
        return int(self.get(_FD))

    setsockopt = set
    getsockopt = get

    def set_string(self, option: int, optval: str, encoding: str = "utf-8") -> None:
        """Set a bytes option from a str."""
        if not isinstance(optval, str):
            raise TypeError(f"strings only, not {type(optval).__name__}")
        self.set(option, optval.encode(encoding))

    def get_string(self, option: int, encoding: str = "utf-8") -> str:
        """A bytes option decoded to str."""
        value = self.get(option)
        if not isinstance(value, bytes):
            raise TypeError(f"option {option} is not a string option")
        return value.decode(encoding)

    setsockopt_string = set_string
    getsockopt_string = get_string
    setsockopt_unicode = set_string
    getsockopt_unicode = get_string

    def subscribe(self, topic: str | bytes) -> None:
        """SUBSCRIBE to ``topic`` (a str is encoded as utf-8)."""
        if isinstance(topic, str):
            topic = topic.encode()
        self.set(constants.SocketOption.SUBSCRIBE, topic)

    def unsubscribe(self, topic: str | bytes) -> None:
        """UNSUBSCRIBE from ``topic``."""
        if isinstance(topic, str):
            topic = topic.encode()
        self.set(constants.SocketOption.UNSUBSCRIBE, topic)

    copy_threshold = 65536  # pyzmq's knob for zero-copy sends; purezmq copies only non-bytes

    def get_hwm(self) -> int:
        """SNDHWM (pyzmq: the send HWM, or the receive HWM if none)."""
        return self.hwm

    def set_hwm(self, value: int) -> None:
        """Set SNDHWM and RCVHWM together."""
        self.hwm = value

    def join(self, group: str | bytes) -> None:
        """RADIO/DISH groups are a draft API that purezmq does not provide."""
        raise ZMQError(_errno.ENOTSUP, "RADIO/DISH groups are not supported")

    def leave(self, group: str | bytes) -> None:
        """RADIO/DISH groups are a draft API that purezmq does not provide."""
        raise ZMQError(_errno.ENOTSUP, "RADIO/DISH groups are not supported")

    @property
    def hwm(self) -> int:
        return int(self.get(constants.SocketOption.SNDHWM))

    @hwm.setter
    def hwm(self, value: int) -> None:
        self.set(constants.SocketOption.SNDHWM, value)
        self.set(constants.SocketOption.RCVHWM, value)

    if TYPE_CHECKING:
        # Socket options as attributes (``sock.linger = 0``) are properties made by
        # _add_option_properties below; mypy sees them through these.
        def __setattr__(self, name: str, value: Any) -> None: ...
        def __getattr__(self, name: str) -> Any: ...

    # -- sending and receiving (non-blocking core, blocking here) -------------

    def _timeout(self, option_ms: int) -> float | None:
        return None if option_ms < 0 else option_ms / 1000

    def _wait(self, attempt: Callable[[], Any], timeout_ms: int, reading: bool = False) -> Any:
        """Retry ``attempt`` after each wake-up until it succeeds or the timeout passes.

        ``reading``: waiting for a message, so this thread may read its connections
        itself meanwhile (Signaler.wait_readers; see engine/stream.py).
        """
        signaler = self._signaler
        core = self._core
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        while True:
            if self.context.terminated:
                raise ContextTerminated()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise Again()
            readers = core.owner_readers() if reading else []
            if not signaler.wait_readers(readers, remaining) and deadline is not None:
                raise Again()
            try:
                return attempt()
            except WouldBlock:
                continue

    def _send_msg(self, msg: Msg, flags: int) -> None:
        """Send a whole message, waiting (SNDTIMEO) unless NOBLOCK."""
        core = self._core
        self._attempt_send(lambda: core.send(msg), flags)

    def _attempt_send(self, attempt: Callable[[], None], flags: int) -> None:
        """Run ``attempt``; on WouldBlock wait and retry (SNDTIMEO) unless NOBLOCK."""
        try:
            attempt()
        except WouldBlock:
            if flags & NOBLOCK:
                raise Again() from None
            self._check_open()
            try:
                self._wait(attempt, self._core.options.sndtimeo)
            except CoreError as exc:
                raise zmq_error(exc) from None
        except CoreError as exc:
            raise zmq_error(exc) from None

    def _recv_msg(self, flags: int, found_none: bool = False) -> Msg:
        """Receive a whole message, waiting (RCVTIMEO) unless NOBLOCK. ``found_none``:
        the caller's xrecv() just found nothing with nothing in the mailbox, so a
        first try would find nothing either: wait at once."""
        core = self._core
        if not found_none:
            try:
                return core.recv()
            except WouldBlock:
                pass
            except CoreError as exc:
                raise zmq_error(exc) from None
        if flags & NOBLOCK:
            # Polling with NOBLOCK: the I/O thread must read the connections.
            core.release_readers()
            raise Again()
        self._check_open()
        try:
            return self._wait(core.recv, core.options.rcvtimeo, True)  # type: ignore[no-any-return]
        except CoreError as exc:
            raise zmq_error(exc) from None

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None:
        """Send one frame; with SNDMORE it waits for the rest of its message."""
        if type(data) is not bytes:
            data = as_frame_bytes(data)
        if flags & SNDMORE:
            self._send_more(data, flags)
        else:
            core = self._core
            try:
                if core._mailbox or core._out_parts:
                    core.send((data,))
                else:
                    core.xsend((data,))
            except CoreError:
                self._send_msg((data,), flags)
        return _FINISHED_TRACKER if track else None

    def _send_more(self, data: bytes, flags: int) -> None:
        # Not inlined in send(): a closure there would cost every send() its cells.
        core = self._core
        self._attempt_send(lambda: core.send_part(data, True), flags)

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send a whole message, one frame per item."""
        msg = as_message(msg_parts)
        if not msg:
            raise ZMQError(_errno.EINVAL, "a message must have at least one frame")
        if flags & SNDMORE:
            for frame in msg:
                self.send(frame, SNDMORE)
        else:
            try:
                self._core.send(msg)
            except CoreError:
                self._send_msg(msg, flags)
        return _FINISHED_TRACKER if track else None

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """The next frame: bytes, or a Frame with ``copy=False``."""
        core = self._core
        if not core._in_parts and not core._mailbox:
            # The hot path: a whole single-frame message straight from the socket type.
            try:
                msg = core.xrecv()
            except CoreError:
                msg = self._recv_msg(flags)
            if msg is None:
                msg = self._recv_msg(flags, not core._mailbox)
            if len(msg) == 1 and copy:
                return msg[0]
        elif core._in_parts:
            try:
                frame, more = core.recv_part()
            except CoreError as exc:
                raise zmq_error(exc) from None
            return frame if copy else _frame(frame, more)
        else:
            msg = self._recv_msg(flags)
        if len(msg) > 1:
            core._in_parts = msg
            core._in_index = 1
            return msg[0] if copy else _frame(msg[0], True)
        return msg[0] if copy else _frame(msg[0], False)

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """Receive a frame into ``buffer`` (at most ``nbytes`` if given); returns its full size.

        As pyzmq, a frame larger than the buffer is truncated and the return value says so.
        """
        view = memoryview(buffer).cast("B")
        if view.readonly:
            raise TypeError("recv_into needs a writable buffer")
        frame = self.recv(flags)
        room = len(view) if nbytes <= 0 else min(nbytes, len(view))
        n = min(room, len(frame))
        view[:n] = frame[:n]
        return len(frame)

    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> list[Any]:
        """Every frame of the next message (the rest of it, if partly read)."""
        core = self._core
        try:
            msg = core.recv()
        except WouldBlock:
            msg = self._recv_msg(flags, not core._mailbox)
        except CoreError:
            msg = self._recv_msg(flags)
        if copy:
            return msg_list(msg)
        return _frames(msg)

    # -- sugar written once for both APIs ----------------------------------

    def _recv_loaded(self, flags: int, load: Callable[[Any], Any], multipart: bool = False) -> Any:
        """Receive a frame (or a whole message) and return ``load`` of it.

        The asyncio socket overrides this so that the awaitable it returns is the one
        its wait queue resolves: cancelling it then leaves the message in the socket.
        """
        return load(self.recv_multipart(flags) if multipart else self.recv(flags))

    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> Any:
        """Send a str, encoded."""
        if not isinstance(u, str):
            raise TypeError("str objects only")
        return self.send(u.encode(encoding), flags, copy, **kwargs)

    send_unicode = send_string

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> Any:
        """Receive a frame and decode it."""
        return self._recv_loaded(flags, lambda b: b.decode(encoding))

    recv_unicode = recv_string

    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> Any:
        """Send ``obj`` as one JSON frame (kwargs go to json.dumps)."""
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group") if k in kwargs}
        return self.send(json.dumps(obj, **kwargs).encode("utf-8"), flags, **send_kwargs)

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        """Receive one JSON frame and decode it (kwargs go to json.loads)."""
        return self._recv_loaded(flags, lambda b: json.loads(b, **kwargs))

    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL, **kwargs: Any
    ) -> Any:
        """Send a pickled object."""
        return self.send(pickle.dumps(obj, protocol), flags, **kwargs)

    def recv_pyobj(self, flags: int = 0) -> Any:
        """Receive a pickled object (only from peers you trust)."""
        return self._recv_loaded(flags, pickle.loads)

    def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Sequence[Any]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Send ``serialize(msg)`` as one multipart message."""
        return self.send_multipart(serialize(msg), flags=flags, copy=copy, **kwargs)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> Any:
        """Receive a multipart message and return ``deserialize(frames)``."""
        if not copy:
            return self._recv_loaded(flags, lambda msg: deserialize(_frames(msg)), multipart=True)
        return self._recv_loaded(flags, deserialize, multipart=True)

    # -- polling ----------------------------------------------------------------

    def _events(self) -> int:
        if self._closed:
            raise ZMQError(ENOTSOCK)
        return self._core.events()

    def poll(self, timeout: int | None = None, flags: int = POLLIN) -> int:
        """Wait up to ``timeout`` ms (None: for ever) for ``flags``; the events that are ready."""
        if self._closed:
            raise ZMQError(ENOTSOCK)
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout / 1000
        while True:
            events = self._core.events() & flags
            if events:
                return events
            if self.context.terminated:
                raise ContextTerminated()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return 0
            readers = self._core.owner_readers() if flags & POLLIN else []
            self._signaler.wait_readers(readers, remaining)


def _endpoint_text(addr: Any) -> str:
    """An endpoint as text; pyzmq takes bytes too."""
    if isinstance(addr, str):
        return addr
    if isinstance(addr, bytes):
        try:
            return addr.decode()
        except UnicodeDecodeError:
            raise ZMQError(_errno.EINVAL, f"endpoint {addr!r} is not UTF-8") from None
    raise ZMQError(_errno.EINVAL, f"endpoint must be str or bytes, not {type(addr).__name__}")


def _option_property(option: int) -> property:
    def fget(self: Socket) -> Any:
        return self.get(option)

    def fset(self: Socket, value: Any) -> None:
        self.set(option, value)

    return property(fget, fset)


def _add_option_properties(cls: type) -> None:
    """Every socket option as an attribute in lower and upper case (pyzmq: ``sock.rcvhwm``,
    ``sock.RCVHWM``), unless the name is taken. Properties rather than ``__getattr__``: a
    class with ``__getattr__`` makes every attribute lookup on its instances slower, the
    hot paths' ``self._core`` included."""
    for name, option in _OPTION_IDS.items():
        for spelling in (name, name.upper()):
            if not hasattr(cls, spelling):
                setattr(cls, spelling, _option_property(option))


_add_option_properties(Socket)


def _yield_gil() -> None:
    time.sleep(0)


def _frame(data: bytes, more: bool) -> Frame:
    frame = Frame(data)
    frame.more = more
    return frame


def msg_list(msg: Msg) -> list[bytes]:
    """``msg`` as the list pyzmq's recv_multipart returns (messages travel as tuples)."""
    return msg if type(msg) is list else list(msg)


def _frames(msg: Msg) -> list[Any]:
    last = len(msg) - 1
    frames = []
    for i, data in enumerate(msg):
        frame = Frame(data)
        frame.more = i < last
        frames.append(frame)
    return frames
