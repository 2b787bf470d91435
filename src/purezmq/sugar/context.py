"""Context: the container of sockets, as pyzmq's ``zmq.Context``.

A sync Context owns one I/O thread (started with its first tcp or ipc socket) and
the inproc registry. ``term()`` makes blocked calls raise ContextTerminated, waits
until every socket is closed and its connections have flushed (LINGER), then
stops the I/O thread.
"""

from __future__ import annotations

import os
import threading
from typing import Any, ClassVar, TypeVar

from .. import constants
from ..core.errors import EINVAL
from ..engine.inproc import InprocRegistry
from ..engine.iothread import IOThread
from ..error import ZMQError

T = TypeVar("T", bound="Context")

# IPV6 and BLOCKY share their numbers with the socket options of the same name.
_IPV6 = int(constants.SocketOption.IPV6)
_BLOCKY = int(constants.SocketOption.BLOCKY)
_CONTEXT_OPTIONS = {
    int(constants.ContextOption.IO_THREADS): 1,
    int(constants.ContextOption.MAX_SOCKETS): 1023,
    int(constants.ContextOption.SOCKET_LIMIT): 65535,
    _IPV6: 0,
    _BLOCKY: 1,
    int(constants.ContextOption.MAX_MSGSZ): 2**31 - 1,
}
_SOCKET_OPTION_NAMES = {o.name.lower(): int(o) for o in constants.SocketOption}
_CONTEXT_OPTION_NAMES = {o.name.lower(): int(o) for o in constants.ContextOption}
_CONTEXT_OPTION_NAMES.update(ipv6=_IPV6, blocky=_BLOCKY)


def _want_uvloop() -> bool:
    """PUREZMQ_UVLOOP=1 runs the I/O thread on uvloop when it is installed (extra "speed")."""
    return os.environ.get("PUREZMQ_UVLOOP", "") not in ("", "0")


class Context:
    """A ZeroMQ context: makes sockets, owns their I/O thread, terminates them."""

    _instance: ClassVar[Context | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()
    _socket_class: Any = None  # set below to the sync Socket

    def __init__(self, io_threads: Any = 1, shadow: Context | None = None, **kwargs: Any) -> None:
        if isinstance(io_threads, Context):
            shadow, io_threads = io_threads, 1
        if shadow is not None:
            # Another Context's sockets, I/O thread and inproc names, seen through this class
            # (pyzmq: zmq.asyncio.Context(sync_context)).
            self.__dict__.update(shadow._shared_state())
            return
        if not isinstance(io_threads, int) or io_threads < 0:
            raise ZMQError(EINVAL, f"io_threads must be a non-negative int, not {io_threads!r}")
        lock = threading.RLock()
        self.__dict__.update(
            _lock=lock,
            _sockets=set(),
            _options=dict(_CONTEXT_OPTIONS),
            sockopts={},
            _engines=[],
            inproc=InprocRegistry(),
            _all_closed=threading.Condition(lock),
            # Mutable flags live in one dict so that shadows see them change.
            _flags={"io": None, "closed": False, "terminated": False},
        )
        self._options[int(constants.ContextOption.IO_THREADS)] = io_threads

    def _shared_state(self) -> dict[str, Any]:
        keys = ("_lock", "_sockets", "_options", "sockopts", "_engines", "inproc")
        return {k: self.__dict__[k] for k in (*keys, "_all_closed", "_flags")}

    @classmethod
    def shadow(cls: type[T], other: Context) -> T:
        """A Context of this class sharing ``other``'s sockets, I/O thread and inproc names."""
        return cls(shadow=other)

    @property
    def closed(self) -> bool:
        return bool(self._flags["closed"])

    @property
    def terminated(self) -> bool:
        return bool(self._flags["terminated"])

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._sockets)} sockets"
        return f"<{type(self).__module__}.{type(self).__name__}({state}) at {id(self):#x}>"

    @classmethod
    def instance(cls: type[T], io_threads: int = 1) -> T:
        """The process-wide shared Context (a new one after the last was terminated)."""
        with cls._instance_lock:
            inst = cls.__dict__.get("_instance")
            if inst is None or inst.closed:
                inst = cls(io_threads)
                cls._instance = inst
            return inst

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.term()

    # -- sockets -------------------------------------------------------------

    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (zmq.REQ, zmq.PUB, ...)."""
        if self.closed:
            raise ZMQError(constants.Errno.ETERM)
        cls = socket_class or self._socket_class
        sock = cls(self, socket_type, **kwargs)
        for option, value in self.sockopts.items():
            try:
                sock.setsockopt(option, value)
            except ZMQError:
                pass  # an option that does not apply to this type (libzmq ignores it too)
        return sock

    def _add_socket(self, sock: Any) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _socket_closed(self, sock: Any) -> None:
        with self._lock:
            self._sockets.discard(sock)
            self._all_closed.notify_all()

    def io_thread(self) -> IOThread:
        """The I/O thread, started on first use."""
        with self._lock:
            if self.closed:
                raise ZMQError(constants.Errno.ETERM)
            io = self._flags["io"]
            if io is None:
                io = self._flags["io"] = IOThread(use_uvloop=_want_uvloop())
            return io  # type: ignore[no-any-return]

    # -- termination ----------------------------------------------------------

    def term(self) -> None:
        """Wake blocked calls with ContextTerminated, wait for every socket to close, stop."""
        with self._lock:
            if self.closed:
                return
            self._flags["terminated"] = True
            sockets = list(self._sockets)
        for sock in sockets:
            sock._context_terminated()
        with self._lock:
            while self._sockets:
                self._all_closed.wait()
        self._finish()

    def _engine_closing(self, engine: Any) -> None:
        with self._lock:
            # term() waits only for engines still flushing (LINGER). Forget those done,
            # or a long-lived Context keeps every socket it ever closed. In place: shadows
            # share the list.
            self._engines[:] = [other for other in self._engines if not other.done.is_set()]
            self._engines.append(engine)

    def _finish(self) -> None:
        with self._lock:
            io = self._flags["io"]
            self._flags["closed"] = True
            engines = list(self._engines)
        if io is not None:
            # LINGER: connections of closed sockets flush before the loop stops.
            for engine in engines:
                if engine.loop is io.loop:
                    engine.done.wait()
            io.stop()

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket (with ``linger`` if given), then terminate."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            if not sock.closed:
                sock.close(linger=linger)
        self.term()

    # -- options ------------------------------------------------------------

    def set(self, option: int, value: int) -> None:
        """Set a context option (IO_THREADS, MAX_SOCKETS, IPV6, BLOCKY ...)."""
        if option not in self._options:
            raise ZMQError(EINVAL, f"unknown context option {option}")
        if not isinstance(value, int):
            raise ZMQError(EINVAL, f"context option {option} takes an int")
        self._options[option] = value
        if option == _IPV6:
            self.sockopts[int(constants.SocketOption.IPV6)] = value

    def get(self, option: int) -> int:
        """The value of a context option."""
        if option not in self._options:
            raise ZMQError(EINVAL, f"unknown context option {option}")
        return self._options[option]  # type: ignore[no-any-return]

    setsockopt_ctx = set
    getsockopt_ctx = get

    def setsockopt(self, option: int, value: Any) -> None:
        """Set a default socket option for sockets created later (pyzmq ``ctx.sockopts``)."""
        self.sockopts[option] = value

    def getsockopt(self, option: int) -> Any:
        return self.sockopts[option]

    # Option names as attributes in any case, as pyzmq (which looks up name.upper()).

    def __setattr__(self, name: str, value: Any) -> None:
        key = name.lower()
        if key in _CONTEXT_OPTION_NAMES:
            self.set(_CONTEXT_OPTION_NAMES[key], value)
        elif key in _SOCKET_OPTION_NAMES:
            self.sockopts[_SOCKET_OPTION_NAMES[key]] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        key = name.lower()
        if key in _CONTEXT_OPTION_NAMES:
            return self.get(_CONTEXT_OPTION_NAMES[key])
        if key in _SOCKET_OPTION_NAMES and _SOCKET_OPTION_NAMES[key] in self.sockopts:
            return self.sockopts[_SOCKET_OPTION_NAMES[key]]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        key = name.lower()
        if key in _SOCKET_OPTION_NAMES:
            self.sockopts.pop(_SOCKET_OPTION_NAMES[key], None)
        else:
            object.__delattr__(self, name)
