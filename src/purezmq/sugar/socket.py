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
import operator
import pickle
import time
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeAlias, TypeVar, overload

from .. import constants
from ..core.endpoint import check_bind_family, parse_endpoint
from ..core.errors import ENOTSOCK, CoreError, WouldBlock
from ..core.options import BY_NAME, OptionTypeError
from ..core.pipe import Msg
from ..core.socket_base import SocketBase
from ..core.sockets import make_socket
from ..core.sockets.xpub import XPub
from ..error import Again, ContextTerminated, ZMQBindError, ZMQError, error_for_errno
from ._option_attributes import SocketOptionAttributes
from .attrsettr import AttributeSetter, add_option_properties
from .exiting import CLOSED_AT_EXIT, stay_blocked_if_exiting
from .frame import Frame, received_frame
from .handles import register, resolve
from .tracker import _FINISHED_TRACKER, MessageTracker, TrackedBytes, tracked_bytes

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    # The engine (asyncio, the wire protocol) loads with the first socket, not with
    # ``import purezmq``: see the local imports below.
    from ..engine.monitor import Monitor
    from ..engine.signaler import FdSignal
    from ..engine.socket_engine import SocketEngine
    from .context import Context

    # What send() takes: bytes, a Frame, or any other buffer (copied once).
    _Sendable: TypeAlias = "ReadableBuffer | Frame"

S = TypeVar("S", bound="Socket[Any]")
# What a socket's receives give, as pyzmq's type parameter: ``Socket[bytes]`` for the
# sync socket (``SyncSocket``); the asyncio socket's give Futures.
_ReturnT_co = TypeVar("_ReturnT_co", covariant=True)
_T = TypeVar("_T")

NOBLOCK = int(constants.Flag.NOBLOCK)
SNDMORE = int(constants.Flag.SNDMORE)
POLLIN = int(constants.PollEvent.POLLIN)
POLLOUT = int(constants.PollEvent.POLLOUT)
_BYTES_OPTIONS = {int(s.id) for s in BY_NAME.values() if s.kind == "bytes"}
_CURVE_OPTIONS = frozenset(int(s.id) for name, s in BY_NAME.items() if name.startswith("CURVE_"))
_STR_OPTIONS = {int(constants.SocketOption.LAST_ENDPOINT)}
_FD = int(constants.SocketOption.FD)
_EVENTS = int(constants.SocketOption.EVENTS)
_TYPE = int(constants.SocketOption.TYPE)


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
    if isinstance(data, TrackedBytes):
        return data  # immutable already, and a copy would let its tracker finish
    if isinstance(data, str):
        raise TypeError("unicode not allowed, use send_string")
    try:
        return bytes(memoryview(data))
    except TypeError:
        raise TypeError(
            f"Frame {index} ({data!r:.32}) does not support the buffer interface."
        ) from None


def sendable(
    data: Any, copy: bool, track: bool, copy_threshold: int, index: int = 0
) -> tuple[bytes, MessageTracker | None]:
    """``data`` as bytes to send, and what pyzmq's send returns for it.

    A Frame goes as it is, with its own tracker (ValueError if `track` asks for
    one it lacks); with `copy`, a buffer is copied and nothing is tracked; without,
    a buffer under `copy_threshold` is copied and reported done, and a bigger one
    goes in a frame that tracks it if `track` says so.
    """
    if isinstance(data, Frame):
        if track and data.tracker is None:
            raise ValueError("Not a tracked message")
        return data.bytes, data.tracker
    content = as_frame_bytes(data, index)
    if copy:
        return content, None
    if copy_threshold and len(content) < copy_threshold:
        return content, _FINISHED_TRACKER
    if not track:
        return content, None
    return tracked_bytes(content)


def sendable_message(
    parts: Sequence[Any], copy: bool, track: bool, copy_threshold: int
) -> tuple[tuple[bytes, ...], MessageTracker | None]:
    """``parts`` as a message to send, and what pyzmq's send_multipart returns for it
    (what :func:`sendable` gives for the last part)."""
    tracker = None
    msg = []
    for index, part in enumerate(parts):
        content, tracker = sendable(part, copy, track, copy_threshold, index)
        msg.append(content)
    return tuple(msg), tracker


def as_message(parts: Sequence[Any]) -> tuple[bytes, ...]:
    """``parts`` as a message to send: a tuple of bytes (see core/pipe.py's Msg)."""
    return tuple([p if type(p) is bytes else as_frame_bytes(p, i) for i, p in enumerate(parts)])


class _EndpointContext(Generic[S]):
    """What bind()/connect() return: usable as a context manager that undoes them, and
    whose ``with`` gives the socket."""

    def __init__(self, socket: S, kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.kind}={self.addr!r})>"

    def __enter__(self) -> S:
        return self.socket

    def __exit__(self, *exc: object) -> None:
        if self.socket.closed:
            return
        if self.kind == "bind":
            self.socket.unbind(self.addr)
        else:
            self.socket.disconnect(self.addr)


class _Shared:
    """What every facade of one socket shares: the socket and its shadows.

    A shadow (``Socket(other)``, ``Socket.shadow(other.underlying)``, an asyncio socket
    made from a sync one) is another facade over the same core socket, as pyzmq's
    shadows are other Python objects over one libzmq socket: closing either closes the
    socket. Nothing here refers to a facade, so a dropped one can be collected.
    """

    __slots__ = ("bound", "closed", "engine", "fd", "monitor", "monitor_socket", "signaler")

    def __init__(self) -> None:
        self.closed = False
        self.engine: SocketEngine | None = None
        self.monitor: Monitor | None = None
        self.monitor_socket: Any = None
        self.fd: FdSignal | None = None
        self.bound: list[str] = []
        # The owner's signaler: the one the core wakes; shadows hang hooks on it.
        self.signaler: Any = None


class Socket(SocketOptionAttributes, AttributeSetter, Generic[_ReturnT_co]):
    """A ZeroMQ socket with pyzmq's API; blocking calls wait in this thread.

    ``Socket[bytes]`` (``SyncSocket``) is the sync socket's type, as in pyzmq; the
    class is subscriptable at run time too. Its options are attributes of their type
    (``sock.linger: int``, ``sock.routing_id: bytes``): one for each ``SocketOption``,
    in lower and upper case (``sock.LINGER``).
    """

    # Plain instance attributes, set in __init__. Never write them through
    # ``self.__dict__``: reading ``__dict__`` once turns the instance's attributes into a
    # real dict, and every later ``self._core`` costs about three times as much.
    context: Context[Any]
    _core: SocketBase
    _shared: _Shared
    _type: int
    _shadow: bool
    _shadow_obj: Any
    _shadow_hook: Any
    _signaler: Any  # a Signaler here; an AsyncSignaler in purezmq.asyncio
    # The name repr() shows for this exact class: pyzmq's, which programs and tests read.
    _repr_cls: ClassVar[str] = "zmq.Socket"

    def __class_getitem__(cls, item: Any) -> types.GenericAlias:
        """``Socket[bytes]`` in annotations evaluated at run time (pyzmq's Socket is
        generic in what recv returns)."""
        return types.GenericAlias(cls, item)

    def __init__(
        self: Socket[bytes],
        context: Context[Any] | Socket[Any] | None = None,
        socket_type: int = 0,
        *,
        shadow: Socket[Any] | int | None = None,
        copy_threshold: int | None = None,
        **kwargs: Any,
    ) -> None:
        """A socket of ``socket_type`` in ``context``; or, given another socket (or its
        ``underlying`` handle, as ``shadow``), a shadow of it."""
        if isinstance(context, Socket):
            context, shadow = None, context
        if shadow is not None and shadow is not False and shadow != 0:
            self._init_shadow(resolve(shadow, Socket))
            return
        if context is None:
            raise TypeError("Socket() needs a Context and a socket type, or a socket to shadow")
        core = new_core_socket(socket_type)
        self.context = context
        self._core = core
        self._type = core.type_id
        self._shared = _Shared()
        self._shadow = False
        self._shadow_obj = None
        self._shadow_hook = None
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold
        self._init_signaler()
        self._shared.signaler = self._signaler
        context._add_socket(self)

    def _init_shadow(self, other: Socket[Any]) -> None:
        owner = other._shadow_obj if other._shadow else other
        self.context = owner.context
        self._core = owner._core
        self._type = owner._type
        self._shared = owner._shared
        self._shadow = True
        self._shadow_obj = owner
        self._shadow_hook = None
        self._init_shadow_signaler(owner._shared.signaler)

    def _init_signaler(self) -> None:
        from ..engine.signaler import Signaler

        signaler = Signaler()
        self._signaler = signaler
        self._core.wake = signaler.wake
        core = self._core
        if isinstance(core, XPub):
            # A publisher outrunning its subscribers holds the GIL the I/O thread needs
            # to drain them: give it up for a moment when a subscriber misses one.
            core.on_drop = _yield_gil
            core.drop_clock = time.monotonic

    def _init_shadow_signaler(self, owner_signaler: Any) -> None:
        """Wait through the owner's wake-ups: its own signaler if it is a sync one, else a
        signaler of ours that the owner's wakes as a hook."""
        from ..engine.signaler import Signaler

        if isinstance(owner_signaler, Signaler):
            self._signaler = owner_signaler
            return
        signaler = Signaler()
        self._signaler = signaler
        self._shadow_hook = signaler.wake
        owner_signaler.add_hook(signaler.wake)

    @classmethod
    def shadow(cls: type[S], address: Any) -> S:
        """A socket of this class over the same socket as ``address``: another Socket, or
        its ``underlying`` handle (pyzmq's shadow; closing either closes the socket)."""
        return cls(shadow=address)

    @property
    def underlying(self) -> int:
        """A handle that ``Socket.shadow`` (of any Socket class) turns back into this
        socket, in this process (pyzmq: the address of the libzmq socket)."""
        return register(self._shadow_obj if self._shadow else self)

    def __copy__(self: S, memo: Any = None) -> S:
        """Copying a Socket makes a shadow of it, as pyzmq's."""
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    def __repr__(self) -> str:
        cls = type(self)
        name = cls.__dict__.get("_repr_cls") or f"{cls.__module__}.{cls.__name__}"
        try:
            kind = constants.SocketType(self._type).name
        except ValueError:
            kind = str(self._type)
        closed = " closed" if self.closed else ""
        return f"<{name}(zmq.{kind}) at {id(self):#x}{closed}>"

    def __dir__(self) -> list[str]:
        return sorted({*dir(type(self)), *constants.SocketOption.__members__})

    def __del__(self) -> None:
        try:
            shadow, shared = self._shadow, self._shared
        except AttributeError:
            return  # __init__ failed
        if shadow:
            self._unhook_shadow()
            return
        if shared.closed:
            return
        try:
            warnings.warn(f"Unclosed socket {self}", ResourceWarning, stacklevel=2, source=self)
        except Exception:
            pass  # the interpreter is shutting down
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (by ``close()``, its Context's end, or GC)."""
        return self._shared.closed

    @property
    def type(self) -> constants.SocketType:
        """The socket type, as a ``SocketType`` member (``zmq.REQ`` ...)."""
        return constants.SocketType(self._type)

    @property
    def socket_type(self) -> int:
        """Deprecated (pyzmq): ``type``."""
        warnings.warn("Socket.socket_type is deprecated, use Socket.type", DeprecationWarning,
                      stacklevel=2)
        return self._type

    def _check_open(self) -> None:
        """ENOTSOCK or ContextTerminated, unless the exit hook closed this socket under
        a daemon thread, which then stays blocked (see exiting.py)."""
        if self._shared.closed:
            raise self._not_a_socket()
        if self.context.terminated:
            raise self._terminated()

    def _not_a_socket(self) -> ZMQError:
        """ENOTSOCK for a call on this closed socket, unless the exit hook closed it
        under a daemon thread, which then stays blocked (see exiting.py)."""
        stay_blocked_if_exiting(self.context)
        return ZMQError(ENOTSOCK, CLOSED_AT_EXIT if self.context.exiting else None)

    def _terminated(self) -> ContextTerminated:
        """ContextTerminated for a call on this socket, unless the exit hook terminated
        its context under a daemon thread, which then stays blocked (see exiting.py)."""
        stay_blocked_if_exiting(self.context)
        return ContextTerminated()

    # -- the engine -----------------------------------------------------------

    @property
    def _engine(self) -> SocketEngine | None:
        return self._shared.engine

    def _get_engine(self) -> SocketEngine:
        shared = self._shared
        engine = shared.engine
        if engine is None:
            from ..engine.socket_engine import SocketEngine

            io = self.context.io_thread()
            engine = SocketEngine(self._core, io.loop, io.thread_id, owner_may_read=True)
            engine.monitor = shared.monitor
            engine.inproc = self.context.inproc
            shared.engine = engine
        return engine

    # -- endpoints --------------------------------------------------------------

    def bind(self: S, addr: str | bytes) -> _EndpointContext[S]:
        """Accept connections on ``addr`` (tcp://, ipc://, inproc://)."""
        self._check_open()
        text = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(text)
            check_bind_family(endpoint, bool(self._core.options.ipv6))
            if endpoint.transport == "inproc":
                self.context.inproc.bind(endpoint.address, self._core)
                resolved = text
            else:
                resolved = self._get_engine().bind(endpoint)
        except CoreError as exc:
            raise _with_address(zmq_error(exc), addr) from None
        self._core.options.last_endpoint = resolved.encode()
        self._shared.bound.append(resolved)
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
            endpoint = self.get(constants.SocketOption.LAST_ENDPOINT)
            return int(endpoint.decode().rsplit(":", 1)[1])
        import random  # only for a port range of the caller's: not in ``import purezmq``

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

    def connect(self: S, addr: str | bytes) -> _EndpointContext[S]:
        """Connect to ``addr``; messages queue until the connection is up."""
        self._check_open()
        text = _endpoint_text(addr)
        try:
            endpoint = parse_endpoint(text, connecting=True)
            routing_id = self._core.take_connect_routing_id()
            if endpoint.transport == "inproc":
                pipe = self.context.inproc.connect(endpoint.address, self._core, routing_id)
                pipe.user_data = endpoint.address
            else:
                self._get_engine().connect(endpoint, routing_id)
        except CoreError as exc:
            raise _with_address(zmq_error(exc), addr) from None
        self._core.options.last_endpoint = text.encode()
        return _EndpointContext(self, "connect", text)

    def unbind(self, addr: str | bytes) -> None:
        """Stop accepting on ``addr`` and drop the connections accepted there."""
        self._check_open()
        text = _endpoint_text(addr)
        engine = self._shared.engine
        try:
            endpoint = parse_endpoint(text)
            if endpoint.transport == "inproc":
                self.context.inproc.unbind(endpoint.address, self._core)
            elif engine is None:
                raise CoreError(_errno.ENOENT, f"not bound to {text}")
            else:
                engine.unbind(text)
        except CoreError as exc:
            raise _with_address(zmq_error(exc), addr) from None

    def disconnect(self, addr: str | bytes) -> None:
        """Drop the connection to ``addr``."""
        self._check_open()
        text = _endpoint_text(addr)
        engine = self._shared.engine
        try:
            endpoint = parse_endpoint(text)
            if endpoint.transport == "inproc":
                self._disconnect_inproc(endpoint.address)
            elif engine is None:
                raise CoreError(_errno.ENOENT, f"not connected to {text}")
            else:
                engine.disconnect(text)
        except CoreError as exc:
            raise _with_address(zmq_error(exc), addr) from None

    def _disconnect_inproc(self, name: str) -> None:
        core = self._core
        core.process_commands()
        pipes = [pipe for pipe in core.pipes if pipe.user_data == name]
        if not pipes:
            raise CoreError(_errno.ENOENT, f"not connected to inproc://{name}")
        for pipe in pipes:
            core.detach_pipe(pipe)

    def close(self, linger: int | None = None) -> None:
        """Close the socket; pending messages are sent for up to ``linger`` ms (-1: all).

        Closing a shadow closes the socket it shadows, as in pyzmq.
        """
        shared = self._shared
        self._unhook_shadow()
        if shared.closed:
            return
        shared.closed = True
        try:
            self._close_now(linger)
        finally:
            self.context._socket_closed(self._shadow_obj if self._shadow else self)

    def _close_now(self, linger: int | None) -> None:
        shared = self._shared
        core = self._core
        if linger is None:
            linger = core.options.linger
        else:
            core.options.linger = linger
        self._close_waiters()
        core.close()
        self.context.inproc.forget(core)
        engine = shared.engine
        if engine is not None:
            engine.close(linger, exiting=self.context.exiting)
            self.context._engine_closing(engine)
        self.disable_monitor()
        if shared.fd is not None:
            shared.fd.close()

    def _owner_readers(self) -> list[Any]:
        """The connections this thread may read while it waits for a message."""
        engine = self._shared.engine
        return engine.owner_readers() if engine is not None else []

    def _release_readers(self) -> None:
        """This thread waits some other way now: the I/O thread reads the connections."""
        engine = self._shared.engine
        if engine is not None:
            engine.release_readers()

    def _close_waiters(self) -> None:
        """Operations waiting on this socket end (the asyncio socket cancels them)."""
        self._signaler.wake()

    def _unhook_shadow(self) -> None:
        hook = self._shadow_hook
        if hook is not None:
            self._shadow_hook = None
            self._shared.signaler.remove_hook(hook)

    def _context_terminated(self) -> None:
        """Every call but close() raises ContextTerminated from now on; wake the ones
        blocked on this socket so that they do."""
        self._core.context_terminated()
        self._signaler.wake()

    # -- monitor ------------------------------------------------------------

    def monitor(self, addr: str | None, events: int = int(constants.Event.ALL)) -> None:
        """Publish this socket's events (zmq_socket_monitor) on a PAIR bound at ``addr``.

        ``addr`` must be inproc://; connect a PAIR socket to it to read the events.
        ``None`` (or ``events=0``) stops monitoring, with MONITOR_STOPPED.
        """
        if self.closed:
            raise self._not_a_socket()
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
        from ..engine.monitor import Monitor

        monitor = Monitor(pair, events)  # type: ignore[arg-type]
        shared = self._shared
        shared.monitor = monitor
        if shared.engine is not None:
            shared.engine.monitor = monitor

    def disable_monitor(self) -> None:
        """Stop monitoring: MONITOR_STOPPED, then the monitor PAIR closes."""
        shared = self._shared
        monitor = shared.monitor
        if monitor is None:
            return
        shared.monitor = None
        if shared.engine is not None:
            shared.engine.monitor = None
        monitor.stop()
        self.context.inproc.forget(monitor.pair)

    def get_monitor_socket(
        self: S, events: int | None = None, addr: str | None = None
    ) -> S:
        """A PAIR socket, connected and ready to receive this socket's events (pyzmq)."""
        shared = self._shared
        existing = shared.monitor_socket
        if existing is not None and not existing.closed:
            return existing  # type: ignore[no-any-return]
        if addr is None:
            addr = f"inproc://monitor.s-{id(self._core):x}"
        self.monitor(addr, int(constants.Event.ALL) if events is None else events)
        sock = self.context.socket(constants.SocketType.PAIR, socket_class=type(self))
        sock.connect(addr)
        shared.monitor_socket = sock
        return sock

    # -- options ------------------------------------------------------------

    def set(self, option: int, optval: Any) -> None:
        """Set a socket option (``zmq.LINGER``, ``zmq.SUBSCRIBE`` ...)."""
        self._check_open()
        if isinstance(optval, str) and int(option) in _BYTES_OPTIONS:
            raise OptionTypeZMQError(_errno.EINVAL, "unicode not allowed, use setsockopt_string")
        if int(option) in _CURVE_OPTIONS:
            from .curve import curve_option_value  # PyNaCl and Z85 only when asked

            optval = curve_option_value(int(option), optval)
        try:
            self._core.set_option(int(option), optval)
        except CoreError as exc:
            raise zmq_error(_named(exc, int(option))) from None

    def get(self, option: int) -> Any:
        """The value of a socket option."""
        shared = self._shared
        if shared.closed:
            raise self._not_a_socket()
        option = int(option)
        if option in (_FD, _EVENTS):
            # Waiting on the FD: the I/O thread must read the connections, not this one.
            self._release_readers()
        if option == _FD:
            return self._fd_signal().fileno()
        if option == _EVENTS and shared.fd is not None:
            shared.fd.clear()  # libzmq: reading EVENTS resets the FD's readiness
        try:
            value = self._core.get_option(option)
        except CoreError as exc:
            raise zmq_error(_named(exc, option)) from None
        if option == _TYPE:
            return constants.SocketType(value)
        return value

    def _polled_synchronously(self) -> None:
        """A sync Poller watches this socket: nothing to do, its I/O runs on the I/O
        thread (an asyncio socket's may move there)."""

    def _fd_signal(self) -> FdSignal:
        shared = self._shared
        fd: FdSignal | None = shared.fd
        if fd is None:
            from ..engine.signaler import FdSignal

            fd = FdSignal()
            shared.fd = fd
            shared.signaler.add_hook(fd.set)
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

    def _set_attribute(self, name: str, value: Any) -> None:
        # pyzmq: ``sock.subscribe = topic`` subscribes, although subscribe is a method.
        if name in ("subscribe", "unsubscribe", "SUBSCRIBE", "UNSUBSCRIBE"):
            getattr(self, name.lower())(value)
        else:
            AttributeSetter._set_attribute(self, name, value)

    if not TYPE_CHECKING:
        # See AttributeSetter: the options are typed in SocketOptionAttributes, and
        # a type checker that saw __setattr__ would let ``sock.lingr = 0`` pass.
        __setattr__ = _set_attribute

    # pyzmq's knob for zero-copy sends: a copy=False send under it counts as copied
    # (its tracker is done at once); purezmq copies only non-bytes either way.
    copy_threshold = 65536

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
        """SNDHWM when read; setting it sets both SNDHWM and RCVHWM, as pyzmq."""
        return int(self.get(constants.SocketOption.SNDHWM))

    @hwm.setter
    def hwm(self, value: int) -> None:
        self.set(constants.SocketOption.SNDHWM, value)
        self.set(constants.SocketOption.RCVHWM, value)

    def _failed(self, exc: CoreError) -> ZMQError:
        """A send or receive failed with ``exc``: pyzmq's exception for it, unless the
        exit hook closed this socket under a daemon thread, which then stays blocked
        (see exiting.py)."""
        stay_blocked_if_exiting(self.context)
        if exc.errno == ENOTSOCK and self.context.exiting:
            return ZMQError(ENOTSOCK, CLOSED_AT_EXIT)
        return zmq_error(exc)

    def _wait(self, attempt: Callable[[], Any], timeout_ms: int, reading: bool = False) -> Any:
        """Retry ``attempt`` after each wake-up until it gives something (not None, no
        WouldBlock), or raise Again once ``timeout_ms`` (-1: never) has passed.

        ``reading``: waiting for a message, so this thread may read its connections
        itself meanwhile (Signaler.wait_readers; see engine/stream.py).
        """
        signaler = self._signaler
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        while True:
            if self.context.terminated:
                raise self._terminated()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise Again()
            readers = self._owner_readers() if reading else []
            if not signaler.wait_readers(readers, remaining) and deadline is not None:
                raise Again()
            try:
                result = attempt()
            except WouldBlock:
                continue
            if result is not None:
                return result

    def _send_later(self, attempt: Callable[[], None], flags: int) -> None:
        """``attempt`` found no room: wait for some and retry (SNDTIMEO), unless NOBLOCK."""
        if flags & NOBLOCK:
            raise Again()
        self._check_open()

        def sent() -> bool:
            attempt()
            return True

        try:
            self._wait(sent, self._core.options.sndtimeo)
        except CoreError as exc:
            raise self._failed(exc) from None

    def _recv_later(self, attempt: Callable[[], Any], flags: int) -> Any:
        """``attempt`` found nothing: wait for it (RCVTIMEO), unless NOBLOCK."""
        core = self._core
        if flags & NOBLOCK:
            # Polling with NOBLOCK: the I/O thread must read the connections.
            self._release_readers()
            raise Again()
        self._check_open()
        try:
            return self._wait(attempt, core.options.rcvtimeo, True)
        except CoreError as exc:
            raise self._failed(exc) from None

    @overload
    def send(
        self,
        data: _Sendable,
        flags: int = 0,
        copy: Literal[True] = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> None: ...
    @overload
    def send(
        self,
        data: _Sendable,
        flags: int = 0,
        *,
        copy: Literal[False],
        track: Literal[True],
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker: ...
    @overload
    def send(
        self,
        data: _Sendable,
        flags: int,
        copy: Literal[False],
        track: Literal[True],
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker: ...
    @overload
    def send(
        self,
        data: _Sendable,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None: ...
    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None:
        """Send one frame; with SNDMORE it waits for the rest of its message.

        Returns what pyzmq returns: a Frame's own tracker; with ``copy=False`` a
        tracker, done at once below ``copy_threshold`` and otherwise (``track=True``)
        once the message has left the process; else None.

        Raises ValueError for ``track=True`` with a Frame made without ``track``.
        """
        tracker = None
        if type(data) is not bytes or track or not copy:
            data, tracker = sendable(data, copy, track, self.copy_threshold)
        try:
            if flags & SNDMORE:
                self._core.send_frame(data, True)
            else:
                self._core.send((data,))
        except WouldBlock:
            self._send_frame_later(data, flags)
        except CoreError as exc:
            raise self._failed(exc) from None
        return tracker

    def _send_frame_later(self, data: bytes, flags: int) -> None:
        # Not inlined in send(): a closure there would cost every send() its cells.
        core = self._core
        if flags & SNDMORE:
            self._send_later(lambda: core.send_frame(data, True), flags)
        else:
            self._send_later(lambda: core.send((data,)), flags)

    @overload
    def send_multipart(
        self,
        msg_parts: Sequence[_Sendable],
        flags: int = 0,
        copy: Literal[True] = True,
        track: bool = False,
        **kwargs: Any,
    ) -> None: ...
    @overload
    def send_multipart(
        self,
        msg_parts: Sequence[_Sendable],
        flags: int = 0,
        *,
        copy: Literal[False],
        track: Literal[True],
        **kwargs: Any,
    ) -> MessageTracker: ...
    @overload
    def send_multipart(
        self,
        msg_parts: Sequence[_Sendable],
        flags: int,
        copy: Literal[False],
        track: Literal[True],
        **kwargs: Any,
    ) -> MessageTracker: ...
    @overload
    def send_multipart(
        self,
        msg_parts: Sequence[_Sendable],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None: ...
    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send a whole message, one frame per item; returns what :meth:`send` returns
        for the last item (with ``copy=False`` or ``track=True``), else None."""
        if track or not copy:
            msg, tracker = sendable_message(msg_parts, copy, track, self.copy_threshold)
            self.send_multipart(msg, flags)
            return tracker
        msg = as_message(msg_parts)
        if not msg:
            raise ZMQError(_errno.EINVAL, "a message must have at least one frame")
        if flags & SNDMORE:
            for frame in msg:
                self.send(frame, SNDMORE)
            return None
        core = self._core
        try:
            core.send(msg)
        except WouldBlock:
            self._send_later(lambda: core.send(msg), flags)
        except CoreError as exc:
            raise self._failed(exc) from None
        return None

    @overload
    def recv(self, flags: int = 0, copy: Literal[True] = True, track: bool = False) -> bytes: ...
    @overload
    def recv(self, flags: int = 0, *, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> bytes | Frame: ...
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """The next frame: bytes, or a Frame with ``copy=False``."""
        core = self._core
        try:
            frame = core.recv_frame()
        except CoreError as exc:
            raise self._failed(exc) from None
        if frame is None:
            frame = self._recv_later(core.recv_frame, flags)
        if copy:
            return frame
        received = _frame(frame, core.more, core.message_properties())
        if track:
            # pyzmq's received frames own their memory: nothing to wait for.
            received.tracker = _FINISHED_TRACKER
        return received

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """Receive a frame into ``buffer`` (at most ``nbytes`` if given); returns its full size.

        As pyzmq, a frame larger than the buffer is truncated and the return value says so.
        A buffer that is read-only or not contiguous is refused (BufferError), before
        anything is received.
        """
        view = writable_view(buffer, nbytes)
        return copy_into(view, self.recv(flags))

    @overload
    def recv_multipart(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> list[bytes]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> list[Frame]: ...
    @overload
    def recv_multipart(
        self, flags: int, copy: Literal[False], track: bool = False
    ) -> list[Frame]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> list[bytes] | list[Frame]: ...
    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> list[Any]:
        """Every frame of the next message (the rest of it, if partly read): bytes, or
        Frames with ``copy=False``."""
        core = self._core
        try:
            msg = core.recv_message()
        except CoreError as exc:
            raise self._failed(exc) from None
        if msg is None:
            msg = self._recv_later(core.recv_message, flags)
        if copy:
            return msg_list(msg)
        return _frames(msg, core.message_properties())

    # -- sugar written once for both APIs ----------------------------------

    def _recv_loaded(self, flags: int, load: Callable[[Any], Any], multipart: bool = False) -> Any:
        """Receive a frame (or a whole message) and return ``load`` of it.

        The asyncio socket overrides this so that the awaitable it returns is the one
        its wait queue resolves: cancelling it then leaves the message in the socket.
        """
        return load(self.recv_multipart(flags) if multipart else self.recv(flags))

    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> MessageTracker | None:
        """Send a str, encoded; what send() returns."""
        if not isinstance(u, str):
            raise TypeError("str objects only")
        return self.send(u.encode(encoding), flags, copy, **kwargs)

    send_unicode = send_string

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        """Receive a frame and decode it."""
        return self._recv_loaded(flags, lambda b: b.decode(encoding))  # type: ignore[no-any-return]

    recv_unicode = recv_string

    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> MessageTracker | None:
        """Send ``obj`` as one JSON frame (kwargs go to json.dumps); what send() returns."""
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group") if k in kwargs}
        return self.send(json.dumps(obj, **kwargs).encode("utf-8"), flags, **send_kwargs)  # type: ignore[no-any-return]

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        """Receive one JSON frame and decode it (kwargs go to json.loads)."""
        return self._recv_loaded(flags, lambda b: json.loads(b, **kwargs))

    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL, **kwargs: Any
    ) -> MessageTracker | None:
        """Send a pickled object; what send() returns."""
        return self.send(pickle.dumps(obj, protocol), flags, **kwargs)  # type: ignore[no-any-return]

    def recv_pyobj(self, flags: int = 0) -> Any:
        """Receive a pickled object (only from peers you trust)."""
        return self._recv_loaded(flags, pickle.loads)

    def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Sequence[_Sendable]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send ``serialize(msg)`` as one multipart message; what send_multipart() returns."""
        return self.send_multipart(serialize(msg), flags=flags, copy=copy, **kwargs)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], _T], flags: int = 0, copy: bool = True
    ) -> _T:
        """Receive a multipart message and return ``deserialize(frames)`` (its frames as
        bytes, or as Frames with ``copy=False``)."""
        if not copy:
            return self._recv_loaded(  # type: ignore[no-any-return]
                flags,
                lambda msg: deserialize(_frames(msg, self._core.message_properties())),
                multipart=True,
            )
        return self._recv_loaded(flags, deserialize, multipart=True)  # type: ignore[no-any-return]

    # -- polling ----------------------------------------------------------------

    def _events(self) -> int:
        if self._shared.closed:
            raise self._not_a_socket()
        return self._core.events()

    def poll(self, timeout: int | None = None, flags: int = POLLIN) -> int:
        """Wait up to ``timeout`` ms (None: for ever) for ``flags``; the events that are ready."""
        if self._shared.closed:
            raise self._not_a_socket()
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout / 1000
        while True:
            if self._shared.closed:  # by another thread, or by the exit hook
                raise self._not_a_socket()
            events = self._core.events() & flags
            if events:
                return events
            if self.context.terminated:
                raise self._terminated()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return 0
            readers = self._owner_readers() if flags & POLLIN else []
            self._signaler.wait_readers(readers, remaining)


def new_core_socket(socket_type: Any) -> SocketBase:
    """A core socket of ``socket_type``.

    Raises TypeError for a type that is not an integer (as pyzmq), ZMQError(EINVAL) for
    a number that is no libzmq socket type (as libzmq), and ZMQError(ENOTSUP) for a
    libzmq type that purezmq does not implement (STREAM, the draft types), saying so.
    """
    if isinstance(socket_type, float):
        socket_type = int(socket_type)  # pyzmq takes a float and truncates it
    try:
        type_id = operator.index(socket_type)
    except TypeError:
        raise TypeError(
            f"socket type must be an int (zmq.REQ, zmq.PUB ...), not {type(socket_type).__name__}"
        ) from None
    try:
        return make_socket(type_id)
    except KeyError:
        pass
    try:
        name = constants.SocketType(type_id).name
    except ValueError:
        raise ZMQError(_errno.EINVAL, f"invalid socket type {type_id}") from None
    raise ZMQError(
        _errno.ENOTSUP, f"socket type {name} ({type_id}) exists in libzmq; purezmq does not"
        " implement it"
    )


def _named(exc: CoreError, option: int) -> CoreError:
    """``exc`` saying which option it is about by name, where the core knew only its number."""
    try:
        name = constants.SocketOption(option).name
    except ValueError:
        return exc
    if exc.msg and f"option {option}" in exc.msg:
        exc.msg = exc.msg.replace(f"option {option}", f"option {name} ({option})")
    elif exc.msg and name not in exc.msg:
        exc.msg = f"socket option {name}: {exc.msg}"
    return exc


def writable_view(buffer: Any, nbytes: int = 0) -> memoryview:
    """The bytes of ``buffer`` that recv_into may fill: its first ``nbytes`` (0: all).

    TypeError for an object that is not a buffer, BufferError for one that is read-only
    or not contiguous, ValueError for an ``nbytes`` below 0 or beyond the buffer.
    """
    if nbytes < 0:
        raise ValueError(f"nbytes must be >= 0, not {nbytes}")
    view = memoryview(buffer)
    if view.readonly:
        raise BufferError("recv_into needs a writable buffer")
    if not view.c_contiguous:
        raise BufferError("recv_into needs a contiguous buffer")
    view = view.cast("B")
    if nbytes > len(view):
        raise ValueError(f"nbytes={nbytes} is more than the buffer's {len(view)} bytes")
    return view[:nbytes] if nbytes else view


def copy_into(view: memoryview, frame: bytes) -> int:
    """Copy as much of ``frame`` as fits into ``view``; the frame's whole size."""
    n = min(len(view), len(frame))
    view[:n] = frame[:n]
    return len(frame)


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


def _with_address(exc: ZMQError, addr: Any) -> ZMQError:
    """``exc`` with the address that was refused in its message, as pyzmq's."""
    exc.strerror = f"{exc.strerror} (addr={addr!r})"
    return exc


# Aliases too (IDENTITY for ROUTING_ID ...): ``sock.identity`` reads as in pyzmq.
add_option_properties(
    Socket, {name: int(o) for name, o in constants.SocketOption.__members__.items()}
)
# pyzmq's name for the sync class, for code that mixes it with asyncio's.
SyncSocket: TypeAlias = Socket[bytes]


def _yield_gil() -> None:
    time.sleep(0)


# What recv(copy=False) returns, here and in asyncio.py.
_frame = received_frame


def msg_list(msg: Msg) -> list[bytes]:
    """``msg`` as the list pyzmq's recv_multipart returns (messages travel as tuples)."""
    return msg if type(msg) is list else list(msg)


def _frames(msg: Msg, properties: Mapping[str, bytes]) -> list[Any]:
    last = len(msg) - 1
    return [received_frame(data, i < last, properties) for i, data in enumerate(msg)]
