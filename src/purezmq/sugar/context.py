"""Context: the container of sockets, as pyzmq's ``zmq.Context``.

A sync Context owns one I/O thread (started with its first tcp or ipc socket) and
the inproc registry. ``term()`` makes blocked calls raise ContextTerminated, waits
until every socket is closed and its connections have flushed (LINGER), then
stops the I/O thread.

Lifetimes (DESIGN.md "Lifetimes"), as pyzmq's:

- A Context refers to its sockets weakly: a socket the program drops is closed by
  its own ``__del__``, with its LINGER, and ``term()`` never keeps one alive.
- A Context the program drops is destroyed (``__del__``: a ResourceWarning, then
  ``destroy()``); so is one used as ``with zmq.Context() as ctx:``, at the end of
  the block.
- A Context still open when the interpreter exits is terminated by an ``atexit``
  hook, before the I/O thread (a daemon) dies with the interpreter: each socket
  left open is closed with its LINGER, so what it queued for a connected peer goes
  out. Messages for a peer that is not connected at that moment are not waited for
  (a pyzmq program would lose them too, rather than hang at exit).
"""

from __future__ import annotations

import atexit
import gc
import math
import os
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar, overload

from .. import constants
from ..core.errors import EINVAL
from ..engine.inproc import InprocRegistry
from ..error import ZMQError
from ._option_attributes import ContextOptionAttributes
from .exiting import TERMINATED_AT_EXIT, stay_blocked_if_exiting
from .socket import Socket

if TYPE_CHECKING:
    # The I/O thread's module (asyncio) loads when the first tcp or ipc socket needs it.
    from ..engine.iothread import IOThread

T = TypeVar("T", bound="Context[Any]")
# The class of the sockets a context makes (pyzmq's type parameter): ``Socket[bytes]``
# for the sync Context, purezmq.asyncio's Socket for its Context.
_SocketT_co = TypeVar("_SocketT_co", bound="Socket[Any]", covariant=True)
_S = TypeVar("_S", bound="Socket[Any]")

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
    # libzmq's I/O thread settings: stored and read back, as purezmq's I/O thread is a
    # Python thread that the OS schedules like any other.
    int(constants.ContextOption.THREAD_SCHED_POLICY): -1,
    int(constants.ContextOption.THREAD_NAME_PREFIX): 0,
    # sizeof(zmq_msg_t) in libzmq; read-only.
    int(constants.ContextOption.MSG_T_SIZE): 64,
}
_READ_ONLY = {int(constants.ContextOption.MSG_T_SIZE)}
# Set-only in libzmq (CPU affinity of the I/O threads): accepted, without effect.
_WRITE_ONLY = {
    int(constants.ContextOption.THREAD_AFFINITY_CPU_ADD),
    int(constants.ContextOption.THREAD_AFFINITY_CPU_REMOVE),
}
_SOCKET_OPTION_NAMES = {o.name.lower(): int(o) for o in constants.SocketOption}
_CONTEXT_OPTION_NAMES = {o.name.lower(): int(o) for o in constants.ContextOption}
_CONTEXT_OPTION_NAMES.update(ipv6=_IPV6, blocky=_BLOCKY)
# How often a term() that waits for sockets runs the cyclic garbage collector: a socket
# dropped inside a reference cycle is only closed when a collection finds it, and a
# thread waiting in term() allocates nothing that would start one.
_COLLECT_EVERY = 0.5
# How much longer than its LINGER term() waits for an engine before ending it: the loop
# may be busy, and the engine ends its connections itself when LINGER runs out.
_LINGER_SLACK = 0.5
# How long the closed sockets of an ended asyncio loop may take, once adopted by an I/O
# thread, to connect and deliver what they queued before their loop could: their LINGER
# was their loop's to serve, and a peer gone meanwhile must not hang term() or the exit.
_ADOPTED_GRACE = 2.0
# How often the exit's delivery of those looks whether they are done (seconds).
_DELIVERY_POLL = 0.01


def _want_uvloop() -> bool:
    """PUREZMQ_UVLOOP=1 runs the I/O thread on uvloop when it is installed (extra "speed")."""
    return os.environ.get("PUREZMQ_UVLOOP", "") not in ("", "0")


class _State:
    """What a Context and its shadows share: sockets, options, I/O thread, inproc names."""

    def __init__(self, io_threads: int) -> None:
        self.lock = threading.RLock()
        self.all_closed = threading.Condition(self.lock)
        self.sockets: weakref.WeakSet[Any] = weakref.WeakSet()
        self.options = dict(_CONTEXT_OPTIONS)
        self.options[int(constants.ContextOption.IO_THREADS)] = io_threads
        self.sockopts: dict[int, Any] = {}
        # Engines of closed sockets, still flushing (LINGER): term() waits for them.
        self.engines: list[Any] = []
        self.inproc = InprocRegistry()
        self.io: IOThread | None = None
        self.closed = False
        self.terminated = False
        # Set for the termination at interpreter exit (see the module docstring).
        self.exiting = False
        self.pid = os.getpid()


# Contexts that were not terminated, for the exit hook. Weak: a dropped one is
# destroyed by its own __del__.
_open_contexts: weakref.WeakSet[Context[Any]] = weakref.WeakSet()
_exiting = False


class Context(ContextOptionAttributes, Generic[_SocketT_co]):
    """A ZeroMQ context: makes sockets, owns their I/O thread, terminates them.

    ``Context[Socket[bytes]]`` (``SyncContext``) is the sync context's type, as in
    pyzmq, and ``ctx.socket()`` gives a socket of the context's socket class. The class
    is subscriptable at run time too (``zmq.Context[Any]``).
    """

    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()
    # The class ``socket()`` makes (the asyncio and green Contexts set theirs).
    _socket_class: Any = Socket
    # The name repr() shows for this exact class: pyzmq's, which programs and tests read.
    _repr_cls: ClassVar[str] = "zmq.Context"

    _state: _State
    _shadow: bool
    _shadow_obj: Any
    _warn_destroy_close: bool
    sockopts: dict[int, Any]

    def __init__(
        self: Context[Socket[bytes]],
        io_threads: int | Context[Any] = 1,
        shadow: Context[Any] | int | None = None,
        **kwargs: Any,
    ) -> None:
        """A context with ``io_threads`` (kept as an option: purezmq has one I/O
        thread); or, given another context (or its ``underlying`` handle, as
        ``shadow``), a shadow of it."""
        if isinstance(io_threads, Context):
            shadow, io_threads = io_threads, 1
        object.__setattr__(self, "_warn_destroy_close", False)
        if shadow is not None and shadow is not False and shadow != 0:
            self._init_shadow(shadow)
            return
        if not isinstance(io_threads, int) or io_threads < 0:
            raise ZMQError(EINVAL, f"io_threads must be a non-negative int, not {io_threads!r}")
        state = _State(io_threads)
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "sockopts", state.sockopts)
        object.__setattr__(self, "_shadow", False)
        object.__setattr__(self, "_shadow_obj", None)
        _open_contexts.add(self)

    def _init_shadow(self, shadow: Any) -> None:
        """Share another Context's sockets, I/O thread and inproc names (pyzmq:
        ``zmq.asyncio.Context(sync_context)``), keeping it alive meanwhile."""
        from .handles import resolve

        other = resolve(shadow, Context)
        if other._shadow:
            other = other._shadow_obj  # a shadow of a shadow is a shadow of the original
        object.__setattr__(self, "_state", other._state)
        object.__setattr__(self, "sockopts", other._state.sockopts)
        object.__setattr__(self, "_shadow", True)
        object.__setattr__(self, "_shadow_obj", other)

    @classmethod
    def shadow(cls: type[T], address: Any) -> T:
        """A Context of this class sharing ``address``'s sockets, I/O thread and inproc
        names: another Context, or its ``underlying`` handle."""
        return cls(shadow=address)

    @classmethod
    def shadow_pyczmq(cls: type[T], ctx: Any) -> T:
        """pyzmq wraps a pyczmq context here; purezmq has no C context to wrap."""
        raise ZMQError(constants.Errno.ENOTSUP, "purezmq cannot shadow a czmq context")

    @property
    def underlying(self) -> int:
        """A handle that ``Context.shadow`` (of any Context class) turns back into this
        context, in this process (pyzmq: the address of the libzmq context)."""
        from .handles import register

        return register(self._shadow_obj if self._shadow else self)

    def __copy__(self: T, memo: Any = None) -> T:
        """Copying a Context makes a shadow of it, as pyzmq's."""
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    @property
    def closed(self) -> bool:
        """Whether ``term()`` (or ``destroy()``) has finished: no socket can be made."""
        return self._state.closed

    @property
    def terminated(self) -> bool:
        """Whether ``term()`` has begun (it may still wait for sockets to close)."""
        return self._state.terminated

    @property
    def inproc(self) -> InprocRegistry:
        """The ``inproc://`` names bound in this Context (shared with its shadows)."""
        return self._state.inproc

    def __repr__(self) -> str:
        cls = type(self)
        name = cls.__dict__.get("_repr_cls") or f"{cls.__module__}.{cls.__name__}"
        count = sum(not sock.closed for sock in list(self._state.sockets))
        sockets = f"{count} socket{'s' if count > 1 else ''}" if count else ""
        closed = " closed" if self.closed else ""
        return f"<{name}({sockets}) at {id(self):#x}{closed}>"

    def __dir__(self) -> list[str]:
        return sorted({*dir(type(self)), *constants.ContextOption.__members__})

    @classmethod
    def instance(cls: type[T], io_threads: int = 1) -> T:
        """The process-wide shared Context of this class: a new one after the last was
        terminated, and a new one in a child process after a fork."""
        inst = cls._instance
        if inst is None or cls._instance_pid != os.getpid() or inst.closed:
            with cls._instance_lock:
                inst = cls._instance
                if inst is None or cls._instance_pid != os.getpid() or inst.closed:
                    inst = cls(io_threads=io_threads)
                    cls._instance = inst
                    cls._instance_pid = os.getpid()
        return inst  # type: ignore[no-any-return]

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        # pyzmq 24+: close what was left open (with a warning), then terminate.
        object.__setattr__(self, "_warn_destroy_close", True)
        self.destroy()

    def __del__(self) -> None:
        if getattr(self, "_shadow", True) or _exiting or self._state.closed:
            return
        if self._state.pid != os.getpid():
            return  # a forked child's copy: the parent's I/O thread is not here
        warnings.warn(f"Unclosed context {self}", ResourceWarning, stacklevel=2, source=self)
        object.__setattr__(self, "_warn_destroy_close", True)
        io = self._state.io
        if io is not None and io.in_thread():
            # Collected on the I/O thread itself: term() there would wait for the loop
            # it blocks. Finish from a thread of its own.
            threading.Thread(target=self.destroy, name="purezmq-destroy").start()
        else:
            self.destroy()

    # -- sockets -------------------------------------------------------------

    @overload
    def socket(
        self, socket_type: int, socket_class: None = None, **kwargs: Any
    ) -> _SocketT_co: ...
    @overload
    def socket(
        self, socket_type: int, socket_class: Callable[..., _S], **kwargs: Any
    ) -> _S: ...
    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (zmq.REQ, zmq.PUB, ...), of this context's
        socket class or of ``socket_class``."""
        if self.closed:
            # pyzmq: ENOTSUP from the context that was terminated; a shadow of it reaches
            # libzmq, which says EFAULT.
            code = constants.Errno.EFAULT if self._shadow else constants.Errno.ENOTSUP
            stay_blocked_if_exiting(self)  # a daemon thread, at exit: as on pyzmq
            why = TERMINATED_AT_EXIT if self.exiting else "the context is terminated"
            raise ZMQError(code, why)
        cls = socket_class or self._socket_class
        sock = cls(self, socket_type, **kwargs)
        for option, value in self.sockopts.items():
            try:
                sock.setsockopt(option, value)
            except ZMQError:
                pass  # an option that does not apply to this type (libzmq ignores it too)
        return sock

    def _add_socket(self, sock: Any) -> None:
        with self._state.lock:
            self._state.sockets.add(sock)

    def _socket_closed(self, sock: Any) -> None:
        state = self._state
        with state.lock:
            state.sockets.discard(sock)
            state.all_closed.notify_all()

    def _rm_socket(self, sock: Any) -> None:
        """pyzmq's name: forget ``sock`` (it is closing)."""
        self._socket_closed(sock)

    def io_thread(self) -> IOThread:
        """The I/O thread, started on first use."""
        state = self._state
        with state.lock:
            if state.closed:
                raise ZMQError(constants.Errno.ETERM)
            if state.io is None:
                from ..engine.iothread import IOThread

                state.io = IOThread(use_uvloop=_want_uvloop())
            return state.io

    @property
    def exiting(self) -> bool:
        """True while the interpreter's exit terminates this context (see the module)."""
        return self._state.exiting

    # -- termination ----------------------------------------------------------

    def term(self) -> None:
        """Wake blocked calls with ContextTerminated, wait for every socket to close, stop."""
        state = self._state
        with state.lock:
            if state.closed:
                return
            state.terminated = True
        self._wake_sockets()
        self._wait_sockets_closed()
        self._finish()

    def _wait_sockets_closed(self) -> None:
        """Return once every socket is closed (purezmq.green waits cooperatively)."""
        state = self._state
        with state.lock:
            while any(not sock.closed for sock in state.sockets):
                if not state.all_closed.wait(_COLLECT_EVERY):
                    gc.collect()

    def _wake_sockets(self) -> None:
        # A list of the sockets only for as long as the wake-ups take: term() must not
        # keep alive a socket the program drops while it waits.
        for sock in list(self._state.sockets):
            sock._context_terminated()

    def _engine_closing(self, engine: Any) -> None:
        state = self._state
        with state.lock:
            # term() waits only for engines still flushing (LINGER). Forget those done,
            # or a long-lived Context keeps every socket it ever closed.
            state.engines[:] = [other for other in state.engines if not other.done.is_set()]
            state.engines.append(engine)

    def _finish(self) -> None:
        state = self._state
        adopted = self._adopt_stranded()
        with state.lock:
            io = state.io
            state.closed = True
            engines = list(state.engines)
            state.engines.clear()
        _open_contexts.discard(self._shadow_obj if self._shadow else self)
        if io is not None:
            # LINGER: connections of closed sockets flush before the loop stops.
            self._wait_flushed([engine for engine in engines if engine.loop is io.loop
                                and engine not in adopted])
            # Those adopted get a grace period, then give up (see _ADOPTED_GRACE).
            self._wait_flushed(adopted, _ADOPTED_GRACE)
            io.stop()
        # Sockets of an asyncio loop that runs in this thread (a Context dropped or
        # terminated inside a coroutine) cannot be waited for here: their loop runs
        # again after this returns, or never; the exit delivers what it could not.
        _leave_for_exit([engine for engine in engines if engine not in adopted
                         and (io is None or engine.loop is not io.loop)])

    def _adopt_stranded(self) -> list[Any]:
        """The closed sockets of asyncio loops that have ended (asyncio.run returned) go on
        on the I/O thread, where what they queued is delivered: the connections their
        loop never got to make are made there (SocketEngine.adopt)."""
        state = self._state
        with state.lock:
            stranded = [e for e in state.engines if not e.done.is_set() and e.stranded()]
        if not stranded or state.exiting:
            return []  # at exit no thread may start: _deliver_left_behind takes them
        io = self.io_thread()
        for engine in stranded:
            io.loop.call_soon_threadsafe(engine.adopt, io.loop, io.thread_id)
        return stranded

    def _wait_flushed(self, engines: list[Any], limit: float | None = None) -> None:
        """Return once ``engines`` have flushed (LINGER, and at most ``limit`` seconds if
        given); purezmq.green waits cooperatively."""
        _wait_flushed(engines, limit)

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket (with ``linger`` if given), then terminate."""
        if self.closed:
            return
        for sock in list(self._state.sockets):
            if sock.closed:
                continue
            if self._warn_destroy_close:
                warnings.warn(
                    f"Destroying context with unclosed socket {sock}",
                    ResourceWarning, stacklevel=3, source=sock,
                )
            sock.close(linger=linger)
        self.term()

    def _terminate_at_exit(self) -> None:
        """The interpreter is exiting: close what is open (LINGER), then terminate."""
        self._state.exiting = True
        for sock in list(self._state.sockets):
            if not sock.closed:
                try:
                    sock.close()
                except Exception:
                    pass  # a socket of a dead thread or loop: nothing left to flush
        self.term()

    # -- options ------------------------------------------------------------

    def set(self, option: int, value: int) -> None:
        """Set a context option (IO_THREADS, MAX_SOCKETS, IPV6, BLOCKY ...)."""
        options = self._state.options
        if (option not in options and option not in _WRITE_ONLY) or option in _READ_ONLY:
            raise ZMQError(EINVAL, f"unknown or read-only context option {_name(option)}")
        if not isinstance(value, int):
            raise ZMQError(EINVAL, f"context option {_name(option)} takes an int")
        if option in _WRITE_ONLY:
            return
        options[option] = value
        if option == _IPV6:
            self.sockopts[int(constants.SocketOption.IPV6)] = value

    def get(self, option: int) -> int:
        """The value of a context option."""
        options = self._state.options
        if option not in options:
            raise ZMQError(EINVAL, f"unknown or write-only context option {_name(option)}")
        return options[option]

    setsockopt_ctx = set
    getsockopt_ctx = get

    def setsockopt(self, option: int, value: Any) -> None:
        """Set a default socket option for sockets created later (pyzmq ``ctx.sockopts``)."""
        self.sockopts[option] = value

    def getsockopt(self, option: int) -> Any:
        """The default value set with ``setsockopt``; KeyError if none was set."""
        return self.sockopts[option]

    # Option names as attributes in any case, as pyzmq (which looks up name.upper()).

    # They are typed in ContextOptionAttributes, for type checkers, which do not see
    # these three methods (one that did would let ``ctx.lingr = 0`` pass).

    def _set_attribute(self, name: str, value: Any) -> None:
        if _declared(type(self), name):
            object.__setattr__(self, name, value)
            return
        key = name.lower()
        if key in _CONTEXT_OPTION_NAMES:
            self.set(_CONTEXT_OPTION_NAMES[key], value)
        elif key in _SOCKET_OPTION_NAMES:
            self.sockopts[_SOCKET_OPTION_NAMES[key]] = value
        else:
            raise AttributeError(f"No such context or socket option: {name.upper()}")

    def _get_attribute(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        key = name.lower()
        if key in _CONTEXT_OPTION_NAMES:
            try:
                return self.get(_CONTEXT_OPTION_NAMES[key])
            except ZMQError:
                raise AttributeError(f"{name} attribute is write-only") from None
        if key in _SOCKET_OPTION_NAMES and _SOCKET_OPTION_NAMES[key] in self.sockopts:
            return self.sockopts[_SOCKET_OPTION_NAMES[key]]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def _del_attribute(self, name: str) -> None:
        if _declared(type(self), name):
            object.__delattr__(self, name)
            return
        key = name.lower()
        option = _SOCKET_OPTION_NAMES.get(key)
        if option is None or option not in self.sockopts:
            raise AttributeError(name)
        del self.sockopts[option]

    if not TYPE_CHECKING:
        __setattr__ = _set_attribute
        __getattr__ = _get_attribute
        __delattr__ = _del_attribute


def _wait_flushed(engines: list[Any], limit: float | None = None) -> None:
    """Wait until ``engines`` have flushed their connections. Their LINGERs (or ``limit``,
    in seconds) run together from now, as libzmq's do: an engine that has not ended by
    its own, whatever state a connection is in (a handshake that never ends, a peer that
    never reads), is ended, and all that are overdue get one grace period together."""
    started = time.monotonic()
    bounds = [(engine, _flush_bound(engine, limit)) for engine in engines]
    # The bounded first: one without a bound (LINGER -1) must not hold back their ends.
    bounds.sort(key=lambda pair: math.inf if pair[1] is None else pair[1])
    overdue = []
    for engine, bound in bounds:
        if bound is None:
            engine.done.wait()
        elif not engine.done.wait(max(0.0, started + bound - time.monotonic())):
            engine.schedule(engine.expire)
            overdue.append(engine)
    grace_ends = time.monotonic() + _LINGER_SLACK
    for engine in overdue:
        engine.done.wait(max(0.0, grace_ends - time.monotonic()))


def _flush_bound(engine: Any, limit: float | None) -> float | None:
    """Seconds ``engine`` may take to flush: its LINGER with some slack, at most ``limit``;
    None for ever."""
    bound = None if engine.linger < 0 else engine.linger / 1000 + _LINGER_SLACK
    if limit is not None:
        bound = limit if bound is None else min(bound, limit)
    return bound


def _name(option: int) -> str:
    try:
        return f"{constants.ContextOption(option).name} ({option})"
    except ValueError:
        return str(option)


def _declared(cls: type, name: str) -> bool:
    """Whether ``name`` is a plain attribute of ``cls``'s instances: declared (or
    annotated) on the class or one of its bases, as pyzmq's AttributeSetter decides."""
    return any(name in klass.__dict__ or name in getattr(klass, "__annotations__", {})
               for klass in cls.__mro__)


# Closed asyncio sockets whose loop had not flushed them when their Context ended,
# with the process they belong to (a forked child leaves its parent's alone).
_left_behind: list[tuple[int, Any]] = []
_left_behind_lock = threading.Lock()


def _leave_for_exit(engines: list[Any]) -> None:
    pid = os.getpid()
    with _left_behind_lock:
        _left_behind[:] = [(p, e) for p, e in _left_behind if not e.done.is_set()]
        _left_behind.extend((pid, e) for e in engines if not e.done.is_set())


def _deliver_left_behind() -> None:
    """atexit: what closed asyncio sockets still hold, their loop ended or idle for good,
    goes out on a loop run here, in the exiting thread (Python 3.12 starts no thread at
    exit), the whole given up to _ADOPTED_GRACE."""
    with _left_behind_lock:
        engines = [e for pid, e in _left_behind if pid == os.getpid() and not e.done.is_set()
                   and e.loop is not None and not e.loop.is_running()]
        _left_behind.clear()
    if not engines:
        return
    from ..engine.iothread import new_event_loop

    loop = new_event_loop(_want_uvloop())
    try:
        loop.run_until_complete(_deliver(loop, engines))
    finally:
        loop.close()


async def _deliver(loop: Any, engines: list[Any]) -> None:
    import asyncio  # loaded by then: these sockets ran on asyncio loops

    thread = threading.get_ident()
    for engine in engines:
        engine.adopt(loop, thread)
    deadline = loop.time() + _ADOPTED_GRACE
    while loop.time() < deadline and not all(e.done.is_set() for e in engines):
        await asyncio.sleep(_DELIVERY_POLL)
    for engine in engines:
        if not engine.done.is_set():
            engine.expire()
    await asyncio.sleep(_DELIVERY_POLL)  # the connections it ended close


def _terminate_open_contexts() -> None:
    """atexit: terminate every Context still open (see the module docstring), then
    deliver what the sockets of ended asyncio loops still hold."""
    global _exiting
    _exiting = True
    for ctx in list(_open_contexts):
        if not ctx.closed and ctx._state.pid == os.getpid():
            ctx._terminate_at_exit()
    _deliver_left_behind()


atexit.register(_terminate_open_contexts)


# pyzmq's name for the sync class, for code that mixes it with asyncio's.
SyncContext: TypeAlias = Context[Socket[bytes]]
